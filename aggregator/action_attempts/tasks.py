"""The job that carries out an action attempt, records how it ended (attempt, event, account status) and reads
the device's new state from the vendor.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from aggregator.action_attempts import repository
from aggregator.action_attempts.execution import Outcome, carry_out
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
from aggregator.jobs.base import JobContext, Task
from providers.base import Provider
from providers.errors import ProviderError
from schemas import ActionAttemptError, ActionAttemptStatus, ActionType, EventSource, EventType
from schemas.providers import ActionKind

logger = logging.getLogger("aggregator.action_attempts")

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
        return  # ended already: a retried job must not send the command again
    stored = await devices.stored_device(ctx.db, record.attempt.device_id)
    account = await accounts.get_record(ctx.db, stored.device.connected_account_id) if stored else None
    if stored is None or account is None:
        gone = ActionAttemptError(type="device_not_found", message="The device was removed before the command went.")
        await _record(ctx.db, record, None, Outcome(ActionAttemptStatus.ERROR, error=gone), ctx.clock())
        return
    adapter = ctx.vendors.adapter(account.provider, account.id)
    deadline = record.attempt.created_at + adapter.manifest.action_timeout
    outcome = await carry_out(
        adapter, as_provider_device(stored.device), KIND[record.attempt.action_type], deadline=deadline, clock=ctx.clock
    )
    if outcome.login_refused and outcome.error:
        await needs_reauthorization(ctx.db, account, outcome.error.message, ctx.clock())
    else:  # before the outcome is shown, so that a client seeing `success` reads the device's new state
        await _refresh(ctx.db, adapter, account, stored, ctx.clock())
    await _record(ctx.db, record, account, outcome, ctx.clock())


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


async def _refresh(
    db: Database, adapter: Provider, account: AccountRecord, stored: StoredDevice, now: datetime
) -> None:
    """Read the device again so its `locked` state shows the outcome; a vendor failure here waits for the next sync."""
    try:
        reported = await adapter.get_device(stored.device.provider_device_id)
    except ProviderError as exc:
        logger.info("device %s not refreshed after its action: %s", stored.device.id, exc.message)
        return
    async with db.transaction():
        fresh = await devices.stored_device(db, stored.device.id)
        _, events = await apply_device(db, account, reported, fresh, now)
        for event in events:
            await insert_event(db, account.workspace_id, event, received_at=now)


EXECUTE = Task(EXECUTE_TASK, execute, timeout=timedelta(minutes=2), max_tries=3)
