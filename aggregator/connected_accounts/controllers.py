"""`/v1/connected_accounts`: the workspace's vendor logins (devices:read scope to read)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from aggregator.auth import needs
from aggregator.connected_accounts import service
from aggregator.http.context import Context
from aggregator.http.openapi import problems
from aggregator.http.pagination import DEFAULT_LIMIT, Cursor, Limit, page_request
from aggregator.ids import parse_id
from schemas import ConnectedAccount, Page, Scope


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

    @get(
        "/{account_id:str}",
        operation_id="GetConnectedAccount",
        summary="Get a connected account",
        responses=problems(404),
    )
    async def get_account(self, account_id: FromPath[str], ctx: Context) -> ConnectedAccount:
        return await service.get_account(ctx.db, ctx.workspace_id, parse_id(account_id))
