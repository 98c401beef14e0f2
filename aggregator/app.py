"""The composition root: `create_app(settings)` wires every controller, middleware and resource; nothing else does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

import httpx
from litestar import Litestar
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from aggregator.action_attempts.controllers import ActionAttemptController
from aggregator.api_keys.controllers import ApiKeyController
from aggregator.audit.controllers import AuditController
from aggregator.auth.middleware import ApiKeyAuthMiddleware
from aggregator.clock import Clock, utcnow
from aggregator.connected_accounts.controllers import ConnectedAccountController
from aggregator.db import Database
from aggregator.devices.controllers import DeviceController
from aggregator.events.controllers import EventController
from aggregator.health.controllers import health
from aggregator.http.context import request_context
from aggregator.http.openapi import openapi_config
from aggregator.http.problems import problem_details_plugin, unexpected_exception
from aggregator.http.request_id import add_request_id_header
from aggregator.http.routes import check_routes
from aggregator.idempotency.middleware import IdempotencyMiddleware
from aggregator.jobs.base import JobBackend, TaskRegistry
from aggregator.jobs.catalog import default_registry
from aggregator.problems.controllers import ProblemController
from aggregator.runtime import open_runtime
from aggregator.settings import Settings

ROUTES: list[ControllerRouterHandler] = [
    health,
    ProblemController,
    ApiKeyController,
    ConnectedAccountController,
    DeviceController,
    ActionAttemptController,
    EventController,
    AuditController,
]


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    http_client: httpx.AsyncClient | None = None,
    jobs: JobBackend | None = None,
    registry: TaskRegistry | None = None,
    clock: Clock = utcnow,
) -> Litestar:
    """Build the gateway. Resources open in the lifespan, not here: building an app connects to nothing."""
    registry = registry or default_registry()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_runtime(
            settings, registry, database=database, http_client=http_client, jobs=jobs, clock=clock
        ) as runtime:
            app.state.runtime = runtime
            yield

    app = Litestar(
        route_handlers=ROUTES,
        lifespan=[lifespan],
        middleware=[ApiKeyAuthMiddleware(), IdempotencyMiddleware()],
        dependencies={
            "ctx": Provide(request_context, sync_to_thread=False),
        },
        before_send=[add_request_id_header],
        plugins=[problem_details_plugin()],
        exception_handlers={Exception: unexpected_exception},
        openapi_config=openapi_config(_version()),
        request_max_body_size=settings.max_body_bytes,
        debug=False,
    )
    check_routes(app)
    return app


def _version() -> str:
    try:
        return version("aggregator")
    except PackageNotFoundError:
        return "0.0.0"


def from_env() -> Litestar:
    """An app factory for any ASGI server: `uvicorn --factory aggregator.app:from_env --workers 4`."""
    return create_app(Settings.from_env())
