"""`/v1/connected_accounts`: the workspace's vendor logins (devices:read scope to read)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from aggregator.auth import requires
from aggregator.connected_accounts import service
from aggregator.http.context import Context
from aggregator.http.openapi import problems
from aggregator.http.pagination import Paging
from aggregator.ids import parse_id
from schemas import ConnectedAccount, Page, Scope


class ConnectedAccountController(Controller):
    path = "/v1/connected_accounts"
    tags = ["Connected accounts"]
    guards = [requires(Scope.DEVICES_READ)]

    @get(operation_id="ListConnectedAccounts", summary="List connected accounts", responses=problems(422))
    async def list_accounts(
        self,
        ctx: Context,
        page: Paging,
        provider: Annotated[str | None, QueryParameter(description="Only this provider's accounts.")] = None,
    ) -> Page[ConnectedAccount]:
        return await service.list_accounts(ctx.db, ctx.workspace_id, page, provider=provider)

    @get(
        "/{account_id:str}",
        operation_id="GetConnectedAccount",
        summary="Get a connected account",
        responses=problems(404),
    )
    async def get_account(self, account_id: FromPath[str], ctx: Context) -> ConnectedAccount:
        return await service.get_account(ctx.db, ctx.workspace_id, parse_id(account_id))
