"""Asking for a reconcile: now (after an API change or a vendor webhook) or at an instant (a window edge). Every
request raises the lock's wanted generation first, so a run already going sees it and runs again.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

from aggregator.db import Database
from aggregator.jobs.base import JobBackend
from aggregator.reconcile import repository

RECONCILE_TASK = "reconcile.device"


async def request_reconcile(db: Database, jobs: JobBackend, device_id: uuid.UUID, workspace_id: uuid.UUID) -> None:
    """A vendor webhook or a person asks: the lock may have changed outside the gateway, so it is read again (also
    by a run going on now, which would otherwise go on with its own view of the lock).
    """
    await repository.want_read(db, device_id, workspace_id)
    await jobs.enqueue(RECONCILE_TASK, str(device_id), job_id=f"reconcile:{device_id}")


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
