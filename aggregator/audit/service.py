"""Reading the audit trail of a workspace."""

from __future__ import annotations

import uuid

from aggregator.audit import repository
from aggregator.db import Database
from aggregator.http.pagination import PageRequest, build_page
from schemas import AuditEntry, Page


async def list_entries(
    db: Database,
    workspace_id: uuid.UUID,
    page: PageRequest,
    *,
    resource_type: str | None,
    resource_id: str | None,
) -> Page[AuditEntry]:
    entries = await repository.list_entries(
        db, workspace_id, page, resource_type=resource_type, resource_id=resource_id
    )
    return build_page(entries, page)
