"""`/v1/access_codes` (access_codes:read to read, access_codes:write to change) and each lock's unmanaged codes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from aggregator.access_codes import service
from aggregator.auth import needs
from aggregator.http.context import Context
from aggregator.http.openapi import IdempotencyKey, problems
from aggregator.http.pagination import DEFAULT_LIMIT, Cursor, Limit, page_request
from aggregator.ids import parse_id
from schemas import AccessCode, AccessCodeCreate, AccessCodeUpdate, Page, Scope

WRITE = needs(Scope.ACCESS_CODES_WRITE)


class AccessCodeController(Controller):
    path = "/v1/access_codes"
    tags = ["Access codes"]
    opt = needs(Scope.ACCESS_CODES_READ)

    @post(
        operation_id="CreateAccessCode", summary="Create an access code", opt=WRITE, responses=problems(404, 409, 422)
    )
    async def create_code(
        self, data: JSONBody[AccessCodeCreate], ctx: Context, idempotency_key: IdempotencyKey = None
    ) -> AccessCode:
        """Checked against the lock before anything is stored; then `setting` until the lock has it (`set`)."""
        return await service.create_code(ctx, data)

    @get(operation_id="ListAccessCodes", summary="List access codes", responses=problems(404, 422))
    async def list_codes(
        self,
        ctx: Context,
        device_id: Annotated[UUID | None, QueryParameter(description="Only this lock's codes.")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page[AccessCode]:
        return await service.list_codes(ctx, page_request(limit, cursor), device_id=device_id, managed=True)

    @get("/{code_id:str}", operation_id="GetAccessCode", summary="Get an access code", responses=problems(404))
    async def get_code(self, code_id: FromPath[str], ctx: Context) -> AccessCode:
        return await service.get_code(ctx, parse_id(code_id))

    @patch(
        "/{code_id:str}",
        operation_id="UpdateAccessCode",
        summary="Change an access code",
        opt=WRITE,
        responses=problems(404, 409, 422),
    )
    async def update_code(self, code_id: FromPath[str], data: JSONBody[AccessCodeUpdate], ctx: Context) -> AccessCode:
        """Name, PIN or window; `"type": "ongoing"` drops the window. The lock follows shortly."""
        return await service.update_code(ctx, parse_id(code_id), data)

    @delete(
        "/{code_id:str}",
        operation_id="DeleteAccessCode",
        summary="Delete an access code",
        opt=WRITE,
        status_code=202,
        responses=problems(404),
    )
    async def delete_code(self, code_id: FromPath[str], ctx: Context) -> AccessCode:
        """`removing` until the lock no longer has the code; then it is gone (a GET answers 404)."""
        return await service.delete_code(ctx, parse_id(code_id))

    @post(
        "/{code_id:str}/convert_to_managed",
        operation_id="ConvertAccessCodeToManaged",
        summary="Take over an unmanaged code",
        opt=WRITE,
        status_code=200,
        responses=problems(404, 409),
    )
    async def convert(self, code_id: FromPath[str], ctx: Context, idempotency_key: IdempotencyKey = None) -> AccessCode:
        """The gateway keeps the code as the lock has it now; changes made elsewhere are undone from then on."""
        return await service.convert_to_managed(ctx, parse_id(code_id))


class UnmanagedAccessCodeController(Controller):
    path = "/v1/devices/{device_id:str}/unmanaged_access_codes"
    tags = ["Access codes"]
    opt = needs(Scope.ACCESS_CODES_READ)

    @get(operation_id="ListUnmanagedAccessCodes", summary="Codes found on a lock", responses=problems(404, 422))
    async def list_unmanaged(
        self, device_id: FromPath[str], ctx: Context, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Page[AccessCode]:
        """Codes the lock holds that the gateway did not set (as last read); they are never removed by it."""
        page = page_request(limit, cursor)
        return await service.unmanaged_codes(ctx, parse_id(device_id), page)
