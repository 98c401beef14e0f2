"""Reconcile jobs: one lock under its lease (again while changes keep coming), retried with backoff and jitter
that honours `Retry-After`; the next run scheduled for the next window edge; a periodic sweep of every lock.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from aggregator.connected_accounts import repository as accounts
from aggregator.connected_accounts.sync import needs_reauthorization
from aggregator.devices import repository as devices
from aggregator.ids import new_id
from aggregator.jobs.base import JobContext, PeriodicTask, RetryLater, Task
from aggregator.reconcile import repository as reconciles
from aggregator.reconcile.run import RunResult, reconcile_once
from aggregator.reconcile.triggers import LEASE, RECONCILE_TASK, check_at, reconcile_at
from providers.errors import ProviderAuthError, ProviderError, ProviderRateLimited

logger = logging.getLogger("aggregator.reconcile")

MAX_BACKOFF = timedelta(minutes=5)
FIRST_LOOK = timedelta(seconds=2)
"""How soon to look again at a change the vendor has not carried to the lock yet (then ever later)."""


async def reconcile_device(ctx: JobContext, device_id: str, generation: str = "") -> None:
    """Serve the lock's wanted `generation` (none given: a run at an instant, which raises it first)."""
    device = uuid.UUID(device_id)
    asked = int(generation) if generation else await reconciles.bump(ctx.db, device)
    if asked is None:
        return  # no reconcile row: the lock takes no codes
    owner, now = str(new_id()), ctx.clock()
    lease = await reconciles.take_lease(ctx.db, device, owner, now, now + LEASE)
    if lease is None:  # another run has the lock: it runs again for what it did not see, unless it dies first
        if (held_until := await reconciles.lease_until(ctx.db, device)) is not None:
            await check_at(ctx.jobs, device, asked, held_until + timedelta(seconds=1))
        return
    if lease.done >= asked:
        await reconciles.drop_lease(ctx.db, device, owner)
        return  # an earlier run served it
    await check_at(ctx.jobs, device, lease.wanted, now + LEASE + timedelta(seconds=1))  # in case this worker dies
    try:
        async with _heartbeat(ctx, device, owner):
            result = await _until_settled(ctx, device, owner, lease.wanted)
    except ProviderError as exc:
        await reconciles.drop_lease(ctx.db, device, owner)
        await _failed(ctx, device, exc)
        return
    except BaseException:
        await reconciles.drop_lease(ctx.db, device, owner)
        raise
    if result is not None:
        await _follow_up(ctx, device, result)


@asynccontextmanager
async def _heartbeat(ctx: JobContext, device: uuid.UUID, owner: str) -> AsyncIterator[None]:
    """Keep the lease while the run lives: a short lease, so that a killed worker's lock is free again soon."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 3)
            await reconciles.extend_lease(ctx.db, device, owner, ctx.clock() + LEASE)

    beating = asyncio.create_task(beat())
    try:
        yield
    finally:
        beating.cancel()
        with suppress(asyncio.CancelledError):
            await beating


async def _until_settled(ctx: JobContext, device: uuid.UUID, owner: str, generation: int) -> RunResult | None:
    """Run, then give the lease back; a change that came in meanwhile means one more run."""
    known = None
    while True:
        result = await reconcile_once(ctx, device, known)
        known = result.known if result is not None else None
        if result is not None and result.stopped_by is not None:
            raise result.stopped_by
        if await reconciles.release(ctx.db, device, owner, generation):
            return result
        generation = await reconciles.current_generation(ctx.db, device)
        await reconciles.extend_lease(ctx.db, device, owner, ctx.clock() + LEASE)


async def _failed(ctx: JobContext, device: uuid.UUID, exc: ProviderError) -> None:
    """A login refused: the account says so and waits for a person. Anything else: try again later."""
    failures = await reconciles.record_failure(ctx.db, device, exc.message, ctx.clock())
    if isinstance(exc, ProviderAuthError):
        await _reauthorize(ctx, device, exc)
        return
    wait = backoff(failures, exc.retry_after if isinstance(exc, ProviderRateLimited) else None)
    logger.info("reconcile of %s stopped (%s); again in %.1f s", device, exc.code, wait.total_seconds())
    raise RetryLater(wait, exc.message)


async def _reauthorize(ctx: JobContext, device: uuid.UUID, exc: ProviderError) -> None:
    stored = await devices.stored_device(ctx.db, device)
    account = await accounts.get_record(ctx.db, stored.device.connected_account_id) if stored else None
    if account is not None:
        await needs_reauthorization(ctx.db, account, exc.message, ctx.clock())


def backoff(failures: int, retry_after: float | None = None) -> timedelta:
    """Exponential from 1 s, capped, with jitter (so retries of many locks spread out); never before Retry-After."""
    base = min(MAX_BACKOFF.total_seconds(), 2.0 ** max(failures - 1, 0))
    wait = base * random.uniform(0.5, 1.5)
    return timedelta(seconds=max(wait, retry_after or 0.0))


async def _follow_up(ctx: JobContext, device: uuid.UUID, result: RunResult) -> None:
    if result.next_change_at is not None:
        await reconcile_at(ctx.jobs, device, result.next_change_at)
    if result.waiting_since is not None:
        waited = ctx.clock() - result.waiting_since
        await reconcile_at(ctx.jobs, device, ctx.clock() + max(FIRST_LOOK, min(waited / 2, MAX_BACKOFF)))


async def sweep(ctx: JobContext) -> None:
    """Every lock that takes codes is read again: drift nobody announced is found (one read each when in sync)."""
    for device in await reconciles.all_devices(ctx.db):
        await ctx.jobs.enqueue(RECONCILE_TASK, str(device), job_id=f"reconcile:{device}:sweep")


RECONCILE = Task(RECONCILE_TASK, reconcile_device, timeout=timedelta(minutes=5), max_tries=12, keep_result=timedelta(0))
"""`keep_result=0`: a job id frees when its run ends. The time-out bounds how long arq holds the job of a worker
that was killed before running it again."""
SWEEP = Task("reconcile.sweep", sweep, max_tries=1, keep_result=timedelta(0))
SWEEP_EVERY_FIVE_MINUTES = PeriodicTask(SWEEP, minute=frozenset(range(0, 60, 5)), on_start=True)
