"""What the Nuki simulator's OAuth, knob and webhook tests share: a clock to move, the simulator with the contract
devices seeded behind httpx, and the OAuth steps (consent, token calls, a connected adapter).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from providers.base import HeldCredentials as MemoryCredentials
from providers.base import ProviderConfig, ProviderContext
from providers.nuki.adapter import NukiProvider
from providers.nuki.simulator import NukiSimulator
from providers.nuki.testing import (
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    seed,
    sign_in,
)

CONFIG = ProviderConfig(base_url=BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(name="clock")
def clock_fixture() -> Clock:
    return Clock()


@pytest.fixture(name="sim")
def sim_fixture(clock: Clock) -> Iterator[NukiSimulator]:
    simulator = NukiSimulator(clock=clock, seed=7)
    yield simulator
    simulator.close()


@pytest.fixture(name="devices")
def devices_fixture(sim: NukiSimulator) -> dict[str, str]:
    return seed(sim)


@pytest.fixture(name="http")
async def http_fixture(sim: NukiSimulator, devices: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, timeout=1.0) as client:
        yield client


def context(http: httpx.AsyncClient, store: MemoryCredentials) -> ProviderContext:
    return ProviderContext(http=http, config=CONFIG, credentials=store)


async def connected(http: httpx.AsyncClient) -> tuple[NukiProvider, MemoryCredentials]:
    """An adapter whose credentials came through the consent page and the token endpoint."""
    store = MemoryCredentials()
    code = await sign_in(http, CONFIG)
    await store.save(await NukiProvider.exchange_code(context(http, store), code=code, redirect_uri=REDIRECT_URI))
    return NukiProvider(context(http, store)), store


def consent(**extra: str) -> dict[str, str]:
    fields = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI}
    return fields | {"scope": "account smartlock", "state": "st-1"} | extra


async def token_call(http: httpx.AsyncClient, **fields: str) -> httpx.Response:
    return await http.post("/oauth/token", data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET} | fields)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
