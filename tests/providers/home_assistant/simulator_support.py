"""What the Home Assistant simulator's tests share: a clock to move, simulators seeded with the demo locks of the
recorded Home Assistant (plus a Matter and a Z-Wave lock), an httpx client on `sim.transport()`, a WebSocket helper,
the recorded capture, and a normalizer that blanks what differs between runs (times, ids).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from httpx_ws import AsyncWebSocketSession, aconnect_ws

from providers.home_assistant.simulator import HomeAssistantSimulator

BASE_URL = "http://homeassistant.local:8123"
WS_URL = f"{BASE_URL}/api/websocket"
START = datetime(2024, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)
DELAY = 0.02
FRONT, KITCHEN, POORLY, OPENABLE = (
    "lock.front_door",
    "lock.kitchen_door",
    "lock.poorly_installed_door",
    "lock.openable_lock",
)
MATTER, ZWAVE = "lock.matter_door", "lock.back_door"
CAPTURE = json.loads((Path(__file__).parent / "fixtures" / "ha_2024_3_3.json").read_text())
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")
ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
HEX = re.compile(r"^[0-9a-f]{32}$")


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def seed_demo(sim: HomeAssistantSimulator) -> None:
    """The four locks of Home Assistant's demo platform, as recorded (no registry entries)."""
    sim.add_lock(FRONT, name="Front Door", state="locked", registry=False)
    sim.add_lock(KITCHEN, name="Kitchen Door", state="unlocked", registry=False)
    sim.add_lock(POORLY, name="Poorly Installed Door", state="unlocked", jams=True, registry=False)
    sim.add_lock(OPENABLE, name="Openable Lock", state="locked", openable=True, registry=False)


def seed(sim: HomeAssistantSimulator) -> str:
    """The demo locks, a Matter lock and a Z-Wave lock; returns the owner's token."""
    seed_demo(sim)
    sim.add_lock(MATTER, name="Matter Door", matter=True, openable=True, manufacturer="Acme", model="Matter Lock")
    sim.add_lock(ZWAVE, name="Back Door", manufacturer="Yale", model="YRD256")
    return sim.add_token()


@pytest.fixture(name="clock")
def clock_fixture() -> Clock:
    return Clock()


@pytest.fixture(name="sim")
def sim_fixture(clock: Clock) -> Iterator[HomeAssistantSimulator]:
    simulator = HomeAssistantSimulator(clock=clock, action_delay=DELAY, seed=7)
    yield simulator
    simulator.close()


@pytest.fixture(name="token")
def token_fixture(sim: HomeAssistantSimulator) -> str:
    return seed(sim)


@pytest.fixture(name="http")
async def http_fixture(sim: HomeAssistantSimulator, token: str) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, headers=headers, timeout=2.0) as client:
        yield client


@asynccontextmanager
async def connected(http: httpx.AsyncClient, token: str) -> AsyncIterator[AsyncWebSocketSession]:
    """An authenticated WebSocket (`auth_required` and `auth_ok` already read)."""
    async with aconnect_ws(WS_URL, http) as ws:
        assert (await ws.receive_json())["type"] == "auth_required"
        await ws.send_json({"type": "auth", "access_token": token})
        assert (await ws.receive_json())["type"] == "auth_ok"
        yield ws


async def until_result(ws: AsyncWebSocketSession, msg_id: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(the frames before it, the `result` frame of command `msg_id`)."""
    before = []
    while (frame := await ws.receive_json(timeout=2)).get("type") != "result" or frame.get("id") != msg_id:
        before.append(frame)
    return before, frame


async def reaches(sim: HomeAssistantSimulator, entity_id: str, state: str) -> None:
    """Wait until the entity's state is `state` (within 2 s)."""
    reached = asyncio.Event()

    def check(_: object = None) -> None:
        if sim.states[entity_id].state == state:
            reached.set()

    stop = sim.listen(check)
    check()
    try:
        async with asyncio.timeout(2):
            await reached.wait()
    finally:
        stop()


def normalized(value: Any) -> Any:
    """`value` with what differs between runs blanked: timestamps, context ids, user ids, `lc` floats."""
    if isinstance(value, dict):
        return {key: ("<ts>" if key in ("lc", "lu") else normalized(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, str):
        for pattern, blank in ((TIME, "<time>"), (ULID, "<ulid>"), (HEX, "<hex>")):
            if pattern.match(value):
                return blank
    return value


def shape(value: Any) -> Any:
    """Keys (in order) and value types only."""
    if isinstance(value, dict):
        return [(key, shape(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [shape(item) for item in value[:1]]
    return "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__
