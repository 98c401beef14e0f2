"""What the Nuki adapter tests share: Nuki's recorded payloads (fixtures/), the fixture locks, and an adapter on
an API token talking to Nuki Web mocked with respx.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import respx

from providers.base import ProviderConfig, ProviderContext
from providers.nuki import mapping
from providers.nuki.adapter import NukiProvider
from providers.nuki.models import Smartlock
from schemas.providers import ProviderDevice

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.nuki.io"
SECRET = "gateway-client-secret"
CONFIG = ProviderConfig(base_url=BASE, client_id="gateway-client-id", client_secret=SECRET)
NOW = datetime(2024, 3, 1, 17, 0, tzinfo=UTC)
FRONT_DOOR = 17618910285  # type 4, keypad2Paired
CELLAR = 742215263  # type 0, no keypad
OPENER = 9584794990  # type 2
GARDEN_GATE = 18696862861  # type 4, keypad, offline
OFFICE = 23278161310  # type 5, keypad2Paired, jammed


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def lock_payload(smartlock_id: int, **changes: Any) -> dict[str, Any]:
    """The fixture lock; `state` in `changes` updates its state object, other keys replace top-level fields."""
    payload = next(item for item in json.loads(fixture("smartlock_list.json")) if item["smartlockId"] == smartlock_id)
    payload["state"].update(changes.pop("state", {}))
    return payload | changes


def device(smartlock_id: int) -> ProviderDevice:
    return mapping.to_device(msgspec.convert(lock_payload(smartlock_id), Smartlock))


class Store:
    def __init__(self, credentials: dict[str, Any]) -> None:
        self.credentials = credentials

    async def load(self) -> dict[str, Any]:
        return dict(self.credentials)

    async def save(self, credentials: dict[str, Any]) -> None:
        self.credentials = dict(credentials)


@pytest.fixture(name="nuki")
def nuki_fixture() -> Iterator[respx.MockRouter]:
    router = respx.mock(base_url=BASE, assert_all_called=True, assert_all_mocked=True)
    yield router
    router.assert_all_called()


@pytest.fixture(name="http")
async def http_fixture(nuki: respx.MockRouter) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(nuki.async_handler)) as client:
        yield client


@pytest.fixture(name="adapter")
def adapter_fixture(http: httpx.AsyncClient) -> NukiProvider:
    credentials = Store({"api_token": "nuki-api-token"})
    return NukiProvider(ProviderContext(http=http, config=CONFIG, credentials=credentials, clock=lambda: NOW))
