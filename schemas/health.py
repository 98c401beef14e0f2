"""The answer of `GET /health`: is the gateway and what it depends on working."""

from __future__ import annotations

import enum

from schemas.base import WireStruct


class HealthStatus(enum.StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"


class ComponentHealth(WireStruct):
    """One dependency: its status, what it is, and how long the check took."""

    status: HealthStatus
    kind: str
    latency_ms: float | None = None
    detail: str | None = None


class JobsHealth(ComponentHealth):
    """The job backend, with its queue depth where it has one."""

    queued_jobs: int | None = None
    running_jobs: int | None = None


class Health(WireStruct):
    """Overall status is `ok` only when every component is."""

    status: HealthStatus
    database: ComponentHealth
    jobs: JobsHealth
