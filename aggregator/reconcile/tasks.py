"""Reconcile jobs: one lock under its lease (again while changes keep coming), retried with backoff and jitter
that honours `Retry-After`; the next run scheduled for the next window edge; a periodic sweep of every lock.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import timedelta

from aggregator.connected_accounts import repository as accounts
from aggregator.connected_accounts.sync import needs_reauthorization
from aggregator.devices import repository as devices
from aggregator.ids import new_id
from aggregator.jobs.base import JobContext, PeriodicTask, RetryLater, Task
from aggregator.reconcile import repository as reconciles
from aggregator.reconcile.run import RunResult, reconcile_once
from aggregator.reconcile.triggers import RECONCILE_TASK, reconcile_at
from providers.errors import ProviderAuthError, ProviderError, ProviderRateLimited

logger = logging.getLogger("aggregator.reconcile")

LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(minutes=5)
FIRST_LOOK = timedelta(seconds=2)
"""How soon to look again at a change the vendor has not carried to the lock yet (then ever later)."""


async def reconcile_device(ctx: JobContext, device_id: str) -> None:
    device = uuid.UUID(device_id)
    owner, now = str(new_id()), ctx.clock()
    await reconciles.bump(ctx.db, device)  # first: a run holding the lease cannot give it back without seeing this
    generation = await reconciles.take_lease(ctx.db, device, owner, now, now + LEASE)
    if generation is None:
        return  # another run has the lock, and runs again for what it did not see
    try:
        result = await _until_settled(ctx, device, owner, generation)
    except ProviderError as exc:
        await reconciles.drop_lease(ctx.db, device, owner)
        await _failed(ctx, device, exc)
        return
    except BaseException:
        await reconciles.drop_lease(ctx.db, device, owner)
        raise
    if result is not None:
        await _follow_up(ctx, device, result)


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
        await ctx.jobs.enqueue(RECONCILE_TASK, str(device), job_id=f"reconcile:{device}")


RECONCILE = Task(
    RECONCILE_TASK, reconcile_device, timeout=timedelta(minutes=10), max_tries=12, keep_result=timedelta(0)
)
"""`keep_result=0`: the job id frees when a run ends, so the next change can enqueue the next run."""
SWEEP = Task("reconcile.sweep", sweep, max_tries=1, keep_result=timedelta(0))
SWEEP_EVERY_FIVE_MINUTES = PeriodicTask(SWEEP, minute=frozenset(range(0, 60, 5)), on_start=True)
