"""Lock and unlock requests: checked against the device's capabilities, recorded as pending attempts, and
handed to the job backend; and reading attempts.
"""

from __future__ import annotations

import logging
import uuid

from aggregator.action_attempts import repository
from aggregator.audit import service as audit
from aggregator.db import Database
from aggregator.devices import repository as devices
from aggregator.http import errors
from aggregator.http.context import RequestContext
from aggregator.http.errors import ApiError, found
from aggregator.ids import new_id
from schemas import ActionAttempt, ActionAttemptError, ActionAttemptStatus, ActionType, Device

logger = logging.getLogger("aggregator.action_attempts")
EXECUTE_TASK = "action_attempts.execute"
CAPABILITY = {ActionType.LOCK_DOOR: "can_remotely_lock", ActionType.UNLOCK_DOOR: "can_remotely_unlock"}


async def get_attempt(db: Database, workspace_id: uuid.UUID, attempt_id: uuid.UUID | None) -> ActionAttempt:
    return found(
        await repository.get_attempt(db, workspace_id, attempt_id) if attempt_id else None,
        errors.ACTION_ATTEMPT_NOT_FOUND,
    )


async def request_action(ctx: RequestContext, device_id: uuid.UUID | None, action_type: ActionType) -> ActionAttempt:
    """`POST /v1/devices/{id}/lock|unlock`: a pending attempt now; the job backend carries it out."""
    device = found(
        await devices.get_device(ctx.db, ctx.workspace_id, device_id) if device_id else None, errors.DEVICE_NOT_FOUND
    )
    _check_capability(device, action_type)
    attempt = ActionAttempt(
        id=new_id(),
        device_id=device.id,
        action_type=action_type,
        status=ActionAttemptStatus.PENDING,
        error=None,
        was_confirmed_by_device=None,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    async with ctx.db.transaction():
        await repository.insert_attempt(ctx.db, attempt, workspace_id=ctx.workspace_id)
        after = {"device_id": str(device.id), "action_type": action_type.value}
        await audit.record_change(ctx, "action_attempt.created", "action_attempt", attempt.id, after=after)
    return await _enqueue(ctx, attempt)


def _check_capability(device: Device, action_type: ActionType) -> None:
    flag = CAPABILITY[action_type]
    if not getattr(device.capabilities, flag):
        verb = "locked" if action_type is ActionType.LOCK_DOOR else "unlocked"
        raise ApiError(errors.CAPABILITY_NOT_SUPPORTED, f"{device.name} cannot be {verb} remotely ({flag} is false).")


async def _enqueue(ctx: RequestContext, attempt: ActionAttempt) -> ActionAttempt:
    """An attempt the job backend cannot take fails at once, rather than stay pending for ever."""
    try:
        await ctx.jobs.enqueue(EXECUTE_TASK, str(attempt.id), job_id=f"action:{attempt.id}")
    except Exception as exc:
        logger.exception("could not enqueue action attempt %s", attempt.id)
        error = ActionAttemptError(type=errors.SERVICE_UNAVAILABLE.code, message="The job backend is unavailable.")
        await repository.finish(ctx.db, attempt.id, status=ActionAttemptStatus.ERROR, at=ctx.now, error=error)
        raise ApiError(errors.SERVICE_UNAVAILABLE, "The job backend is unavailable; nothing was sent.") from exc
    return attempt
