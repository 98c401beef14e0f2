"""Asking for a reconcile: now (after an API change or a vendor webhook) or at an instant (a window edge). Every
request raises the lock's wanted generation (the job does, for a run at an instant), so a run already going sees it
and runs again.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

from aggregator.db import Database
from aggregator.jobs.base import JobBackend
from aggregator.reconcile import repository

RECONCILE_TASK = "reconcile.device"
LEASE = timedelta(seconds=30)
"""How long a run holds its lock without renewing (it renews every 10 s while it lives)."""


async def request_reconcile(db: Database, jobs: JobBackend, device_id: uuid.UUID, workspace_id: uuid.UUID) -> None:
    """A vendor webhook or a person asks: the lock may have changed outside the gateway, so it is read again (also
    by a run going on now, which would otherwise go on with its own view of the lock).
    """
    await run_for(jobs, device_id, await repository.want_read(db, device_id, workspace_id))


async def run_for(jobs: JobBackend, device_id: uuid.UUID, generation: int) -> None:
    """A run that serves the lock's wanted `generation`: one job per lock and generation, so a change made just as
    a run ends is never refused for a job id still taken (and a job for a generation already served costs no call).
    """
    await jobs.enqueue(RECONCILE_TASK, str(device_id), str(generation), job_id=f"reconcile:{device_id}:g{generation}")


async def check_at(jobs: JobBackend, device_id: uuid.UUID, generation: int, at: datetime) -> None:
    """At `at`, make sure `generation` was served: the run that holds the lock now may die before it is."""
    second = math.ceil(at.timestamp())
    await jobs.enqueue(
        RECONCILE_TASK,
        str(device_id),
        str(generation),
        job_id=f"reconcile:{device_id}:g{generation}:{second}",
        defer_until=datetime.fromtimestamp(second, UTC),
    )


async def reconcile_at(jobs: JobBackend, device_id: uuid.UUID, at: datetime) -> None:
    """A run at `at` rounded up to a whole second (one job per lock and second: asking twice schedules it once).
    Rounded up, not down: a run starts at or after its own second, so what it asks for (always later than now) is a
    later second, never its own job's id, which is taken while it runs (the request would be dropped).
    """
    second = math.ceil(at.timestamp())
    await jobs.enqueue(
        RECONCILE_TASK,
        str(device_id),
        job_id=f"reconcile:{device_id}:{second}",
        defer_until=datetime.fromtimestamp(second, UTC),
    )
