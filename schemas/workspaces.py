"""Workspaces: the tenants. Everything belongs to exactly one, and no workspace sees another's data."""

from __future__ import annotations

from uuid import UUID

from schemas.base import AwareDatetime, WireStruct


class Workspace(WireStruct):
    id: UUID
    name: str
    is_sandbox: bool
    created_at: AwareDatetime
