"""A login at one vendor; its credentials never leave the gateway."""

from __future__ import annotations

import enum
from uuid import UUID

from schemas.base import AwareDatetime, WireStruct
from schemas.common import ResourceIssue


class ConnectedAccountStatus(enum.StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTHORIZATION = "needs_reauthorization"
    DISCONNECTED = "disconnected"


class ConnectedAccount(WireStruct):
    """One vendor login and its health."""

    id: UUID
    provider: str
    status: ConnectedAccountStatus
    display_name: str | None
    errors: list[ResourceIssue]
    warnings: list[ResourceIssue]
    created_at: AwareDatetime
    updated_at: AwareDatetime
