"""The per-request context handed to every authenticated endpoint: database, caller, time, request id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from aggregator.auth.principal import SYSTEM, Actor, Principal
from aggregator.db import Database
from aggregator.http.request_id import request_id
from aggregator.jobs.base import JobBackend
from aggregator.runtime import Runtime
from aggregator.vendors import Vendors


@dataclass(frozen=True, slots=True)
class RequestContext:
    db: Database
    jobs: JobBackend
    vendors: Vendors
    principal: Principal
    now: datetime
    request_id: str
    acting_as: Actor | None = None
    """Who audit entries name when not the principal's API key (the gateway itself, seeding the sandbox)."""

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.principal.workspace_id

    @property
    def actor(self) -> Actor:
        return self.acting_as or self.principal.actor


def system_context(runtime: Runtime, workspace_id: uuid.UUID, rid: str) -> RequestContext:
    """A context for work the gateway does on its own in a workspace (no API key behind it)."""
    principal = Principal(api_key_id=uuid.UUID(int=0), workspace_id=workspace_id, scopes=frozenset())
    return RequestContext(runtime.db, runtime.jobs, runtime.vendors, principal, runtime.clock(), rid, SYSTEM)


def runtime_of(scope: Any) -> Runtime:
    runtime: Runtime = scope["litestar_app"].state.runtime
    return runtime


def request_context(request: Request[Any, Any, Any]) -> RequestContext:
    """A Litestar dependency (`ctx`): one object instead of five injections on the hot path."""
    runtime = runtime_of(request.scope)
    return RequestContext(
        db=runtime.db,
        jobs=runtime.jobs,
        vendors=runtime.vendors,
        principal=request.scope["auth"],
        now=runtime.clock(),
        request_id=request_id(request.scope),
    )


Context = NamedDependency[RequestContext]
"""How an endpoint asks for its `RequestContext`: `ctx: Context`."""
