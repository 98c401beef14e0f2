"""Asynchronous lock and unlock commands and their outcome."""

from __future__ import annotations

import enum
from uuid import UUID

from schemas.base import AwareDatetime, WireStruct


class ActionType(enum.StrEnum):
    LOCK_DOOR = "LOCK_DOOR"
    UNLOCK_DOOR = "UNLOCK_DOOR"


class ActionAttemptStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCESS = "success"
    ERROR = "error"


class ActionAttemptError(WireStruct):
    """Why an attempt failed; `type` is a stable snake_case code."""

    type: str
    message: str


class ActionAttempt(WireStruct):
    """One lock or unlock request; `pending` until the device confirms or the attempt fails."""

    id: UUID
    device_id: UUID
    action_type: ActionType
    status: ActionAttemptStatus
    error: ActionAttemptError | None
    was_confirmed_by_device: bool | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
