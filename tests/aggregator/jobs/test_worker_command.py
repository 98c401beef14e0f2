"""`aggregator worker` as an operator runs it: a separate process that takes the gateway's jobs from Redis."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from aggregator.clock import utcnow
from aggregator.db import Database
from aggregator.jobs.arq_backend import DEFAULT_QUEUE, ArqJobBackend
from aggregator.jobs.catalog import default_registry
from aggregator.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.factories import make_tenant

REDIS_URL = os.environ.get("AGGREGATOR_TEST_REDIS_URL")
ROOT = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not REDIS_URL, reason="AGGREGATOR_TEST_REDIS_URL is not set"),
]


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[str]:
    with log.open("w") as out:
        command = [sys.executable, "-m", "aggregator.cli.main", "worker"]
        return subprocess.Popen(command, env=env, stdout=out, stderr=out, text=True)


async def test_the_worker_process_runs_a_gateway_task(db: Database, settings: Settings, tmp_path: Path):
    tenant = await make_tenant(db, "worker")
    await db.execute(
        "INSERT INTO idempotency_records (id, workspace_id, api_key_id, key, fingerprint, status, created_at) "
        "VALUES (?, ?, ?, 'old', 'f', 'completed', ?)",
        "01a20000-0000-7000-8000-00000000c0de",
        tenant.workspace.id,
        tenant.workspace.id,
        utcnow() - timedelta(days=3),
    )
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "AGGREGATOR_DATABASE_URL": settings.database_url,
        "AGGREGATOR_REDIS_URL": REDIS_URL or "",
        "AGGREGATOR_LOG_LEVEL": "info",
        "AGGREGATOR_SECRET_KEY": TEST_SECRET_KEY,
    }
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    jobs = ArqJobBackend(REDIS_URL or "", default_registry(), queue_name=DEFAULT_QUEUE)
    await jobs.start()
    try:
        assert await jobs.enqueue("idempotency.purge_expired", job_id=f"purge-{time.time_ns()}")
        deadline = time.monotonic() + 20
        while await db.fetch_one("SELECT 1 FROM idempotency_records WHERE key = 'old'"):
            assert worker.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            await asyncio.sleep(0.1)
        health = await jobs.health()
        assert health.status == "ok"
    finally:
        await jobs.close()
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)
    assert "idempotency.purge_expired" in log.read_text()
