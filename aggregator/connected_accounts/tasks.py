"""Jobs of connected accounts: sync one account (devices and events), and every minute enqueue each active one."""

from __future__ import annotations

import uuid
from datetime import timedelta

from aggregator.connected_accounts import repository
from aggregator.connected_accounts.service import SYNC_TASK, enqueue_sync
from aggregator.connected_accounts.sync import sync_account
from aggregator.jobs.base import JobContext, PeriodicTask, RetryLater, Task
from providers.errors import ProviderError, ProviderRateLimited

RETRY_AFTER_FAILURE = timedelta(seconds=30)


async def sync(ctx: JobContext, account_id: str) -> None:
    try:
        await sync_account(ctx.db, ctx.vendors, uuid.UUID(account_id), ctx.clock())
    except ProviderError as exc:
        if not exc.retryable:
            raise
        wait = exc.retry_after if isinstance(exc, ProviderRateLimited) and exc.retry_after else None
        raise RetryLater(timedelta(seconds=wait) if wait else RETRY_AFTER_FAILURE, str(exc)) from exc


async def sync_all(ctx: JobContext) -> None:
    for account_id in await repository.active_accounts(ctx.db):
        await enqueue_sync(ctx.jobs, account_id)


SYNC = Task(SYNC_TASK, sync, max_tries=4, keep_result=timedelta(0))
"""`keep_result=0`: the job id frees as soon as a sync ends, so the next change can enqueue the next sync."""
SYNC_ALL = Task("connected_accounts.sync_all", sync_all, max_tries=1, keep_result=timedelta(0))
SYNC_ALL_EVERY_MINUTE = PeriodicTask(SYNC_ALL)
