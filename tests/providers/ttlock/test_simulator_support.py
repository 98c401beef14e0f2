"""What the TTLock simulator tests share (no tests here): a clock to move, a world of one account's gateways and locks
(and a stranger's lock) behind httpx on the simulator's transport, and calls that carry TTLock's common parameters.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from providers.ttlock.simulator import TTLockSimulator

BASE = "https://euapi.ttlock.com"
CLIENT_ID, CLIENT_SECRET = "gateway-app", "app-secret"
USERNAME, PASSWORD = "host@example.com", "correct horse"
START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
HOUR_MS, DAY_MS = 3_600_000, 86_400_000


def md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class World:
    """One account (logged in) with an online and an offline gateway, three locks, and a stranger's lock."""

    def __init__(self, sim: TTLockSimulator, http: httpx.AsyncClient) -> None:
        self.sim, self.http = sim, http
        sim.add_client(CLIENT_ID, CLIENT_SECRET)
        self.uid = sim.add_account(USERNAME, PASSWORD)
        self.hallway = sim.add_gateway(self.uid, name="Hallway gateway")
        self.garden = sim.add_gateway(self.uid, name="Garden gateway", online=False)
        self.front = sim.add_lock(self.uid, alias="Front door", gateways=[self.hallway])
        self.shed = sim.add_lock(self.uid, alias="Garden shed", gateways=[self.garden])
        self.cabin = sim.add_lock(self.uid, alias="Cabin", keypad=False)
        stranger = sim.add_account("other@example.com", "pw")
        self.foreign = sim.add_lock(stranger, alias="Not yours", gateways=[sim.add_gateway(stranger, name="Theirs")])
        self.token = ""

    async def login(self) -> dict[str, Any]:
        answer = await self.grant(username=USERNAME, password=md5(PASSWORD))
        self.token = answer["access_token"]
        return answer

    async def grant(self, **fields: str) -> dict[str, Any]:
        response = await self.http.post(
            "/oauth2/token", data={"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET} | fields
        )
        assert response.status_code == 200
        return dict(response.json())

    def common(self, **override: Any) -> dict[str, Any]:
        return {"clientId": CLIENT_ID, "accessToken": self.token, "date": ms(self.sim.clock())} | override

    async def raw(self, path: str, *, method: str = "POST", **params: Any) -> httpx.Response:
        fields = self.common() | params
        if method == "GET":
            return await self.http.get(path, params=fields)
        return await self.http.post(path, data=fields)

    async def call(self, path: str, *, method: str = "POST", **params: Any) -> dict[str, Any]:
        """A v3 call with the common parameters; TTLock answers everything (errors too) with HTTP 200."""
        response = await self.raw(path, method=method, **params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def add(self, lock_id: int, code: str, **params: Any) -> dict[str, Any]:
        fields = {"lockId": lock_id, "keyboardPwd": code, "keyboardPwdName": f"Guest {code}"} | params
        return await self.call("/v3/keyboardPwd/add", **fields)

    async def codes(self, lock_id: int) -> list[dict[str, Any]]:
        listed = await self.call("/v3/lock/listKeyboardPwd", method="GET", lockId=lock_id, pageSize=200)
        return list(listed["list"])

    async def records(self, lock_id: int, **params: Any) -> list[dict[str, Any]]:
        listed = await self.call("/v3/lockRecord/list", method="GET", lockId=lock_id, pageSize=200, **params)
        return list(listed["list"])


def errcode(answer: dict[str, Any]) -> int:
    """The errcode of an error answer, checking its shape on the way."""
    assert set(answer) == {"errcode", "errmsg", "description"} and answer["errmsg"], answer
    return int(answer["errcode"])


OK = {"errcode": 0, "errmsg": "none error message"}


@pytest.fixture(name="clock")
def clock_fixture() -> Clock:
    return Clock()


@pytest.fixture(name="sim")
async def sim_fixture(clock: Clock) -> AsyncIterator[TTLockSimulator]:
    simulator = TTLockSimulator(clock=clock, gateway_delay=0.01, seed=7)
    yield simulator
    await simulator.aclose()


@pytest.fixture(name="world")
async def world_fixture(sim: TTLockSimulator) -> AsyncIterator[World]:
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE, timeout=2.0) as http:
        world = World(sim, http)
        await world.login()
        yield world
