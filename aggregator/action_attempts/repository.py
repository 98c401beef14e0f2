"""All queries on action attempts. An attempt ends once: `finish` changes only a pending attempt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from aggregator.db import Database, Row
from aggregator.db.rows import as_bool_or_none, as_datetime, as_datetime_or_none, as_uuid, from_json, to_json
from aggregator.db.tables import ActionAttempts
from schemas import ActionAttempt, ActionAttemptError, ActionAttemptStatus, ActionType
from schemas.providers import ActionReceipt

_COLUMNS = "id, device_id, action_type, status, error, was_confirmed_by_device, created_at, updated_at"


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """An attempt with what the worker needs and the API does not show: its workspace, whether (and when) its
    command went out, and the vendor's receipt for it.
    """

    attempt: ActionAttempt
    workspace_id: uuid.UUID
    sent_at: datetime | None
    receipt: ActionReceipt | None


async def insert_attempt(db: Database, attempt: ActionAttempt, *, workspace_id: uuid.UUID) -> None:
    await ActionAttempts.insert(
        ActionAttempts(
            id=attempt.id,
            workspace_id=workspace_id,
            device_id=attempt.device_id,
            action_type=attempt.action_type.value,
            status=attempt.status.value,
            created_at=attempt.created_at,
            updated_at=attempt.updated_at,
        )
    ).run()


async def get_attempt(db: Database, workspace_id: uuid.UUID, attempt_id: uuid.UUID) -> ActionAttempt | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM action_attempts WHERE id = ? AND workspace_id = ?", attempt_id, workspace_id
    )
    return _attempt(row) if row else None


async def get_record(db: Database, attempt_id: uuid.UUID) -> AttemptRecord | None:
    """An attempt in any workspace (for jobs, which carry ids only)."""
    row = await db.fetch_one(
        f"SELECT {_COLUMNS}, workspace_id, sent_at, receipt FROM action_attempts WHERE id = ?", attempt_id
    )
    if row is None:
        return None
    receipt = from_json(row[10], ActionReceipt | None, None)
    return AttemptRecord(_attempt(row), as_uuid(row[8]), as_datetime_or_none(row[9]), receipt)


async def mark_sent(db: Database, attempt_id: uuid.UUID, at: datetime) -> bool:
    """Take the right to send the attempt's command: True once per attempt, whatever re-runs its job."""
    row = await db.fetch_one(
        "UPDATE action_attempts SET sent_at = ? WHERE id = ? AND status = ? AND sent_at IS NULL RETURNING id",
        at,
        attempt_id,
        ActionAttemptStatus.PENDING.value,
    )
    return row is not None


async def keep_receipt(db: Database, attempt_id: uuid.UUID, receipt: ActionReceipt) -> None:
    await db.execute("UPDATE action_attempts SET receipt = ? WHERE id = ?", to_json(receipt), attempt_id)


async def stale_attempts(db: Database, created_before: datetime) -> list[uuid.UUID]:
    """Attempts still pending long after any deadline (their job was lost, say with an in-process restart)."""
    rows = await db.fetch_all(
        "SELECT id FROM action_attempts WHERE status = ? AND created_at < ?",
        ActionAttemptStatus.PENDING.value,
        created_before,
    )
    return [as_uuid(row[0]) for row in rows]


async def finish(
    db: Database,
    attempt_id: uuid.UUID,
    *,
    status: ActionAttemptStatus,
    at: datetime,
    error: ActionAttemptError | None = None,
    was_confirmed_by_device: bool | None = None,
) -> bool:
    """End a pending attempt; False when it had ended already (a second worker, a retried job)."""
    row = await db.fetch_one(
        "UPDATE action_attempts SET status = ?, error = ?, was_confirmed_by_device = ?, updated_at = ? "
        "WHERE id = ? AND status = ? RETURNING id",
        status.value,
        to_json(error),
        was_confirmed_by_device,
        at,
        attempt_id,
        ActionAttemptStatus.PENDING.value,
    )
    return row is not None


def _attempt(row: Row) -> ActionAttempt:
    return ActionAttempt(
        id=as_uuid(row[0]),
        device_id=as_uuid(row[1]),
        action_type=ActionType(row[2]),
        status=ActionAttemptStatus(row[3]),
        error=from_json(row[4], ActionAttemptError | None, None),
        was_confirmed_by_device=as_bool_or_none(row[5]),
        created_at=as_datetime(row[6]),
        updated_at=as_datetime(row[7]),
    )
