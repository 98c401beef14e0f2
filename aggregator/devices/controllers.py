"""`/v1/devices`: the workspace's locks (devices:read), renaming and lock/unlock (devices:operate). Reads answer the
stored device documents.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from aggregator.action_attempts import service as actions
from aggregator.auth import needs
from aggregator.devices import service
from aggregator.http.context import Context
from aggregator.http.openapi import IdempotencyKey, problems
from aggregator.http.pagination import DEFAULT_LIMIT, Cursor, Limit, page_request
from aggregator.ids import parse_id
from schemas import ActionAttempt, ActionType, Device, DeviceUpdate, Page, Scope


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

    @patch(
        "/{device_id:str}",
        operation_id="UpdateDevice",
        summary="Rename a device or set its time zone",
        opt=needs(Scope.DEVICES_OPERATE),
        responses=problems(404, 422),
    )
    async def update_device(
        self, device_id: FromPath[str], data: JSONBody[DeviceUpdate], ctx: Context
    ) -> Response[Device]:
        """The gateway's own `name` and `timezone` win over the vendor's; null gives the vendor's back."""
        return _stored_json(await service.update_device(ctx, parse_id(device_id), data))

    @post(
        "/{device_id:str}/lock",
        operation_id="LockDevice",
        summary="Lock the door",
        opt=needs(Scope.DEVICES_OPERATE),
        status_code=202,
        responses=problems(404, 422, 503),
    )
    async def lock(
        self, device_id: FromPath[str], ctx: Context, idempotency_key: IdempotencyKey = None
    ) -> ActionAttempt:
        """Answers a pending attempt at once; poll `GET /v1/action_attempts/{id}` until it is `success` or `error`."""
        return await actions.request_action(ctx, parse_id(device_id), ActionType.LOCK_DOOR)

    @post(
        "/{device_id:str}/unlock",
        operation_id="UnlockDevice",
        summary="Unlock the door",
        opt=needs(Scope.DEVICES_OPERATE),
        status_code=202,
        responses=problems(404, 422, 503),
    )
    async def unlock(
        self, device_id: FromPath[str], ctx: Context, idempotency_key: IdempotencyKey = None
    ) -> ActionAttempt:
        """Answers a pending attempt at once; an `Idempotency-Key` makes sure a retried request never unlocks twice."""
        return await actions.request_action(ctx, parse_id(device_id), ActionType.UNLOCK_DOOR)


def _stored_json(body: bytes) -> Response[Any]:
    """Stored device JSON sent as it is; the route's annotation tells OpenAPI its shape."""
    return Response(body, media_type="application/json")
