"""The job that carries out an action attempt, records how it ended (attempt, event, account status) and reads
the device's new state from the vendor.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from aggregator.action_attempts import repository
from aggregator.action_attempts.execution import EXPIRED, Outcome, carry_out
from aggregator.action_attempts.repository import AttemptRecord
from aggregator.action_attempts.service import EXECUTE_TASK
from aggregator.connected_accounts import repository as accounts
from aggregator.connected_accounts.repository import AccountRecord
from aggregator.connected_accounts.sync import needs_reauthorization
from aggregator.db import Database
from aggregator.devices import repository as devices
from aggregator.devices.discovery import apply_device, as_provider_device
from aggregator.devices.repository import StoredDevice
from aggregator.events.repository import NewEvent, insert_event
from aggregator.jobs.base import JobContext, PeriodicTask, Task
from providers.base import Provider
from providers.errors import ProviderError
from schemas import ActionAttemptError, ActionAttemptStatus, ActionType, EventSource, EventType
from schemas.providers import ActionKind, ActionReceipt

logger = logging.getLogger("aggregator.action_attempts")
STALE_AFTER = timedelta(minutes=10)
"""Longer than any provider's action time-out and any job's retries."""

KIND = {ActionType.LOCK_DOOR: ActionKind.LOCK, ActionType.UNLOCK_DOOR: ActionKind.UNLOCK}
EVENT = {
    (ActionType.LOCK_DOOR, ActionAttemptStatus.SUCCESS): EventType.ACTION_ATTEMPT_LOCK_DOOR_SUCCEEDED,
    (ActionType.LOCK_DOOR, ActionAttemptStatus.ERROR): EventType.ACTION_ATTEMPT_LOCK_DOOR_FAILED,
    (ActionType.UNLOCK_DOOR, ActionAttemptStatus.SUCCESS): EventType.ACTION_ATTEMPT_UNLOCK_DOOR_SUCCEEDED,
    (ActionType.UNLOCK_DOOR, ActionAttemptStatus.ERROR): EventType.ACTION_ATTEMPT_UNLOCK_DOOR_FAILED,
}


async def execute(ctx: JobContext, attempt_id: str) -> None:
    record = await repository.get_record(ctx.db, uuid.UUID(attempt_id))
    if record is None or record.attempt.status is not ActionAttemptStatus.PENDING:
        return
    stored = await devices.stored_device(ctx.db, record.attempt.device_id)
    account = await accounts.get_record(ctx.db, stored.device.connected_account_id) if stored else None
    if stored is None or account is None:
        await _record(ctx.db, record, None, _error("device_not_found", "The device was removed."), ctx.clock())
        return
    try:
        outcome = await _carry_out(ctx, record, account, stored)
    except Exception:
        logger.exception("action attempt %s failed unexpectedly", attempt_id)
        await _record(ctx.db, record, account, _error("internal_error", "The gateway failed."), ctx.clock())
        raise
    if outcome is not None:
        await _record(ctx.db, record, account, outcome, ctx.clock())


async def _carry_out(
    ctx: JobContext, record: AttemptRecord, account: AccountRecord, stored: StoredDevice
) -> Outcome | None:
    """Send the command once (a re-run job only follows it), follow it, refresh the device; None: another run has
    the attempt.
    """
    attempt = record.attempt
    adapter = ctx.vendors.adapter(account.provider, account.id)
    sent = record.receipt or (_unknown_receipt(record.sent_at) if record.sent_at else None)
    deadline = attempt.created_at + adapter.manifest.action_timeout
    if sent is None and ctx.clock() >= deadline:  # a door must not open long after it was asked to
        return _error(EXPIRED, "The command was not sent: it waited too long to be carried out.")
    if sent is None and not await repository.mark_sent(ctx.db, attempt.id, ctx.clock()):
        return None

    async def keep(receipt: ActionReceipt) -> None:
        await repository.keep_receipt(ctx.db, attempt.id, receipt)

    device = as_provider_device(stored.device)
    outcome = await carry_out(
        adapter, device, KIND[attempt.action_type], deadline=deadline, clock=ctx.clock, sent=sent, on_sent=keep
    )
    if outcome.login_refused and outcome.error:
        await needs_reauthorization(ctx.db, account, outcome.error.message, ctx.clock())
    else:  # before the outcome is shown, so that a client seeing `success` reads the device's new state
        await _refresh(ctx.db, adapter, account, stored)
    return outcome


def _unknown_receipt(sent_at: datetime) -> ActionReceipt:
    """A command that went out but whose receipt was not kept (the run died): follow the device's state alone."""
    return ActionReceipt(confirmed=False, accepted_at=sent_at)


def _error(code: str, message: str) -> Outcome:
    return Outcome(ActionAttemptStatus.ERROR, error=ActionAttemptError(type=code, message=message))


async def expire_stale(ctx: JobContext) -> None:
    """Attempts whose job was lost (an in-process runner restarted) end as expired rather than pend for ever."""
    for attempt_id in await repository.stale_attempts(ctx.db, ctx.clock() - STALE_AFTER):
        record = await repository.get_record(ctx.db, attempt_id)
        if record is not None:
            lost = _error(EXPIRED, "The attempt's job was lost; the command may or may not have reached the lock.")
            await _record(ctx.db, record, None, lost, ctx.clock())


async def _record(
    db: Database, record: AttemptRecord, account: AccountRecord | None, outcome: Outcome, now: datetime
) -> None:
    attempt = record.attempt
    async with db.transaction():
        ended = await repository.finish(
            db,
            attempt.id,
            status=outcome.status,
            at=now,
            error=outcome.error,
            was_confirmed_by_device=outcome.was_confirmed_by_device,
        )
        if not ended:
            return
        event = NewEvent(
            type=EVENT[attempt.action_type, outcome.status],
            occurred_at=now,
            source=EventSource.GATEWAY,
            device_id=attempt.device_id,
            connected_account_id=account.id if account else None,
            action_attempt_id=attempt.id,
            was_confirmed_by_device=outcome.was_confirmed_by_device,
            data={"error": {"type": outcome.error.type, "message": outcome.error.message}} if outcome.error else {},
        )
        await insert_event(db, record.workspace_id, event, received_at=now)
    logger.info("action attempt %s ended: %s", attempt.id, outcome.error.type if outcome.error else "success")


async def _refresh(db: Database, adapter: Provider, account: AccountRecord, stored: StoredDevice) -> None:
    """Read the device again so its `locked` state shows the outcome; a vendor failure here waits for the next sync."""
    read_at = adapter.context.clock()
    try:
        reported = await adapter.get_device(stored.device.provider_device_id)
    except ProviderError as exc:
        logger.info("device %s not refreshed after its action: %s", stored.device.id, exc.message)
        return
    async with db.transaction():
        fresh = await devices.stored_device(db, stored.device.id)
        _, events = await apply_device(db, account, reported, fresh, read_at)
        for event in events:
            await insert_event(db, account.workspace_id, event, received_at=read_at)


EXECUTE = Task(EXECUTE_TASK, execute, timeout=timedelta(minutes=2), max_tries=3)
EXPIRE_STALE = Task("action_attempts.expire_stale", expire_stale, max_tries=1, keep_result=timedelta(0))
EXPIRE_STALE_EVERY_MINUTE = PeriodicTask(EXPIRE_STALE)
