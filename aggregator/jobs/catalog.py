"""Every task the gateway runs, and the schedule of the periodic ones: what both job backends are given."""

from __future__ import annotations

from aggregator.action_attempts import tasks as action_tasks
from aggregator.connected_accounts import tasks as account_tasks
from aggregator.idempotency import tasks as idempotency_tasks
from aggregator.jobs.base import TaskRegistry
from aggregator.reconcile import tasks as reconcile_tasks


def default_registry() -> TaskRegistry:
    return TaskRegistry(
        tasks=[
            idempotency_tasks.PURGE_EXPIRED,
            account_tasks.SYNC,
            action_tasks.EXECUTE,
            action_tasks.EXPIRE_STALE,
            reconcile_tasks.RECONCILE,
        ],
        periodic=[
            idempotency_tasks.PURGE_EXPIRED_HOURLY,
            account_tasks.SYNC_ALL_EVERY_MINUTE,
            action_tasks.EXPIRE_STALE_EVERY_MINUTE,
            reconcile_tasks.SWEEP_EVERY_FIVE_MINUTES,
        ],
    )
