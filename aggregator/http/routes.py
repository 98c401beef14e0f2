"""Start-up checks on every route, so that a forgotten declaration fails at once instead of in production."""

from __future__ import annotations

from litestar import Litestar

from aggregator.auth.scopes import PUBLIC, REQUIRED_SCOPE

IDEMPOTENCY_PARAMETER = "idempotency_key"


def check_routes(app: Litestar) -> None:
    """Each non-public route names its scope; each POST documents `Idempotency-Key` (`IdempotencyKey`)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if handler.http_methods == {"OPTIONS"}:
                continue  # Litestar's automatic OPTIONS answer: no data, no key needed
            if handler.opt.get(PUBLIC):
                continue
            if REQUIRED_SCOPE not in handler.opt:
                raise RuntimeError(f"route {route.path} ({handler.handler_name}) declares no required scope")
            parameters = handler.parsed_fn_signature.parameters
            if "POST" in handler.http_methods and IDEMPOTENCY_PARAMETER not in parameters:
                raise RuntimeError(f"POST {route.path} ({handler.handler_name}) does not declare IdempotencyKey")
