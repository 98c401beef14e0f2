"""Reconciliation under vendor faults, through the REST API on the sandbox Nuki: 5xx, time-outs, 429 bursts, an
offline lock and an expired token while codes are created, changed and deleted; then every lock converges exactly.
Also: one code for two concurrent creations under one Idempotency-Key, and nothing lost when a run dies midway.
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

from aggregator.reconcile import outcomes, tasks
from aggregator.reconcile.executor import Done
from aggregator.reconcile.model import Create
from aggregator.settings import Settings
from providers.nuki.simulator import NukiSimulator
from providers.nuki.simulator_state import parse_instant
from tests.sandbox import NukiSandbox, lock_id, until

pytestmark = pytest.mark.sandbox
KEYPADS = ("Front door", "Garden gate", "Back door")
NAME_LENGTH = 20
"""Nuki keeps the first 20 characters of a code's name."""
Entry = tuple[str, str, datetime | None, datetime | None]
"""A keypad code as a lock holds it: PIN, name, start, end."""


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def quick_backoff(failures: int, retry_after: float | None = None) -> timedelta:
    """The real backoff's shape (doubling, never before Retry-After) in tenths of a second, without jitter."""
    return timedelta(seconds=max(min(0.05 * 2 ** max(failures - 1, 0), 0.8), retry_after or 0.0))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Vendor pacing out of the way: the faults are what is under test, not Nuki's 5 requests a second."""
    return msgspec.structs.replace(settings, vendor_requests_per_second=1000.0)


