"""What the igloohome client and adapter tests share: the igloohome API and its token endpoint mocked with respx,
the recorded-shape payloads (fixtures/), and a credential store that records its saves.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import respx

from providers.base import HeldCredentials as MemoryStore
from providers.base import ProviderConfig, ProviderContext
from providers.igloohome import mapping
from providers.igloohome.adapter import IgloohomeProvider
from providers.igloohome.client import IgloohomeClient
from providers.igloohome.models import DevicePage
from schemas.providers import ProviderDevice

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.igloodeveloper.co/igloohome"
TOKEN_URL = "https://auth.igloohome.co/oauth2/token"
CONFIG = ProviderConfig(base_url=BASE, extra={"job_poll_seconds": "0", "job_wait_seconds": "0"})
CREDENTIALS = {"client_id": "igloo-client", "client_secret": "igloo-secret"}
NOW = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
FRONT_DOOR, HOME_BRIDGE = "OE1X123cbb11", "EB1X04eeeeee"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def payload(name: str) -> Any:
    return json.loads(fixture(name))


@pytest.fixture(name="igloo")
def igloo_fixture() -> respx.MockRouter:
    """The API at its documented base; the token endpoint answers `token.json` (tests may replace the route)."""
    router = respx.mock(assert_all_called=False, assert_all_mocked=True)
    router.post(TOKEN_URL, name="token").respond(200, content=fixture("token.json"))
    return router


@pytest.fixture(name="http")
async def http_fixture(igloo: respx.MockRouter) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(igloo.async_handler)) as client:
        yield client


def client(
    http: httpx.AsyncClient, store: MemoryStore | None = None, config: ProviderConfig = CONFIG
) -> IgloohomeClient:
    return IgloohomeClient(http, config, store or MemoryStore(CREDENTIALS), clock=lambda: NOW)


def adapter(
    http: httpx.AsyncClient, store: MemoryStore | None = None, config: ProviderConfig = CONFIG
) -> IgloohomeProvider:
    context = ProviderContext(
        http=http, config=config, credentials=store or MemoryStore(CREDENTIALS), clock=lambda: NOW
    )
    return IgloohomeProvider(context)


def device(device_id: str = FRONT_DOOR, timezone: str | None = None) -> ProviderDevice:
    """A lock of the fixture account as the gateway hands it to the adapter (with the zone a person set)."""
    pages = [
        msgspec.json.decode(fixture(name), type=DevicePage) for name in ("devices_page_1.json", "devices_page_2.json")
    ]
    devices = [found for page in pages for found in page.payload]
    lock = next(found for found in devices if found.device_id == device_id)
    return msgspec.structs.replace(mapping.to_device(lock, devices, NOW), timezone=timezone)


def api(path: str) -> str:
    return f"{BASE}{path}"
