"""Authenticates every request except the public ones by its bearer API key, then applies the key's rate limit."""

from __future__ import annotations

import math

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from aggregator.api_keys.service import authenticate
from aggregator.http import errors
from aggregator.http.context import runtime_of
from aggregator.http.errors import ApiError

PUBLIC_OPT = "public"
"""Route handlers with `opt={"public": True}` take no API key (health, the error catalogue)."""
PUBLIC_PATHS = ("^/schema",)
_AUTHORIZATION = b"authorization"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="aggregator"'}


class ApiKeyAuthMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_opt_key = PUBLIC_OPT
    exclude_path_pattern = PUBLIC_PATHS

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        runtime = runtime_of(scope)
        principal = await authenticate(runtime.db, bearer_secret(scope), now=runtime.clock())
        scope["auth"] = principal
        wait = await runtime.rate_limiter.acquire(f"api_key:{principal.api_key_id}", runtime.api_limit)
        if wait > 0:
            raise ApiError(
                errors.RATE_LIMITED,
                f"This API key is over its limit of {runtime.api_limit.rate:g} requests a second; "
                f"retry in {wait:.2f} s.",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        await next_app(scope, receive, send)


def bearer_secret(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == _AUTHORIZATION:
            scheme, _, secret = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and secret.strip():
                return secret.strip()
            raise ApiError(errors.MISSING_API_KEY, "Use `Authorization: Bearer <api key>`.", headers=_CHALLENGE)
    raise ApiError(errors.MISSING_API_KEY, headers=_CHALLENGE)
