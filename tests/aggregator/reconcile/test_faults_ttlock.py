"""Reconciliation under TTLock's faults, through the REST API on the sandbox TTLock cloud: errcodes for failures
(20 % of calls), hangs, "API call limit" bursts (30006, no Retry-After), a gateway going down, an expired token;
then every lock converges exactly: the codes asked for, each once, nothing left after its revocation or its end.
The provider contract carries this; nothing here is TTLock code in the gateway.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar

from aggregator.reconcile import tasks
from aggregator.settings import Settings
from providers.ttlock import mapping
from providers.ttlock.simulator import TTLockSimulator
from tests.aggregator.reconcile.test_faults import quick_backoff
from tests.aggregator.sandbox.ttlock_world import FAST_GATEWAY, TTLockWorld, ttlock_simulator
from tests.factories import Tenant
from tests.sandbox import until

pytestmark = [
    pytest.mark.sandbox,
    # the provider through the gateway: the database engine is not what is under test (tests/aggregator runs both)
    pytest.mark.parametrize("database_target", ["sqlite"], indirect=True),
]
KEYPADS = ("Apartment door", "Side door", "Garden shed")
MINUTE = timedelta(minutes=1)
Entry = tuple[str, str, datetime | None, datetime | None]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, vendor_requests_per_second=1000.0)


@pytest.fixture
async def world(
    app: Litestar, client: httpx.AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> TTLockWorld:
    monkeypatch.setattr(tasks, "backoff", quick_backoff)
    sim = ttlock_simulator(app)
    sim.gateway_delay, sim.hang_seconds = FAST_GATEWAY, 0.2
    sim.random.seed(20261)
    world = TTLockWorld(client, tenant.headers, sim)
    assert (await world.connect()).status_code == 201
    return world


def minute(**delta: float) -> datetime:
    return (datetime.now(UTC) + timedelta(**delta)).replace(second=0, microsecond=0)


@dataclass
class Wanted:
    lock: int
    name: str
    pin: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    deleted: bool = False

    def on_lock(self, at: datetime) -> bool:
        return not self.deleted and (self.ends_at is None or self.ends_at > at)

    def entry(self) -> Entry:
        """As the lock holds it: TTLock keeps whole minutes, and the gateway narrows a window to them."""
        start = self.starts_at
        if start is not None and start.second + start.microsecond:
            start = start.replace(second=0, microsecond=0) + MINUTE
        end = self.ends_at.replace(second=0, microsecond=0) if self.ends_at is not None else None
        return self.pin, self.name, start, end


@dataclass
class Book:
    world: TTLockWorld
    doors: dict[str, dict[str, Any]]
    codes: dict[str, Wanted] = field(default_factory=dict)
    pins: random.Random = field(default_factory=lambda: random.Random(11))

    def pin(self) -> str:
        taken = {wanted.pin for wanted in self.codes.values()}
        while True:
            pin = "".join(self.pins.choice("0123456789") for _ in range(5))
            if pin not in taken and len(set(pin)) > 2:
                return pin

    async def create(self, door: str, name: str, **window: datetime) -> str:
        wanted = Wanted(int(self.doors[door]["provider_device_id"]), name, self.pin(), **window)
        answer = await self.world.code(device_id=self.doors[door]["id"], name=name, code=wanted.pin, **window)
        assert answer.status_code == 201, answer.text
        self.codes[answer.json()["id"]] = wanted
        return str(answer.json()["id"])

    async def change(self, code_id: str, **fields: Any) -> None:
        body = {key: value.isoformat() if isinstance(value, datetime) else value for key, value in fields.items()}
        answer = await self.world.client.patch(f"/v1/access_codes/{code_id}", json=body, headers=self.world.headers)
        assert answer.status_code == 200, answer.text
        if fields.get("type") == "ongoing":
            fields = {"starts_at": None, "ends_at": None}
        renamed = {"pin" if key == "code" else key: value for key, value in fields.items()}
        self.codes[code_id] = replace(self.codes[code_id], **renamed)

    async def delete(self, code_id: str) -> None:
        answer = await self.world.client.delete(f"/v1/access_codes/{code_id}", headers=self.world.headers)
        assert answer.status_code == 202, answer.text
        self.codes[code_id].deleted = True


def held_by(sim: TTLockSimulator, lock_id: int) -> list[Entry]:
    """The codes the simulated lock itself holds, with their windows as instants (open edges as open)."""
    lock, found = sim.locks[lock_id], []
    for held in lock.codes.values():
        start, end = (_instant(local, lock.timezone_offset_ms) for local in (held.local_start, held.local_end))
        start = None if start is None or start <= mapping.OPEN_START else start
        end = None if end is None or end >= mapping.OPEN_END else end
        found.append((held.code, held.name, start, end))
    return sorted(found, key=str)


def _instant(local_ms: int | None, offset_ms: int) -> datetime | None:
    return None if local_ms is None else datetime.fromtimestamp((local_ms - offset_ms) / 1000, UTC)


async def problems(book: Book) -> list[str]:
    found, at, sim = [], datetime.now(UTC), book.world.sim
    for lock in {wanted.lock for wanted in book.codes.values()}:
        wanted = sorted((w.entry() for w in book.codes.values() if w.lock == lock and w.on_lock(at)), key=str)
        if (held := held_by(sim, lock)) != wanted:
            found.append(f"lock {lock} holds {held}, wants {wanted}")
        cloud = [passcode.code for passcode in sim.lock_passcodes(lock)]
        if len(cloud) != len(set(cloud)):
            found.append(f"lock {lock} lists a PIN twice: {cloud}")
    for code_id, wanted in book.codes.items():
        answer = await book.world.client.get(f"/v1/access_codes/{code_id}", headers=book.world.headers)
        expected = 404 if wanted.deleted else 200
        if answer.status_code != expected:
            found.append(f"code {wanted.name!r} answers {answer.status_code}, not {expected}")
        elif not wanted.deleted and answer.json()["status"] != ("set" if wanted.on_lock(at) else "unset"):
            found.append(f"code {wanted.name!r} is {answer.json()['status']}: {answer.json()['errors']}")
    drift = (await book.world.client.get("/v1/drift", headers=book.world.headers)).json()["data"]
    return found + [f"drift on {item['device_name']}: {item['items']}" for item in drift]


async def make_changes_under_faults(book: Book) -> list[str]:
    sim, gateways = book.world.sim, book.world.sim.gateways
    hallway = next(gateway_id for gateway_id, gateway in gateways.items() if gateway.name == "Hallway gateway")
    sim.failure_rate = 0.2
    ids = [await book.create(door, f"Guest {door} {n}") for door in KEYPADS[:2] for n in (1, 2)]
    sim.time_out_next(count=2)
    ends_soon = datetime.now(UTC) + timedelta(seconds=4)
    ids.append(await book.create("Apartment door", "Short stay", starts_at=minute(minutes=-5), ends_at=ends_soon))
    ids.append(await book.create("Side door", "Window", starts_at=minute(hours=-1), ends_at=minute(days=2)))
    await asyncio.sleep(0.3)
    sim.rate_limit(retry_after=1, count=3)
    await book.change(ids[0], name="Renamed front guest")
    await book.change(ids[2], code=book.pin())
    await book.change(ids[5], type="ongoing")
    await asyncio.sleep(0.3)
    sim.expire_tokens()
    sim.set_gateway_online(hallway, False)
    await book.delete(ids[1])
    await book.change(ids[3], name="Side door regular", ends_at=minute(days=5))
    ids.append(await book.create("Apartment door", "Made while the gateway is down"))
    await asyncio.sleep(0.4)
    sim.time_out_next(count=1)
    ids.append(await book.create("Side door", "Deleted at once"))
    await book.delete(ids[-1])
    sim.set_gateway_online(hallway, True)
    return ids


async def test_every_ttlock_lock_converges_exactly_after_vendor_faults(world: TTLockWorld) -> None:
    book = Book(world, await world.doors())
    await make_changes_under_faults(book)
    world.sim.failure_rate = 0.0
    world.sim.faults.clear()
    [short_stay_ends] = [wanted.ends_at for wanted in book.codes.values() if wanted.name == "Short stay"]
    assert short_stay_ends and short_stay_ends - datetime.now(UTC) < timedelta(seconds=5), "the stay is still short"
    await asyncio.sleep(max((short_stay_ends - datetime.now(UTC)).total_seconds() + 0.2, 0))
    for door in book.doors.values():  # a person asks (the sweep would, within 5 minutes)
        await world.client.post(f"/v1/devices/{door['id']}/reconcile", headers=world.headers)
    try:
        await until(lambda: _none(problems(book)), within=20)
    except TimeoutError:
        pytest.fail("no convergence:\n" + "\n".join(await problems(book)))


async def _none(found: Any) -> bool:
    return not await found
