"""`GET /health`: 200 when the database and the job backend answer, 503 with the same report when not."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from aggregator.db import Database
from schemas import HealthStatus, JobsHealth


async def test_healthy(client: httpx.AsyncClient, db: Database):
    answer = await client.get("/health")
    assert answer.status_code == 200
    report = answer.json()
    assert report["status"] == "ok"
    assert report["database"]["status"] == "ok"
    assert report["database"]["kind"] == db.dialect
    assert report["database"]["latency_ms"] >= 0
    assert report["jobs"] == {
        "status": "ok",
        "kind": "inprocess",
        "latency_ms": None,
        "detail": None,
        "queued_jobs": 0,
        "running_jobs": 0,
    }


async def test_a_dead_database_is_a_503(client: httpx.AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch):
    async def down() -> float:
        raise ConnectionError("connection refused")

    monkeypatch.setattr(db, "ping", down)
    answer = await client.get("/health")
    assert answer.status_code == 503
    assert answer.json()["status"] == "unavailable"
    assert answer.json()["database"] == {
        "status": "unavailable",
        "kind": db.dialect,
        "latency_ms": None,
        "detail": "ConnectionError",
    }


async def test_a_dead_job_backend_is_a_503(client: httpx.AsyncClient, app: Litestar, monkeypatch: pytest.MonkeyPatch):
    async def down() -> JobsHealth:
        return JobsHealth(status=HealthStatus.UNAVAILABLE, kind="arq", detail="Redis: connection refused")

    monkeypatch.setattr(app.state.runtime.jobs, "health", down)
    answer = await client.get("/health")
    assert answer.status_code == 503
    assert answer.json()["jobs"]["detail"] == "Redis: connection refused"
    assert answer.json()["database"]["status"] == "ok"


async def test_a_database_outage_during_a_request_is_a_503(client: httpx.AsyncClient, db: Database, monkeypatch):
    from tests.factories import make_tenant

    tenant = await make_tenant(db, "outage")

    async def refused(*_: object) -> None:
        raise ConnectionRefusedError("connection refused")

    monkeypatch.setattr(db, "fetch_all", refused)
    answer = await client.get("/v1/devices", headers=tenant.headers)
    assert answer.status_code == 503
    assert answer.json()["code"] == "service_unavailable"
    assert answer.headers["retry-after"] == "5"
