"""Audit entries: who changed what, and how it looked before and after."""

from __future__ import annotations

import enum
from typing import Any
from uuid import UUID

from schemas.base import AwareDatetime, WireStruct


class ActorType(enum.StrEnum):
    API_KEY = "api_key"
    CLI = "cli"
    SYSTEM = "system"


class AuditEntry(WireStruct):
    """One recorded change; append-only."""

    id: UUID
    actor_type: ActorType
    actor_id: str | None
    action: str
    resource_type: str
    resource_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    created_at: AwareDatetime
