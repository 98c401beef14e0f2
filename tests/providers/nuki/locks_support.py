"""What the Nuki simulator's device tests share: a clock to set, and a world of one account's locks (and a stranger's)
reached with an API token, raw and through the adapter.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from providers.base import HeldCredentials as MemoryCredentials
from providers.base import ProviderConfig, ProviderContext
from providers.nuki.adapter import NukiProvider
from providers.nuki.simulator import NukiSimulator

BASE = "https://api.nuki.io"
START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def at(self, text: str) -> None:
        self.now = datetime.fromisoformat(text)


class World:
    """A simulator with one account (API token) and its locks, plus a second account's lock."""

    def __init__(self, sim: NukiSimulator, http: httpx.AsyncClient) -> None:
        self.sim, self.http = sim, http
        self.account = sim.add_account("host@example.com", "pw", name="Jane Host")
        self.front = sim.add_smartlock(self.account, name="Front door")
        self.cellar = sim.add_smartlock(self.account, name="Cellar", keypad=False, type=0)
        self.token = sim.issue_api_token(self.account)
        stranger = sim.add_account("other@example.com", "pw")
        self.foreign = sim.add_smartlock(stranger, name="Not yours")
        store = MemoryCredentials()
        store.credentials = {"api_token": self.token}
        self.adapter = NukiProvider(ProviderContext(http=http, config=ProviderConfig(base_url=BASE), credentials=store))

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return await self.http.request(method, path, headers=headers, **kwargs)

    async def state(self, lock_id: int) -> int:
        return int((await self.call("GET", f"/smartlock/{lock_id}")).json()["state"]["state"])

    async def codes(self, lock_id: int) -> list[dict[str, Any]]:
        return list((await self.call("GET", f"/smartlock/{lock_id}/auth", params={"types": 13})).json())

    async def logs(self, path: str = "/smartlock/log", **params: Any) -> list[dict[str, Any]]:
        return list((await self.call("GET", path, params=params)).json())

    async def create(self, lock_id: int, **body: Any) -> httpx.Response:
        return await self.call("PUT", f"/smartlock/{lock_id}/auth", json={"type": 13} | body)


@pytest.fixture(name="clock")
def clock_fixture() -> Clock:
    return Clock()


@pytest.fixture(name="sim")
def sim_fixture(clock: Clock) -> Iterator[NukiSimulator]:
    simulator = NukiSimulator(clock=clock, seed=3)
    yield simulator
    simulator.close()


@pytest.fixture(name="world")
async def world_fixture(sim: NukiSimulator) -> AsyncIterator[World]:
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE, timeout=1.0) as http:
        yield World(sim, http)
