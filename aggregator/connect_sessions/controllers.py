"""`/v1/connect_sessions`: start an OAuth login (admin), follow it, and the vendor's callback (public, state-bound)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect

from aggregator.auth import needs
from aggregator.auth.scopes import PUBLIC
from aggregator.connect_sessions import service
from aggregator.http.context import Context, runtime_of
from aggregator.http.errors import problem_response
from aggregator.http.openapi import IdempotencyKey, problems
from aggregator.http.request_id import request_id
from aggregator.ids import parse_id
from schemas import ConnectSession, ConnectSessionCreate, Scope

OptionalQuery = Annotated[str | None, QueryParameter()]
StateQuery = Annotated[str | None, QueryParameter(name="state", description="The single-use state of the login.")]


class ConnectSessionController(Controller):
    path = "/v1/connect_sessions"
    tags = ["Connected accounts"]
    opt = needs(Scope.ADMIN)

    @post(operation_id="CreateConnectSession", summary="Start an OAuth login", responses=problems(400, 409, 422))
    async def create_session(
        self, data: JSONBody[ConnectSessionCreate], ctx: Context, idempotency_key: IdempotencyKey = None
    ) -> ConnectSession:
        """Send the person to `url`; the vendor brings them back to the gateway, which creates the account."""
        return await service.create_session(ctx, data)

    @get(
        "/{session_id:str}", operation_id="GetConnectSession", summary="Get a connect session", responses=problems(404)
    )
    async def get_session(self, session_id: FromPath[str], ctx: Context) -> ConnectSession:
        return await service.get_session(ctx, parse_id(session_id))

    @get(
        "/callback",
        operation_id="ConnectSessionCallback",
        summary="The vendor's OAuth redirect",
        opt={PUBLIC: True},
        security=[{}],
        responses=problems(400),
    )
    async def callback(
        self,
        request: Request[Any, Any, Any],
        code: OptionalQuery = None,
        login_state: StateQuery = None,
        error: OptionalQuery = None,
    ) -> Response[ConnectSession]:
        """Finishes the login; redirects to the session's `redirect_url` when it has one, else answers the session."""
        rid = request_id(request.scope)
        outcome = await service.finish(runtime_of(request.scope), state=login_state, code=code, error=error, rid=rid)
        if outcome.redirect_to:
            return Redirect(outcome.redirect_to, status_code=303)
        if outcome.problem is not None:
            return problem_response(outcome.problem, rid)  # type: ignore[return-value]
        return Response(outcome.session)
