"""`/v1/action_attempts`: poll a lock or unlock command until it succeeds or fails (devices:read scope)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath

from aggregator.action_attempts import service
from aggregator.auth import needs
from aggregator.http.context import Context
from aggregator.http.openapi import problems
from aggregator.ids import parse_id
from schemas import ActionAttempt, Scope


class ActionAttemptController(Controller):
    path = "/v1/action_attempts"
    tags = ["Action attempts"]
    opt = needs(Scope.DEVICES_READ)

    @get("/{attempt_id:str}", operation_id="GetActionAttempt", summary="Get an action attempt", responses=problems(404))
    async def get_attempt(self, attempt_id: FromPath[str], ctx: Context) -> ActionAttempt:
        return await service.get_attempt(ctx.db, ctx.workspace_id, parse_id(attempt_id))
