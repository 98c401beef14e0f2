"""Reconcile benchmark: vendor calls and time to carry code changes to many locks, against the minimum and the bound.

Runs the gateway in-process in sandbox mode (SQLite in a temp dir, in-process jobs, periodic tasks off) with the
simulated Nuki cloud answering after `--latency-ms`, and the gateway pacing each account at `--rate` vendor calls
per second (`AGGREGATOR_VENDOR_REQUESTS_PER_SECOND`). Seeds `--locks` keypad locks over `--accounts` accounts
(connected through `POST /v1/connected_accounts` with API tokens), asks for `--changes` new codes per lock through
`POST /v1/access_codes`, and waits until every code is `set`. Then a sweep with no drift (`reconcile.sweep`).

Minimum vendor calls per lock: 1 read + per code 1 PUT and the 1 re-list Nuki forces (PUT answers without an id)
+ 1 read to see the lock synced (when `--sync-ms` > 0 the codes are listed as busy until then). Convergence bound:
the busiest account's minimum calls / `--rate` (accounts run in parallel). A no-drift sweep: 1 read per lock.
Counts are taken at the HTTP client (OAuth calls apart); the sweep's time runs until its last vendor answer. Exits 1
only if the codes are not all set (or the sweep not done) within `--timeout`: a missed goal is reported in the
table, not in the exit status.

The defaults keep the run rate-bound: 10 accounts (no more than the in-process backend's 10 job slots, so every
account can be served at once) at 20 calls/s each is 200 calls/s, which one process on 2 cores keeps up with at
1,000 and at 10,000 locks.

    python bench/reconcile.py [--locks 1000] [--accounts 10] [--latency-ms 20] [--rate 20] [--changes 3]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reconcile_report import QUIET_LIMIT_SECONDS, print_report  # noqa: E402
from bench.reconcile_world import (  # noqa: E402
    ORIGIN,
    JobStats,
    Lock,
    World,
    build,
    connect_accounts,
    locks_of,
    populate,
    prepare_database,
    serving,
)

CONFIRM_POLL_SECONDS = 0.2


class NotConverged(RuntimeError):
    """The codes were not all set, or the sweep not done, in time (the one failure that sets the exit status)."""


@dataclass
class Phase:
    seconds: float
    calls: Counter[str]
    reads: Counter[int]
    runs: int
    delays: list[float]
    checks: int


@dataclass
class Mark:
    """Where the counters stood when a phase began."""

    at: float
    calls: Counter[str]
    reads: Counter[int]
    runs: int
    delays: int
    checks: int

    @classmethod
    def now(cls, world: World) -> Mark:
        calls, reads = world.counter.snapshot()
        stats = world.stats
        return cls(time.monotonic(), calls, reads, stats.runs, len(stats.delays), stats.checks)

    def phase(self, world: World, seconds: float | None = None) -> Phase:
        """What was counted since the mark (`seconds`: the phase's duration if not until now)."""
        calls, reads = world.counter.snapshot()
        elapsed = time.monotonic() - self.at if seconds is None else seconds
        stats = world.stats
        runs, delays, checks = stats.runs - self.runs, stats.delays[self.delays :], stats.checks - self.checks
        return Phase(elapsed, calls - self.calls, reads - self.reads, runs, delays, checks)


@dataclass
class Measured:
    submit_seconds: float
    tail_seconds: float | None
    converge: Phase
    sweep: Phase
    locks: list[Lock]
    peak_rss_mib: float
    start_rss_mib: float
    failed: Counter[int]


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def submit(client: httpx.AsyncClient, world: World, locks: list[Lock], changes: int, clients: int) -> None:
    """`changes` new codes per lock, a lock's codes one after another, `clients` locks at a time; any non-2xx aborts."""
    queue: asyncio.Queue[Lock] = asyncio.Queue()
    for lock in locks:
        queue.put_nowait(lock)

    async def worker() -> None:
        while not queue.empty():
            lock = queue.get_nowait()
            for index in range(changes):
                body = {"device_id": str(lock.device_id), "name": f"Guest {index + 1}"}
                answer = await client.post("/v1/access_codes", json=body, headers=world.headers)
                if answer.status_code != 201:
                    raise RuntimeError(f"creating a code failed: {answer.status_code} {answer.text[:300]}")

    await asyncio.gather(*(worker() for _ in range(clients)))


async def until_set(world: World, expected: int, within: float) -> bool:
    """Poll the database (one COUNT) until `expected` managed codes are `set`; False after `within` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        row = await world.runtime.db.fetch_one(
            "SELECT COUNT(*) FROM access_codes WHERE is_managed = ? AND status = ?", True, "set"
        )
        if row is not None and int(row[0]) >= expected:
            return True
        await asyncio.sleep(CONFIRM_POLL_SECONDS)
    return False


async def quiet(world: World, limit: float = QUIET_LIMIT_SECONDS) -> float | None:
    """Wait until no job is running, queued or deferred; the seconds that took, None if not within `limit`."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        health = await world.runtime.jobs.health()
        if health.queued_jobs == 0 and health.running_jobs == 0:
            return time.monotonic() - started
        await asyncio.sleep(CONFIRM_POLL_SECONDS)
    return None


async def converge(
    client: httpx.AsyncClient, world: World, locks: list[Lock], args: argparse.Namespace
) -> tuple[Phase, float, float | None]:
    """Ask for the codes, wait until all are set, then until no job is left (follow-up runs: their calls count too,
    for up to `QUIET_LIMIT_SECONDS`); returns the phase (its time: until all were set), the seconds the API took to
    accept the changes, and how long jobs went on after convergence (None: longer than the limit).
    """
    mark = Mark.now(world)
    await submit(client, world, locks, args.changes, args.clients)
    submitted = time.monotonic() - mark.at
    if not await until_set(world, args.locks * args.changes, args.timeout - submitted):
        raise NotConverged(f"not converged within {args.timeout:.0f} s; vendor calls: {dict(world.counter.calls)}")
    seconds = time.monotonic() - mark.at
    print(f"converged in {seconds:.1f} s (codes submitted in {submitted:.1f} s); follow-up runs next", flush=True)
    tail = await quiet(world)
    return mark.phase(world, seconds), submitted, tail


async def sweep(world: World, locks: int, within: float) -> Phase:
    """The gateway's sweep, done once every lock was read and no job runs; its time: until the last vendor answer
    (deferred jobs left from the changes, which call no vendor, are not waited for).
    """
    mark = Mark.now(world)
    await world.runtime.jobs.enqueue("reconcile.sweep", job_id="bench-sweep")
    while time.monotonic() - mark.at < within:
        await asyncio.sleep(CONFIRM_POLL_SECONDS)
        read = len(world.counter.reads - mark.reads)
        if read >= locks and (await world.runtime.jobs.health()).running_jobs == 0:
            return mark.phase(world, world.counter.last_at - mark.at)
    raise NotConverged(f"the no-drift sweep did not finish within {within:.0f} s")


async def measure(client: httpx.AsyncClient, world: World, args: argparse.Namespace) -> Measured:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the app's logging config logs every vendor call
    world.stats.watch(world.runtime.jobs)
    await connect_accounts(client, world)
    locks = await locks_of(world.runtime.db)
    if len(locks) != args.locks or await quiet(world) is None:
        raise RuntimeError(f"{len(locks)} of {args.locks} locks were discovered, or discovery did not settle")
    print(f"{len(locks)} locks discovered; asking for {args.changes} codes each", flush=True)
    start_rss = rss_mib()
    change, submitted, tail = await converge(client, world, locks, args)
    swept = await sweep(world, len(locks), args.timeout)
    return Measured(submitted, tail, change, swept, locks, rss_mib(), start_rss, world.counter.failed)


async def run(args: argparse.Namespace) -> Measured:
    workdir = Path(tempfile.mkdtemp(prefix="aggregator-reconcile-"))
    api_key = await prepare_database(f"sqlite:///{workdir}/bench.db")
    stats = JobStats()
    app, counter, vendor_http = build(workdir, args.rate, stats, args.job_slots)
    sim = app.state.sandbox.clouds["nuki"].app.state.sim
    sim.latency, sim.action_delay = args.latency_ms / 1000, args.sync_ms / 1000
    world = World(app, sim, counter, vendor_http, api_key, stats)
    world.tokens = populate(sim, args.accounts, args.locks)
    transport = httpx.ASGITransport(app=cast(Any, app))  # httpx types its ASGI app narrower than Litestar's
    try:
        async with serving(app), httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
            return await measure(client, world, args)
    finally:
        await vendor_http.aclose()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    args = parse_args()
    started = time.monotonic()
    try:
        measured = asyncio.run(run(args))
    except NotConverged as exc:
        print(exc, file=sys.stderr)
        return 1
    print_report(measured, args, time.monotonic() - started)
    return 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locks", type=int, default=1000)
    parser.add_argument("--accounts", type=int, default=10, help="the locks are spread evenly over them")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="added by the simulated Nuki to every answer")
    parser.add_argument("--rate", type=float, default=20.0, help="vendor calls per second per account")
    parser.add_argument("--changes", type=int, default=3, help="new codes per lock")
    parser.add_argument("--sync-ms", type=float, default=1000.0, help="until Nuki reports a changed code synced")
    parser.add_argument("--clients", type=int, default=16, help="API requests in flight")
    parser.add_argument("--job-slots", type=int, help="jobs run at once (default: the gateway's, 10)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds for the codes to be set")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