@pytest.fixture
async def doors(nuki: NukiSandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """The sandbox account connected by OAuth (so that its token can expire); retries a few tenths apart."""
    monkeypatch.setattr(tasks, "backoff", quick_backoff)
    nuki.sim.random.seed(20260)
    nuki.sim.hang_seconds = 0.2  # a request that hangs answers 504 soon (the in-process transport has no time-out)
    await nuki.connect()
    return await nuki.devices()


@dataclass
class Wanted:
    device_id: str
    lock: int
    name: str
    pin: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    deleted: bool = False

    def on_lock(self, at: datetime) -> bool:
        return not self.deleted and (self.ends_at is None or self.ends_at > at)

    def state(self, at: datetime) -> tuple[str, bool]:
        """Status and `is_scheduled_on_device`: set; or unset, held by the lock for a later start; or unset, ended."""
        if not self.on_lock(at):
            return "unset", False
        early = self.starts_at is not None and self.starts_at > at
        return ("unset", True) if early else ("set", False)

    def entry(self) -> Entry:
        return self.pin, self.name[:NAME_LENGTH], self.starts_at, self.ends_at


@dataclass
class Book:
    """What the test asked the gateway for, by code id, and the API calls to ask for it."""

    client: httpx.AsyncClient
    headers: dict[str, str]
    sim: NukiSimulator
    codes: dict[str, Wanted] = field(default_factory=dict)
    pins: random.Random = field(default_factory=lambda: random.Random(7))

    def pin(self) -> str:
        """A fresh PIN Nuki takes: 6 digits, no 0, not starting with 12."""
        taken = {wanted.pin for wanted in self.codes.values()}
        while True:
            pin = "".join(self.pins.choice("123456789") for _ in range(6))
            if not pin.startswith("12") and pin not in taken:
                return pin

    async def create(self, door: dict[str, Any], name: str, **window: datetime) -> str:
        wanted = Wanted(door["id"], lock_id(self.sim, door["name"]), name, self.pin(), **window)
        body = {"device_id": door["id"], "name": name, "code": wanted.pin}
        body |= {key: value.isoformat() for key, value in window.items()}
        answer = await self.client.post("/v1/access_codes", json=body, headers=self.headers)
        assert answer.status_code == 201, answer.text
        self.codes[answer.json()["id"]] = wanted
        return str(answer.json()["id"])

    async def change(self, code_id: str, **fields: Any) -> None:
        body = {key: value.isoformat() if isinstance(value, datetime) else value for key, value in fields.items()}
        answer = await self.client.patch(f"/v1/access_codes/{code_id}", json=body, headers=self.headers)
        assert answer.status_code == 200, answer.text
        if fields.get("type") == "ongoing":
            fields = {"starts_at": None, "ends_at": None}
        self.codes[code_id] = replace(
            self.codes[code_id], **{"pin" if k == "code" else k: v for k, v in fields.items()}
        )

    async def delete(self, code_id: str) -> None:
        answer = await self.client.delete(f"/v1/access_codes/{code_id}", headers=self.headers)
        assert answer.status_code == 202, answer.text
        self.codes[code_id].deleted = True

    def wanted_on(self, lock: int, at: datetime) -> list[Entry]:
        return sorted(w.entry() for w in self.codes.values() if w.lock == lock and w.on_lock(at))


def held_by(sim: NukiSimulator, lock: int) -> list[Entry]:
    """The lock's keypad codes as the simulated Nuki holds them (a window is whole days, every weekday)."""
    found = []
    for auth in sim.auths.values():
        if auth.smartlock_id != lock:
            continue
        dates = [auth.window.get(name) for name in ("allowedFromDate", "allowedUntilDate")]
        start, end = (parse_instant(text, name) if text else None for text, name in zip(dates, "ab", strict=True))
        found.append((str(auth.code), auth.name, start, end))
    return sorted(found)


async def problems(book: Book) -> list[str]:
    """Every way the gateway and the locks differ from what the test asked for (empty: converged)."""
    found, at = [], now()
    for lock in {wanted.lock for wanted in book.codes.values()}:
        if (held := held_by(book.sim, lock)) != (wanted := book.wanted_on(lock, at)):
            found.append(f"lock {lock} holds {held}, wants {wanted}")
        pins = [str(auth.code) for auth in book.sim.auths.values() if auth.smartlock_id == lock]
        if len(pins) != len(set(pins)):
            found.append(f"lock {lock} holds a PIN twice: {pins}")
        if any(auth.operation_id for auth in book.sim.auths.values() if auth.smartlock_id == lock):
            found.append(f"lock {lock} has not synced every code yet")
    for code_id, wanted in book.codes.items():
        answer = await book.client.get(f"/v1/access_codes/{code_id}", headers=book.headers)
        expected = 404 if wanted.deleted else 200
        if answer.status_code != expected:
            found.append(f"code {wanted.name!r} answers {answer.status_code}, not {expected}")
        elif not wanted.deleted and (state := _state(answer.json())) != wanted.state(at):
            found.append(f"code {wanted.name!r} is {state}, not {wanted.state(at)}: {answer.json()['errors']}")
    drift = (await book.client.get("/v1/drift", headers=book.headers)).json()["data"]
    found += [f"drift on {item['device_name']}: {item['items']}" for item in drift]
    return found


def _state(code: dict[str, Any]) -> tuple[str, bool]:
    return code["status"], code["is_scheduled_on_device"]


async def converge(book: Book, within: float) -> None:
    try:
        await until(lambda: _none(problems(book)), within=within)
    except TimeoutError:
        pytest.fail("no convergence:\n" + "\n".join(await problems(book)))


async def _none(found: Any) -> bool:
    return not await found


async def reconcile_every_lock(book: Book, doors: dict[str, dict[str, Any]]) -> None:
    for door in doors.values():
        answer = await book.client.post(f"/v1/devices/{door['id']}/reconcile", headers=book.headers)
        assert answer.status_code == 202, answer.text


async def make_changes_under_faults(book: Book, doors: dict[str, dict[str, Any]]) -> list[str]:
    """Codes created, changed and deleted while Nuki fails, hangs, rate-limits, forgets the token and loses a lock."""
    sim, start = book.sim, now()
    sim.failure_rate = 0.2
    ids = [await book.create(doors[name], f"Guest {name} {n} with a long name") for name in KEYPADS for n in (1, 2)]
    sim.time_out_next(count=2)
    ids.append(await book.create(doors["Front door"], "Short stay", ends_at=start + timedelta(seconds=4)))
    ids.append(
        await book.create(
            doors["Back door"], "Window", starts_at=start - timedelta(hours=1), ends_at=start + timedelta(days=2)
        )
    )
    ids.append(
        await book.create(
            doors["Garden gate"], "Later", starts_at=start + timedelta(hours=3), ends_at=start + timedelta(days=1)
        )
    )
    await asyncio.sleep(0.3)
    sim.rate_limit(retry_after=1, count=3)
    await book.change(ids[0], name="Renamed front guest")
    await book.change(ids[2], code=book.pin())
    await book.change(ids[7], type="ongoing")
    await asyncio.sleep(0.3)
    sim.expire_tokens()
    sim.set_online(lock_id(sim, "Front door"), False)
    await book.delete(ids[1])
    await book.change(ids[4], name="Back door regular", ends_at=start + timedelta(days=5))
    ids.append(await book.create(doors["Front door"], "Made while offline"))
    await asyncio.sleep(0.4)
    sim.set_online(lock_id(sim, "Garden gate"), True)
    sim.time_out_next(count=1)
    await book.delete(ids[3])
    await book.change(ids[5], code=book.pin(), name="Back door second")
    ids.append(await book.create(doors["Garden gate"], "Deleted at once"))
    await book.delete(ids[-1])
    await asyncio.sleep(0.4)
    sim.set_online(lock_id(sim, "Front door"), True)
    return ids


def stop_faults(sim: NukiSimulator) -> None:
    sim.failure_rate = 0.0
    sim.faults.clear()
    for lock in sim.locks:
        sim.set_online(lock, True)


async def test_every_lock_converges_exactly_after_vendor_faults(
    client: httpx.AsyncClient, nuki: NukiSandbox, doors: dict[str, dict[str, Any]]
):
    book = Book(client, nuki.headers, nuki.sim)
    ids = await make_changes_under_faults(book, doors)
    stop_faults(nuki.sim)
    ended = book.codes[ids[6]].ends_at
    assert ended is not None
    await asyncio.sleep(max((ended - datetime.now(UTC)).total_seconds() + 0.2, 0))
    await reconcile_every_lock(book, doors)
    await converge(book, within=12)


async def test_two_concurrent_creations_under_one_idempotency_key_make_one_code(
    client: httpx.AsyncClient, nuki: NukiSandbox, doors: dict[str, dict[str, Any]]
):
    body = {"device_id": doors["Front door"]["id"], "name": "Weekend guest", "code": "345678"}
    headers = nuki.headers | {"Idempotency-Key": "booking-4711"}
    answers = await asyncio.gather(*(client.post("/v1/access_codes", json=body, headers=headers) for _ in range(2)))

    assert [answer.status_code for answer in answers] == [201, 201], [answer.text for answer in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    listed = await client.get("/v1/access_codes", params={"device_id": body["device_id"]}, headers=nuki.headers)
    assert [code["name"] for code in listed.json()["data"]] == ["Weekend guest"]
    lock = lock_id(nuki.sim, "Front door")
    await until(lambda: any(auth.smartlock_id == lock and auth.code == 345678 for auth in nuki.sim.auths.values()))
    assert [auth.code for auth in nuki.sim.auths.values() if auth.smartlock_id == lock].count(345678) == 1


class WorkerKilled(Exception):
    """The process running a reconcile dies: nothing after the vendor call is recorded, its lease is not given back."""


async def test_a_run_killed_after_the_vendor_call_loses_nothing_and_duplicates_nothing(
    client: httpx.AsyncClient, nuki: NukiSandbox, doors: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
):
    real_report, killed = outcomes.report, asyncio.Event()

    async def die_after_creating(journal: Any, codes: Any, done: Done) -> None:
        if isinstance(done.operation, Create) and not killed.is_set():
            killed.set()
            raise WorkerKilled
        await real_report(journal, codes, done)

    async def keep_lease(*args: Any) -> None:
        """A killed process gives nothing back: its lease lapses."""

    monkeypatch.setattr(tasks, "LEASE", timedelta(seconds=1))
    monkeypatch.setattr(outcomes, "report", die_after_creating)
    monkeypatch.setattr(tasks.reconciles, "drop_lease", keep_lease)
    book = Book(client, nuki.headers, nuki.sim)
    await book.create(doors["Front door"], "Guest at dawn")
    await asyncio.wait_for(killed.wait(), 5)
    assert held_by(nuki.sim, book.codes[next(iter(book.codes))].lock)  # on the lock, though nobody wrote it down

    await asyncio.sleep(1.1)  # the dead run's lease lapses; the sweep (here: a person) comes next
    await reconcile_every_lock(book, {"Front door": doors["Front door"]})
    await converge(book, within=5)


async def test_a_code_whose_creation_was_never_recorded_leaves_the_lock_after_a_rename_and_a_delete(
    client: httpx.AsyncClient, nuki: NukiSandbox, doors: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
):
    """The run dies right after Nuki took the code; before any run recovers, the code is renamed and deleted. The
    lock holds the old name, yet the recovering run knows it for the gateway's (it wrote the spec down before the
    call) and takes it off, instead of leaving it there as somebody else's code.
    """
    real_report, killed = outcomes.report, asyncio.Event()

    async def die_after_creating(journal: Any, codes: Any, done: Done) -> None:
        if isinstance(done.operation, Create) and not killed.is_set():
            killed.set()
            raise WorkerKilled
        await real_report(journal, codes, done)

    async def keep_lease(*args: Any) -> None:
        """A killed process gives nothing back: its lease lapses."""

    monkeypatch.setattr(tasks, "LEASE", timedelta(seconds=1))
    monkeypatch.setattr(outcomes, "report", die_after_creating)
    monkeypatch.setattr(tasks.reconciles, "drop_lease", keep_lease)
    book = Book(client, nuki.headers, nuki.sim)
    code_id = await book.create(doors["Front door"], "Guest at dawn")
    await asyncio.wait_for(killed.wait(), 5)
    await book.change(code_id, name="Guest at dusk")
    await book.delete(code_id)

    await asyncio.sleep(1.1)
    await reconcile_every_lock(book, {"Front door": doors["Front door"]})
    await converge(book, within=5)
    unmanaged = await client.get(
        f"/v1/devices/{doors['Front door']['id']}/unmanaged_access_codes", headers=nuki.headers
    )
    assert [code["name"] for code in unmanaged.json()["data"]] == []
