"""The composition root: `create_app(settings)` wires every controller, middleware and resource; nothing else does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import httpx
from litestar import Litestar, asgi
from litestar.datastructures import State
from litestar.di import Provide
from litestar.types import ControllerRouterHandler

from aggregator.access_codes.controllers import AccessCodeController, UnmanagedAccessCodeController
from aggregator.action_attempts.controllers import ActionAttemptController
from aggregator.api_keys.controllers import ApiKeyController
from aggregator.audit.controllers import AuditController
from aggregator.auth.middleware import ApiKeyAuthMiddleware
from aggregator.auth.scopes import PUBLIC
from aggregator.clock import Clock, utcnow
from aggregator.connect_sessions.controllers import ConnectSessionController
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
from aggregator.provider_webhooks.controllers import ProviderWebhookController
from aggregator.reconcile.controllers import DriftController
from aggregator.runtime import open_runtime
from aggregator.sandbox_accounts import connect_sandbox_accounts
from aggregator.sandbox_clouds import PREFIX as SANDBOX_PREFIX
from aggregator.sandbox_clouds import SandboxClouds
from aggregator.settings import Settings
from providers.registry import ProviderRegistry
from providers.registry import default_registry as default_providers

ROUTES: list[ControllerRouterHandler] = [
    health,
    ProblemController,
    ApiKeyController,
    ConnectSessionController,
    ConnectedAccountController,
    DeviceController,
    AccessCodeController,
    UnmanagedAccessCodeController,
    DriftController,
    ProviderWebhookController,
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
    providers: ProviderRegistry | None = None,
    clock: Clock = utcnow,
) -> Litestar:
    """Build the gateway. Resources open in the lifespan, not here: building an app connects to nothing.

    In sandbox mode every provider's simulated cloud is built here (in memory) and served under `/sandbox`.
    """
    providers = providers or default_providers()
    sandbox = SandboxClouds.build(providers, settings) if settings.sandbox else None
    wiring = _Wiring(settings, registry or default_registry(), providers, sandbox, database, http_client, jobs, clock)
    app = Litestar(
        route_handlers=[*ROUTES, *_sandbox_routes(sandbox)],
        lifespan=[wiring.lifespan],
        middleware=[ApiKeyAuthMiddleware(), IdempotencyMiddleware()],
        dependencies={"ctx": Provide(request_context, sync_to_thread=False)},
        before_send=[add_request_id_header],
        plugins=[problem_details_plugin()],
        exception_handlers={Exception: unexpected_exception},
        openapi_config=openapi_config(_version()),
        request_max_body_size=settings.max_body_bytes,
        state=State({"sandbox": sandbox}),
        debug=False,
    )
    check_routes(app)
    return app


@dataclass(frozen=True, slots=True)
class _Wiring:
    """What the lifespan opens: the settings plus whatever a test passed in instead."""

    settings: Settings
    registry: TaskRegistry
    providers: ProviderRegistry
    sandbox: SandboxClouds | None
    database: Database | None
    http_client: httpx.AsyncClient | None
    jobs: JobBackend | None
    clock: Clock

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        async with open_runtime(
            self.settings,
            self.registry,
            providers=self.providers,
            sandbox=self.sandbox,
            database=self.database,
            http_client=self.http_client,
            jobs=self.jobs,
            clock=self.clock,
        ) as runtime:
            app.state.runtime = runtime
            if self.sandbox is not None:
                await connect_sandbox_accounts(runtime)
            yield
        if self.sandbox is not None:
            await self.sandbox.close()


def _sandbox_routes(sandbox: SandboxClouds | None) -> list[ControllerRouterHandler]:
    if sandbox is None:
        return []
    mount = asgi(SANDBOX_PREFIX, is_mount=True, is_static=True, copy_scope=True, opt={PUBLIC: True})
    return [mount(sandbox.app)]


def _version() -> str:
    try:
        return version("aggregator")
    except PackageNotFoundError:
        return "0.0.0"


def from_env() -> Litestar:
    """An app factory for any ASGI server: `uvicorn --factory aggregator.app:from_env --workers 4`."""
    return create_app(Settings.from_env())
