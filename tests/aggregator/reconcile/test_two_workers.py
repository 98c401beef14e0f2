"""Two `aggregator worker` processes on real Redis and PostgreSQL reconcile the same locks: codes are created,
changed and deleted through the REST API of the gateway (arq backend) while both workers run, against a simulated
Nuki Web served over HTTP with some latency. Every lock ends up holding exactly the wanted codes (no code twice,
no change missed), and both workers did part of the work, at the same time. A worker killed in the middle of its
runs loses nothing: the other one takes its locks over once their leases lapse.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import msgspec
import pytest
from redis.asyncio import Redis

from aggregator.settings import Settings
from providers.nuki.simulator import NukiSimulator
from tests.aggregator.jobs.test_worker_command import ROOT, start_worker
from tests.aggregator.reconcile.nuki_server import ServedNuki, serve_nuki
from tests.aggregator.reconcile.test_faults import Book, now, problems
from tests.conftest import POSTGRES_URL, REDIS_URL, TEST_SECRET_KEY
from tests.factories import Tenant

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (POSTGRES_URL and REDIS_URL),
        reason="two workers need both AGGREGATOR_TEST_DATABASE_URL and AGGREGATOR_TEST_REDIS_URL",
    ),
]
LOCKS = ("Front door", "Back door", "Garden gate", "Garage")
CODES_PER_LOCK = 5
LATENCY = 0.05
"""Seconds Nuki takes to answer: long enough for runs of the two workers to overlap."""
POLL_OFFSET = 0.25
"""Seconds between the workers' starts: half of arq's poll delay (0.5 s). Started together, they would ask Redis
for jobs at nearly the same moments, and the one a few milliseconds ahead would take almost every job."""
PAUSE = 1.0
"""Seconds between rounds of changes on a lock: about one run (a few Nuki calls of `LATENCY` per code)."""
CLAIM = "aggregator-test:claimed-by"
WRITE = re.compile(r"^(\S+ \S+) INFO httpx: HTTP Request: (?:PUT|POST|DELETE) \S+/smartlock/(\d+)/auth\b", re.M)
"""A keypad-code write to Nuki, as a worker logs it: `2026-01-02 03:04:05,678 INFO httpx: HTTP Request: PUT ...`."""


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """A Redis database of the test's own (the worker command always uses the default queue): an empty one is
    claimed, and emptied again at the end.
    """
    assert REDIS_URL
    token = secrets.token_hex(8)
    for number in range(15, 0, -1):
        url = urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{number}"))
        redis = Redis.from_url(url)
        try:
            if await redis.set(CLAIM, token, nx=True, ex=3600) and await redis.dbsize() == 1:
                yield url
                await redis.flushdb()
                return
            if await redis.get(CLAIM) == token.encode():
                await redis.delete(CLAIM)
        finally:
            await redis.aclose()
    pytest.skip("no empty Redis database (1-15) to run the workers in")


@pytest.fixture
def nuki() -> Iterator[ServedNuki]:
    """A Nuki Web account with keypad locks, served over HTTP, answering after `LATENCY`."""
    sim = NukiSimulator(action_delay=0.02, seed=4)
    account = sim.add_account("host@example.com", "secret")
    for name in LOCKS:
        sim.add_smartlock(account, name=name)
    sim.latency = LATENCY
    with serve_nuki(sim) as served:
        yield served


@pytest.fixture
def settings(settings: Settings, redis_url: str, nuki: ServedNuki) -> Settings:
    """The gateway enqueues to Redis (arq) and reaches Nuki over HTTP, unpaced (pacing is not under test)."""
    return msgspec.structs.replace(
        settings, redis_url=redis_url, nuki_api_url=nuki.url, vendor_requests_per_second=1000.0
    )


@pytest.fixture
def workers(settings: Settings, tmp_path: Path) -> Iterator[list[tuple[subprocess.Popen[str], Path]]]:
    """Two `aggregator worker` processes with the gateway's settings; stopped (killed if need be) at the end."""
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "AGGREGATOR_DATABASE_URL": settings.database_url,
        "AGGREGATOR_DATABASE_POOL_SIZE": "4",
        "AGGREGATOR_REDIS_URL": settings.redis_url or "",
        "AGGREGATOR_SECRET_KEY": TEST_SECRET_KEY,
        "AGGREGATOR_NUKI_API_URL": settings.nuki_api_url,
        "AGGREGATOR_VENDOR_REQUESTS_PER_SECOND": "1000",
        "AGGREGATOR_VAR_DIR": str(tmp_path / "var"),
        "AGGREGATOR_LOG_LEVEL": "info",
    }
    started: list[tuple[subprocess.Popen[str], Path]] = []
    try:
        for number in (1, 2):
            if started:
                time.sleep(POLL_OFFSET)
            log = tmp_path / f"worker-{number}.log"
            started.append((start_worker(env, log), log))
        yield started
    finally:
        for process, _ in started:
            _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


async def connect(client: httpx.AsyncClient, tenant: Tenant, nuki: ServedNuki) -> dict[str, dict[str, Any]]:
    """The Nuki account connected with an API token; its locks by name."""
    token = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_issue_token(nuki.sim), nuki.loop))
    body = {"provider": "nuki", "credentials": {"api_token": token}}
    answer = await client.post("/v1/connected_accounts", json=body, headers=tenant.headers)
    assert answer.status_code == 201, answer.text
    devices = await client.get("/v1/devices", headers=tenant.headers)
    return {device["name"]: device for device in devices.json()["data"]}


