"""`/v1/devices`: the workspace's locks (devices:read scope). Answers are the stored device documents."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, get
from litestar.params import FromPath, QueryParameter

from aggregator.auth import needs
from aggregator.devices import service
from aggregator.http.context import Context
from aggregator.http.openapi import problems
from aggregator.http.pagination import DEFAULT_LIMIT, Cursor, Limit, page_request
from aggregator.ids import parse_id
from schemas import Device, Page, Scope


class DeviceController(Controller):
    path = "/v1/devices"
    tags = ["Devices"]
    opt = needs(Scope.DEVICES_READ)

    @get(operation_id="ListDevices", summary="List devices", responses=problems(422))
    async def list_devices(
        self,
        ctx: Context,
        provider: Annotated[str | None, QueryParameter(description="Only this provider's devices.")] = None,
        connected_account_id: Annotated[
            UUID | None, QueryParameter(description="Only devices of this connected account.")
        ] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[Page[Device]]:
        page = page_request(limit, cursor)
        body = await service.device_page(
            ctx.db, ctx.workspace_id, page, provider=provider, connected_account_id=connected_account_id
        )
        return _stored_json(body)

    @get("/{device_id:str}", operation_id="GetDevice", summary="Get a device", responses=problems(404))
    async def get_device(self, device_id: FromPath[str], ctx: Context) -> Response[Device]:
        body = await service.device_document(ctx.db, ctx.workspace_id, parse_id(device_id))
        return _stored_json(body)


def _stored_json(body: bytes) -> Response[Any]:
    """Stored device JSON sent as it is; the route's annotation tells OpenAPI its shape."""
    return Response(body, media_type="application/json")
