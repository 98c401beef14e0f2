"""Reading action attempts."""

from __future__ import annotations

import uuid

from aggregator.action_attempts import repository
from aggregator.db import Database
from aggregator.http import errors
from aggregator.http.errors import found
from schemas import ActionAttempt


async def get_attempt(db: Database, workspace_id: uuid.UUID, attempt_id: uuid.UUID | None) -> ActionAttempt:
    return found(
        await repository.get_attempt(db, workspace_id, attempt_id) if attempt_id else None,
        errors.ACTION_ATTEMPT_NOT_FOUND,
    )
