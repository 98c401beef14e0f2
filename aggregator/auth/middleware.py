"""Authenticates every non-public request by its bearer API key, checks the scope, applies the key's rate limit.

Failed authentications are limited too, per client address, so that guessing costs the guesser, not the database.
"""

from __future__ import annotations

import math
from typing import cast

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send

from aggregator.api_keys.service import authenticate
from aggregator.auth.scopes import PUBLIC, check_scope
from aggregator.http import errors
from aggregator.http.context import runtime_of
from aggregator.http.errors import ApiError
from aggregator.http.headers import header
from aggregator.ratelimit import Limit
from aggregator.runtime import Runtime

_AUTHORIZATION = b"authorization"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="aggregator"'}
FAILED_AUTHENTICATIONS = Limit(rate=2.0, burst=30)
"""Per client address: 30 failures at once, then 2 a second; beyond that 429 instead of 401."""


class ApiKeyAuthMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_opt_key = PUBLIC

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if cast("HTTPScope", scope)["method"] == "OPTIONS":
            await next_app(scope, receive, send)  # only Litestar's automatic `Allow` answer
            return
        runtime = runtime_of(scope)
        try:
            principal = await authenticate(runtime.db, bearer_secret(scope), now=runtime.clock())
        except ApiError:
            await _count_failure(runtime, scope)
            raise
        scope["auth"] = principal
        check_scope(principal, scope["route_handler"])
        wait = await runtime.rate_limiter.acquire(f"api_key:{principal.api_key_id}", runtime.api_limit)
        if wait > 0:
            message = f"This API key is over its limit of {runtime.api_limit.rate:g} requests a second."
            raise _too_many(message, wait)
        await next_app(scope, receive, send)


async def _count_failure(runtime: Runtime, scope: Scope) -> None:
    client = scope.get("client")
    address = client[0] if client else "unknown"
    wait = await runtime.rate_limiter.acquire(f"auth_failures:{address}", FAILED_AUTHENTICATIONS)
    if wait > 0:
        raise _too_many("Too many requests with a missing or invalid API key from this address.", wait)


def _too_many(message: str, wait: float) -> ApiError:
    return ApiError(
        errors.RATE_LIMITED, f"{message} Retry in {wait:.2f} s.", headers={"Retry-After": str(max(1, math.ceil(wait)))}
    )


def bearer_secret(scope: Scope) -> str:
    value = header(scope, _AUTHORIZATION)
    if value is None:
        raise ApiError(errors.MISSING_API_KEY, headers=_CHALLENGE)
    scheme, _, secret = value.decode("latin-1").strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(errors.MISSING_API_KEY, "Use `Authorization: Bearer <api key>`.", headers=_CHALLENGE)
    return secret.strip()
