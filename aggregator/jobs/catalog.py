"""Every task the gateway runs, and the schedule of the periodic ones: what both job backends are given."""

from __future__ import annotations

from aggregator.idempotency import tasks as idempotency_tasks
from aggregator.jobs.base import TaskRegistry


def default_registry() -> TaskRegistry:
    return TaskRegistry(
        tasks=[idempotency_tasks.PURGE_EXPIRED],
        periodic=[idempotency_tasks.PURGE_EXPIRED_HOURLY],
    )
