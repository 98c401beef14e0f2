"""Drift for support staff: `GET /v1/devices/{id}/drift`, `GET /v1/drift` (access_codes:read) and
`POST /v1/devices/{id}/reconcile` (access_codes:write).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter

from aggregator.auth import needs
from aggregator.http.context import Context
from aggregator.http.openapi import IdempotencyKey, problems
from aggregator.http.pagination import DEFAULT_LIMIT, Cursor, Limit
from aggregator.ids import parse_id
from aggregator.reconcile import service
from schemas import DeviceDrift, Page, Scope


class DriftController(Controller):
    tags = ["Drift"]
    opt = needs(Scope.ACCESS_CODES_READ)

    @get(
        "/v1/devices/{device_id:str}/drift",
        operation_id="GetDeviceDrift",
        summary="A lock's drift",
        responses=problems(404),
    )
    async def device_drift(
        self,
        device_id: FromPath[str],
        ctx: Context,
        refresh: Annotated[bool, QueryParameter(description="Read the lock's codes from the vendor now.")] = False,
    ) -> DeviceDrift:
        """What the lock holds (as last read, or read now with `refresh=true`) against what it should hold, each
        difference with its reason. Nothing is changed on the lock.
        """
        return await service.device_drift(ctx, parse_id(device_id), refresh=refresh)

    @get("/v1/drift", operation_id="ListDrift", summary="Locks out of sync", responses=problems(422))
    async def workspace_drift(
        self, ctx: Context, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Page[DeviceDrift]:
        """Every lock of the workspace that is out of sync, the longest drifting first."""
        manifests = lambda slug: ctx.vendors.provider(slug).manifest  # noqa: E731
        return await service.workspace_drift(ctx.db, ctx.workspace_id, manifests, ctx.now, limit=limit, cursor=cursor)

    @post(
        "/v1/devices/{device_id:str}/reconcile",
        operation_id="ReconcileDevice",
        summary="Reconcile a lock now",
        opt=needs(Scope.ACCESS_CODES_WRITE),
        status_code=202,
        responses=problems(404),
    )
    async def reconcile(
        self, device_id: FromPath[str], ctx: Context, idempotency_key: IdempotencyKey = None
    ) -> DeviceDrift:
        """Queues a reconcile of the lock; the answer is its drift as known now."""
        return await service.reconcile_now(ctx, parse_id(device_id))
