"""What the simulator tests share: a simulated igloohome with a controllable clock, one API client, a lock on an
online bridge, a lock without a bridge, and an HTTP client on the simulator that has fetched a token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from providers.igloohome.simulator import IgloohomeSimulator

START = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
BASE = "https://igloohome.simulated"
CLIENT_ID, CLIENT_SECRET = "sim-client", "sim-secret"


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Cloud:
    sim: IgloohomeSimulator
    clock: Clock
    http: httpx.AsyncClient
    lock: str
    bridge: str
    lonely: str
    token: str = ""

    async def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return await self.http.request(method, path, headers=headers, **kwargs)

    async def fresh_token(self, **form: str) -> httpx.Response:
        answer = await self.http.post(
            "/oauth2/token", data={"grant_type": "client_credentials", **form}, auth=(CLIENT_ID, CLIENT_SECRET)
        )
        if answer.status_code == 200:
            self.token = answer.json()["access_token"]
        return answer


@pytest.fixture(name="cloud")
async def cloud_fixture() -> AsyncIterator[Cloud]:
    clock = Clock()
    sim = IgloohomeSimulator(clock=clock, seed=7, sandbox=True)
    sim.add_client(CLIENT_ID, CLIENT_SECRET)
    lock = sim.add_lock("Front door")
    bridge = sim.add_bridge("Home Bridge", [lock])
    lonely = sim.add_lock("Cellar")
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE, timeout=2.0) as http:
        cloud = Cloud(sim, clock, http, lock, bridge, lonely)
        await cloud.fresh_token()
        yield cloud
    sim.close()


def hour(day: int, hour: int, offset: str = "+00:00") -> str:
    return f"2025-03-{day:02d}T{hour:02d}:00:00{offset}"
