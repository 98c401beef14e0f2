"""What the Nuki client tests share: Nuki Web mocked with respx, Nuki's recorded payloads (fixtures/), and a
credential store that records its saves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import respx

from providers.base import HeldCredentials as MemoryStore
from providers.base import ProviderConfig
from providers.nuki.client import NukiClient

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.nuki.io"
CONFIG = ProviderConfig(base_url=BASE, client_id="gateway-client-id", client_secret="gateway-client-secret")
FRONT_DOOR = 17618910285


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(name="nuki")
def nuki_fixture() -> Iterator[respx.MockRouter]:
    router = respx.mock(base_url=BASE, assert_all_called=True, assert_all_mocked=True)
    yield router
    router.assert_all_called()


@pytest.fixture(name="http")
async def http_fixture(nuki: respx.MockRouter) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(nuki.async_handler)) as client:
        yield client


def api_token_client(http: httpx.AsyncClient, token: str = "nuki-api-token") -> NukiClient:
    return NukiClient(http, CONFIG, MemoryStore({"api_token": token}))
