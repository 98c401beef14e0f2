"""What the TTLock client tests share: the TTLock cloud mocked with respx, payloads shaped as TTLock documents them
(fixtures/), a fixed clock and a credential store that records its saves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from providers.base import HeldCredentials as MemoryStore
from providers.base import ProviderConfig
from providers.ttlock.client import TTLockClient

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://euapi.ttlock.com"
CONFIG = ProviderConfig(base_url=BASE, client_id="ttlock-client-id", client_secret="ttlock-client-secret")
NOW = datetime(2026, 12, 3, 10, 30, tzinfo=UTC)
NOW_MS = 1796293800000
FRESH = {
    "username": "host@example.com",
    "password_md5": "e10adc3949ba59abbe56e057f20f883e",
    "access_token": "access-1",
    "refresh_token": "refresh-1",
    "expires_at": int(NOW.timestamp()) + 86_400,
    "uid": 2340,
}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def form(request: httpx.Request) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(request.content.decode()).items()}


def query(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


@pytest.fixture(name="ttlock")
def ttlock_fixture() -> Iterator[respx.MockRouter]:
    router = respx.mock(base_url=BASE, assert_all_called=True, assert_all_mocked=True)
    yield router
    router.assert_all_called()


@pytest.fixture(name="http")
async def http_fixture(ttlock: respx.MockRouter) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(ttlock.async_handler)) as client:
        yield client


def client(http: httpx.AsyncClient, credentials: dict[str, Any] | None = None) -> tuple[TTLockClient, MemoryStore]:
    store = MemoryStore(FRESH if credentials is None else credentials)
    return TTLockClient(http, CONFIG, store, clock=lambda: NOW), store
