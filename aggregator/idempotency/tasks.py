"""Jobs of the idempotency domain: forget keys older than the retention period."""

from __future__ import annotations

from datetime import timedelta

from aggregator.idempotency import repository
from aggregator.jobs.base import JobContext, PeriodicTask, Task


async def purge_expired(ctx: JobContext) -> None:
    cutoff = ctx.clock() - timedelta(seconds=ctx.settings.idempotency_ttl_seconds)
    await repository.purge_older_than(ctx.db, cutoff)


PURGE_EXPIRED = Task("idempotency.purge_expired", purge_expired, max_tries=1)
PURGE_EXPIRED_HOURLY = PeriodicTask(PURGE_EXPIRED, minute=frozenset({17}))
