"""Reading the audit trail of a workspace, and recording the changes requests make."""

from __future__ import annotations

import uuid
from typing import Any

from aggregator.audit import repository
from aggregator.db import Database
from aggregator.http.context import RequestContext
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


async def record_change(
    ctx: RequestContext,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Audit a change made for a request (or by the gateway acting in a workspace); call it inside the change's
    transaction.
    """
    await repository.record(
        ctx.db,
        workspace_id=ctx.workspace_id,
        actor=ctx.actor,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        before=before,
        after=after,
        at=ctx.now,
        request_id=ctx.request_id,
    )
