"""Which scope each endpoint needs: declared in the route's `opt`, checked by the authentication middleware.

A declaration rather than a Litestar guard: guards cost a handler copy per request, and the middleware
already holds the principal. `aggregator.http.routes` makes forgetting one a start-up error.
"""

from __future__ import annotations

from typing import Any

from aggregator.auth.principal import Principal
from aggregator.http import errors
from aggregator.http.errors import ApiError
from schemas import Scope

REQUIRED_SCOPE = "required_scope"
PUBLIC = "public"
"""Routes with `opt={"public": True}` take no API key: health, the error catalogue, the OpenAPI document."""


def needs(scope: Scope) -> dict[str, Any]:
    """The `opt` of a controller or route whose callers must hold `scope`."""
    return {REQUIRED_SCOPE: scope}


def check_scope(principal: Principal, handler: Any) -> None:
    needed: Scope | None = handler.opt.get(REQUIRED_SCOPE)
    if needed is None or not principal.allows(needed):
        raise ApiError(errors.INSUFFICIENT_SCOPE, f"This endpoint needs an API key with the `{needed}` scope.")
