"""`/v1/audit_entries`: who changed what in this workspace, oldest first (admin scope)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from aggregator.audit import service
from aggregator.auth import needs
from aggregator.http.context import Context
from aggregator.http.openapi import problems
from aggregator.http.pagination import DEFAULT_LIMIT, Cursor, Limit, page_request
from schemas import AuditEntry, Page, Scope


class AuditController(Controller):
    path = "/v1/audit_entries"
    tags = ["Audit"]
    opt = needs(Scope.ADMIN)

    @get(operation_id="ListAuditEntries", summary="List audit entries", responses=problems(422))
    async def list_entries(
        self,
        ctx: Context,
        resource_type: Annotated[str | None, QueryParameter(description="e.g. `api_key`.")] = None,
        resource_id: Annotated[str | None, QueryParameter(description="Entries about this resource only.")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page[AuditEntry]:
        page = page_request(limit, cursor)
        return await service.list_entries(
            ctx.db, ctx.workspace_id, page, resource_type=resource_type, resource_id=resource_id
        )
