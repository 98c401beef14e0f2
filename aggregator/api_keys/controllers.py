"""`/v1/api_keys`: manage the workspace's API keys (admin scope)."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from aggregator.api_keys import service
from aggregator.auth import needs
from aggregator.http.context import Context
from aggregator.http.openapi import IdempotencyKey, problems
from aggregator.http.pagination import DEFAULT_LIMIT, Cursor, Limit, page_request
from aggregator.ids import parse_id
from schemas import ApiKey, ApiKeyCreate, ApiKeyWithSecret, Page, Scope


class ApiKeyController(Controller):
    path = "/v1/api_keys"
    tags = ["API keys"]
    opt = needs(Scope.ADMIN)

    @post(operation_id="CreateApiKey", summary="Create an API key", responses=problems(400, 409, 422))
    async def create_key(
        self, data: JSONBody[ApiKeyCreate], ctx: Context, idempotency_key: IdempotencyKey = None
    ) -> ApiKeyWithSecret:
        """The answer holds the key's `secret`, the only time it is shown; store it now."""
        created = await service.create_key(
            ctx.db,
            workspace_id=ctx.workspace_id,
            name=data.name,
            scopes=data.scopes,
            actor=ctx.actor,
            at=ctx.now,
            request_id=ctx.request_id,
        )
        return created.answer()

    @get(operation_id="ListApiKeys", summary="List API keys", responses=problems(422))
    async def list_keys(self, ctx: Context, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Page[ApiKey]:
        return await service.list_keys(ctx.db, ctx.workspace_id, page_request(limit, cursor))

    @get("/{key_id:str}", operation_id="GetApiKey", summary="Get an API key", responses=problems(404))
    async def get_key(self, key_id: FromPath[str], ctx: Context) -> ApiKey:
        return await service.get_key(ctx.db, ctx.workspace_id, parse_id(key_id))

    @delete(
        "/{key_id:str}",
        operation_id="RevokeApiKey",
        summary="Revoke an API key",
        status_code=200,
        responses=problems(404),
    )
    async def revoke_key(self, key_id: FromPath[str], ctx: Context) -> ApiKey:
        """The key stops working at once; the answer shows it with `revoked_at` set."""
        return await service.revoke_key(
            ctx.db,
            workspace_id=ctx.workspace_id,
            key_id=parse_id(key_id),
            actor=ctx.actor,
            at=ctx.now,
            request_id=ctx.request_id,
        )
