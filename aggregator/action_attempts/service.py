"""Reading action attempts."""

from __future__ import annotations

import uuid

from aggregator.action_attempts import repository
from aggregator.db import Database
from aggregator.http import errors
from aggregator.http.errors import ApiError
from schemas import ActionAttempt


async def get_attempt(db: Database, workspace_id: uuid.UUID, attempt_id: uuid.UUID | None) -> ActionAttempt:
    attempt = await repository.get_attempt(db, workspace_id, attempt_id) if attempt_id else None
    if attempt is None:
        raise ApiError(errors.ACTION_ATTEMPT_NOT_FOUND)
    return attempt
