"""Asking for a reconcile: now (after an API change or a vendor webhook) or at an instant (a window edge). Every
request raises the lock's wanted generation first, so a run already going sees it and runs again.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from aggregator.db import Database
from aggregator.jobs.base import JobBackend
from aggregator.reconcile import repository

RECONCILE_TASK = "reconcile.device"


async def request_reconcile(db: Database, jobs: JobBackend, device_id: uuid.UUID, workspace_id: uuid.UUID) -> None:
    await repository.want(db, device_id, workspace_id)
    await jobs.enqueue(RECONCILE_TASK, str(device_id), job_id=f"reconcile:{device_id}")


async def reconcile_at(jobs: JobBackend, device_id: uuid.UUID, at: datetime) -> None:
    """A run at `at` (one job per lock and instant: asking twice schedules it once)."""
    await jobs.enqueue(
        RECONCILE_TASK, str(device_id), job_id=f"reconcile:{device_id}:{int(at.timestamp())}", defer_until=at
    )
