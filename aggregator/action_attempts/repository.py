"""All queries on action attempts. An attempt ends once: `finish` changes only a pending attempt."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from aggregator.db import Database, Row
from aggregator.db.rows import as_bool_or_none, as_datetime, as_uuid, from_json, to_json
from aggregator.db.tables import ActionAttempts
from schemas import ActionAttempt, ActionAttemptError, ActionAttemptStatus, ActionType

_COLUMNS = "id, device_id, action_type, status, error, was_confirmed_by_device, created_at, updated_at"


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """An attempt with the workspace it belongs to (what the worker needs, which the API does not show)."""

    attempt: ActionAttempt
    workspace_id: uuid.UUID


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
    row = await db.fetch_one(f"SELECT {_COLUMNS}, workspace_id FROM action_attempts WHERE id = ?", attempt_id)
    return AttemptRecord(_attempt(row), as_uuid(row[8])) if row else None


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