async def _issue_token(sim: NukiSimulator) -> str:
    return sim.issue_api_token(next(iter(sim.accounts)))


async def work_on(book: Book, door: dict[str, Any], offset: float) -> None:
    """Codes made on one lock, then changed in rounds a run apart, so that each round is likely a new job (and goes
    to whichever worker asks Redis first); the locks start at different moments.
    """
    await asyncio.sleep(offset)
    start = now()
    ids = [await book.create(door, f"{door['name']} guest {n}") for n in range(CODES_PER_LOCK)]
    for change in (first_changes, second_changes, third_changes):
        await asyncio.sleep(PAUSE)
        await change(book, door, ids, start)


async def first_changes(book: Book, door: dict[str, Any], ids: list[str], start: datetime) -> None:
    await book.change(ids[0], name=f"{door['name']} renamed")
    await book.change(ids[1], code=book.pin())
    await book.change(ids[2], starts_at=start - timedelta(hours=1), ends_at=start + timedelta(days=2))
    await book.delete(ids[3])


async def second_changes(book: Book, door: dict[str, Any], ids: list[str], start: datetime) -> None:
    await book.change(ids[4], code=book.pin(), name=f"{door['name']} regular")
    await book.change(ids[2], type="ongoing")
    await book.delete(ids[0])
    await book.delete(await book.create(door, f"{door['name']} gone"))
    ids.append(await book.create(door, f"{door['name']} late", ends_at=start + timedelta(days=1)))


async def third_changes(book: Book, door: dict[str, Any], ids: list[str], start: datetime) -> None:
    await book.change(ids[-1], name=f"{door['name']} later", ends_at=start + timedelta(days=3))
    await book.change(ids[1], code=book.pin())
    await book.delete(ids[4])
    await book.create(door, f"{door['name']} last")


async def ready(workers: list[tuple[subprocess.Popen[str], Path]]) -> None:
    """Both workers connected to Redis (before this, the first one up would take every job)."""
    deadline = time.monotonic() + 20
    for process, log in workers:
        while "redis_version=" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            await asyncio.sleep(0.05)


async def converge(
    book: Book, nuki: ServedNuki, workers: list[tuple[subprocess.Popen[str], Path]], within: float = 40
) -> None:
    """Wait until the locks and the API show exactly what the test asked for (`problems`), the workers alive."""
    deadline = time.monotonic() + within
    while True:
        await nuki.refresh()
        found = await problems(book)
        if not found:
            return
        for process, log in workers:
            assert process.poll() is None, log.read_text()
        if time.monotonic() > deadline:
            pytest.fail("no convergence:\n" + "\n".join(found))
        await asyncio.sleep(0.2)


def writes(log: Path) -> list[tuple[datetime, int]]:
    """When the worker wrote keypad codes to Nuki, and to which lock."""
    return [(datetime.strptime(at, "%Y-%m-%d %H:%M:%S,%f"), int(lock)) for at, lock in WRITE.findall(log.read_text())]


@pytest.mark.parametrize("database_target", ["postgres"], indirect=True)
async def test_two_workers_reconcile_the_same_locks_exactly(
    client: httpx.AsyncClient,
    tenant: Tenant,
    nuki: ServedNuki,
    workers: list[tuple[subprocess.Popen[str], Path]],
) -> None:
    await ready(workers)
    doors = await connect(client, tenant, nuki)
    book = Book(client, tenant.headers, nuki.view)
    await nuki.refresh()  # the view knows the locks, for `Book`
    await asyncio.gather(*(work_on(book, doors[name], 0.3 * n) for n, name in enumerate(LOCKS)))
    await converge(book, nuki, workers)

    first, second = (writes(log) for _, log in workers)
    assert first and second, f"one worker did every write: {len(first)} and {len(second)}"
    assert max(first[0][0], second[0][0]) < min(first[-1][0], second[-1][0]), "the workers never wrote at once"
    shared = {lock for _, lock in first} & {lock for _, lock in second}
    assert shared, "no lock was written to by both workers"


@pytest.mark.parametrize("database_target", ["postgres"], indirect=True)
async def test_a_worker_killed_in_the_middle_of_reconciles_loses_nothing(
    client: httpx.AsyncClient,
    tenant: Tenant,
    nuki: ServedNuki,
    workers: list[tuple[subprocess.Popen[str], Path]],
) -> None:
    await ready(workers)
    doors = await connect(client, tenant, nuki)
    book = Book(client, tenant.headers, nuki.view)
    await nuki.refresh()
    changes = asyncio.gather(*(work_on(book, doors[name], 0.3 * n) for n, name in enumerate(LOCKS)))
    writing: list[tuple[subprocess.Popen[str], Path]] = []
    while not writing:  # the first worker to write to Nuki is in the middle of a reconcile: it is the victim
        writing = [(process, log) for process, log in workers if writes(log)]
        assert not changes.done(), "the changes ended before either worker wrote"
        await asyncio.sleep(0.01)
    (victim, victim_log), survivor = writing[0], next(worker for worker in workers if worker != writing[0])
    assert victim.poll() is None, victim_log.read_text()
    victim.kill()
    await changes

    # Its leases lapse (30 s at most); what it held is then taken up by the survivor, duplicating nothing, and a
    # code it sent without recording the outcome is known for the gateway's even after it was renamed or deleted.
    await converge(book, nuki, [survivor], within=60)
    assert victim.wait(5) == -signal.SIGKILL
