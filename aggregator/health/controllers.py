"""`GET /health`: 200 when the database and job backend answer, 503 (same body) when one does not."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, get
from litestar.openapi import ResponseSpec

from aggregator.auth.scopes import PUBLIC
from aggregator.http.context import runtime_of
from aggregator.runtime import Runtime
from schemas import ComponentHealth, Health, HealthStatus

logger = logging.getLogger("aggregator.health")


@get(
    "/health",
    operation_id="GetHealth",
    summary="Health of the gateway",
    tags=["Service"],
    security=[{}],  # no API key: an empty requirement
    opt={PUBLIC: True},
    responses={503: ResponseSpec(data_container=Health, description="The database or job backend is down.")},
)
async def health(request: Request[Any, Any, Any]) -> Response[Health]:
    """Checks the database with a query and asks the job backend for its state."""
    runtime = runtime_of(request.scope)
    report = Health(
        status=HealthStatus.OK,
        database=await _database_health(runtime),
        jobs=await runtime.jobs.health(),
    )
    healthy = report.database.status is HealthStatus.OK and report.jobs.status is HealthStatus.OK
    if not healthy:
        report = Health(status=HealthStatus.UNAVAILABLE, database=report.database, jobs=report.jobs)
    return Response(report, status_code=200 if healthy else 503)


async def _database_health(runtime: Runtime) -> ComponentHealth:
    try:
        seconds = await runtime.db.ping()
    except Exception as exc:
        # /health is public: name the failure, leave hosts and messages to the logs
        logger.warning("health check: database unavailable: %r", exc)
        return ComponentHealth(status=HealthStatus.UNAVAILABLE, kind=runtime.db.dialect, detail=type(exc).__name__)
    return ComponentHealth(status=HealthStatus.OK, kind=runtime.db.dialect, latency_ms=round(seconds * 1000, 3))
