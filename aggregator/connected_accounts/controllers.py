"""`/v1/connected_accounts`: the workspace's vendor logins (devices:read scope to read)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from aggregator.auth import needs
from aggregator.connected_accounts import service
from aggregator.http.context import Context
from aggregator.http.openapi import IdempotencyKey, problems
from aggregator.http.pagination import DEFAULT_LIMIT, Cursor, Limit, page_request
from aggregator.ids import parse_id
from schemas import ConnectedAccount, ConnectedAccountCreate, Page, Scope


class ConnectedAccountController(Controller):
    path = "/v1/connected_accounts"
    tags = ["Connected accounts"]
    opt = needs(Scope.DEVICES_READ)

    @get(operation_id="ListConnectedAccounts", summary="List connected accounts", responses=problems(422))
    async def list_accounts(
        self,
        ctx: Context,
        provider: Annotated[str | None, QueryParameter(description="Only this provider's accounts.")] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Page[ConnectedAccount]:
        page = page_request(limit, cursor)
        return await service.list_accounts(ctx.db, ctx.workspace_id, page, provider=provider)

    @post(
        operation_id="CreateConnectedAccount",
        summary="Connect a vendor account with credentials",
        opt=needs(Scope.ADMIN),
        responses=problems(400, 409, 422, 502, 503),
    )
    async def create_account(
        self, data: JSONBody[ConnectedAccountCreate], ctx: Context, idempotency_key: IdempotencyKey = None
    ) -> ConnectedAccount:
        """The credentials are tried at the vendor first; the account's devices are discovered before it answers."""
        return await service.connect_with_credentials(ctx, data)

    @delete(
        "/{account_id:str}",
        operation_id="DeleteConnectedAccount",
        summary="Remove a connected account",
        opt=needs(Scope.ADMIN),
        status_code=200,
        responses=problems(404),
    )
    async def delete_account(self, account_id: FromPath[str], ctx: Context) -> ConnectedAccount:
        """Its credentials and devices go; the events stay."""
        return await service.delete_account(ctx, parse_id(account_id))

    @post(
        "/{account_id:str}/sync",
        operation_id="SyncConnectedAccount",
        summary="Rediscover devices now",
        opt=needs(Scope.ADMIN),
        status_code=202,
        responses=problems(404, 409),
    )
    async def sync_account(
        self, account_id: FromPath[str], ctx: Context, idempotency_key: IdempotencyKey = None
    ) -> ConnectedAccount:
        return await service.request_sync(ctx, parse_id(account_id))

    @get(
        "/{account_id:str}",
        operation_id="GetConnectedAccount",
        summary="Get a connected account",
        responses=problems(404),
    )
    async def get_account(self, account_id: FromPath[str], ctx: Context) -> ConnectedAccount:
        return await service.get_account(ctx.db, ctx.workspace_id, parse_id(account_id))
