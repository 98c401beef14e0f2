"""Which scope each endpoint needs: declared in the route's `opt`, checked by the authentication middleware.

A declaration rather than a Litestar guard: guards cost a handler copy per request, and the middleware
already holds the principal. `check_every_route_declares_a_scope` makes forgetting one a start-up error.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar

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


def check_every_route_declares_a_scope(app: Litestar) -> None:
    """Fail at start-up, not in production, when a non-public route forgets to say which scope it needs."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if handler.http_methods == {"OPTIONS"}:
                continue  # Litestar's automatic OPTIONS answer: no data, no key needed
            if not handler.opt.get(PUBLIC) and REQUIRED_SCOPE not in handler.opt:
                raise RuntimeError(f"route {route.path} ({handler.handler_name}) declares no required scope")
