"""All queries on action attempts."""

from __future__ import annotations

import uuid

from aggregator.db import Database, Row
from aggregator.db.rows import as_bool_or_none, as_datetime, as_uuid, from_json
from schemas import ActionAttempt, ActionAttemptError, ActionAttemptStatus, ActionType

_COLUMNS = "id, device_id, action_type, status, error, was_confirmed_by_device, created_at, updated_at"


async def get_attempt(db: Database, workspace_id: uuid.UUID, attempt_id: uuid.UUID) -> ActionAttempt | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM action_attempts WHERE id = ? AND workspace_id = ?", attempt_id, workspace_id
    )
    return _attempt(row) if row else None


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
