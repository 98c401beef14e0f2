"""Scope guards: each endpoint names the scope it needs; a key without it gets 403 `insufficient_scope`."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from aggregator.auth.principal import Principal
from aggregator.http import errors
from aggregator.http.errors import ApiError
from schemas import Scope


def requires(scope: Scope) -> Guard:
    """A guard that lets through only principals holding `scope`."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal: Principal | None = connection.scope.get("auth")
        if principal is None or not principal.allows(scope):
            raise ApiError(errors.INSUFFICIENT_SCOPE, f"This endpoint needs an API key with the `{scope}` scope.")

    guard.__name__ = f"requires_{scope.value.replace(':', '_')}"
    return guard
