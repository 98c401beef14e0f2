"""Job backend harnesses: one started backend per test, and a way to run what it has queued.

`jobs` is parametrized over the backends: `inprocess` always, and `arq` when `AGGREGATOR_TEST_REDIS_URL` is
set. Each test gets its own arq queue and job ids that start with a prefix of its own (so tests sharing one
Redis never see each other's jobs), and every Redis key that carries the prefix is deleted afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import warnings
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import datetime

import httpx
import pytest
from arq import create_pool

from aggregator.clock import utcnow
from aggregator.crypto import CredentialBox, secret_key
from aggregator.db import Database
from aggregator.jobs.arq_backend import ArqJobBackend, redis_settings
from aggregator.jobs.base import JobArg, JobBackend, JobContext, PeriodicTask, Task, TaskRegistry
from aggregator.jobs.inprocess import InProcessJobBackend
from aggregator.jobs.worker import build_worker
from aggregator.settings import Settings
from aggregator.vendors import Vendors
from providers.registry import default_registry as default_providers
from tests.conftest import DatabaseTarget

REDIS_URL = os.environ.get("AGGREGATOR_TEST_REDIS_URL")
BACKENDS = ["inprocess", *(["arq"] if REDIS_URL else [])]
RUN_TIMEOUT_SECONDS = 10.0


class JobsHarness(ABC):
    """A backend started on the test's database, with the test's own tasks."""

    kind: str

    def __init__(self, settings: Settings, target: DatabaseTarget) -> None:
        self.settings = settings
        self.target = target
        self.prefix = f"test-jobs-{secrets.token_hex(6)}"
        self.registry = TaskRegistry(())
        self._db: Database | None = None
        self._backend: JobBackend | None = None

    @property
    def backend(self) -> JobBackend:
        assert self._backend is not None, "call `await jobs.start(...)` first"
        return self._backend

    @property
    def db(self) -> Database:
        assert self._db is not None, "call `await jobs.start(...)` first"
        return self._db

    def job_id(self, name: str = "") -> str:
        """A job id no other test uses."""
        return f"{self.prefix}:{name or secrets.token_hex(4)}"

    async def start(self, *tasks: Task, periodic: Iterable[PeriodicTask] = ()) -> JobBackend:
        self.registry = TaskRegistry(tasks, periodic)
        self._db = self.target.database()
        await self._db.open()
        self._backend = await self._start_backend()
        return self._backend

    async def enqueue(
        self, task: str, *args: JobArg, job_id: str | None = None, defer_until: datetime | None = None
    ) -> bool:
        """Enqueue through the backend, under a job id of this test's (a fresh one unless given)."""
        return await self.backend.enqueue(task, *args, job_id=job_id or self.job_id(), defer_until=defer_until)

    @abstractmethod
    async def run(self) -> None:
        """Run every queued job to completion: deferred ones and retries included."""

    async def close(self) -> None:
        if self._backend is not None:
            await self._backend.close()
        if self._db is not None:
            await self._db.close()

    @abstractmethod
    async def _start_backend(self) -> JobBackend:
        """Start the backend this harness tests."""


class InProcessHarness(JobsHarness):
    kind = "inprocess"

    def __init__(self, settings: Settings, target: DatabaseTarget) -> None:
        super().__init__(settings, target)
        self._http: httpx.AsyncClient | None = None

    @property
    def inprocess(self) -> InProcessJobBackend:
        assert isinstance(self._backend, InProcessJobBackend)
        return self._backend

    @property
    def box(self) -> CredentialBox:
        return CredentialBox(secret_key(self.settings))

    async def _start_backend(self) -> JobBackend:
        self._http = httpx.AsyncClient()
        backend = InProcessJobBackend(self.registry)
        vendors = Vendors(default_providers(), self.settings, self._http, self.db, self.box, utcnow)
        await backend.start(JobContext(self.db, self._http, backend, self.settings, utcnow, vendors))
        return backend

    async def run(self) -> None:
        # `drain()` waits for running jobs only; deferred jobs and retries count as queued until they end.
        async with asyncio.timeout(RUN_TIMEOUT_SECONDS):
            while True:
                await self.inprocess.drain()
                health = await self.inprocess.health()
                if not health.queued_jobs and not health.running_jobs:
                    return
                await asyncio.sleep(0.01)

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if self._http is not None:
                await self._http.aclose()


class ArqHarness(JobsHarness):
    kind = "arq"

    def __init__(self, settings: Settings, target: DatabaseTarget) -> None:
        super().__init__(settings, target)
        self.queue_name = f"{self.prefix}:queue"
        self._closing = asyncio.Lock()  # `catch_warnings` is process-wide: one worker close at a time

    @property
    def redis_url(self) -> str:
        assert REDIS_URL
        return REDIS_URL

    def worker_settings(self) -> Settings:
        """The worker opens its own database from settings, which name the test's (schema included)."""
        return self.settings

    async def _start_backend(self) -> JobBackend:
        backend = ArqJobBackend(self.redis_url, self.registry, queue_name=self.queue_name)
        await backend.start()
        return backend

    async def run(self) -> None:
        """A burst worker: it runs jobs until its queue is empty (deferred jobs count), then stops."""
        pool = await create_pool(redis_settings(self.redis_url), default_queue_name=self.queue_name)
        worker = build_worker(
            self.worker_settings(), self.registry, queue_name=self.queue_name, burst=True, redis_pool=pool
        )
        try:
            async with asyncio.timeout(RUN_TIMEOUT_SECONDS):
                await worker.main()
        finally:
            async with self._closing:
                with warnings.catch_warnings():
                    # arq closes its pool with redis' deprecated `close()`; the pool is closed all the same.
                    warnings.filterwarnings("ignore", "Call to deprecated close", DeprecationWarning)
                    await worker.close()

    async def close(self) -> None:
        try:
            if isinstance(self._backend, ArqJobBackend):
                try:
                    pool = self._backend.pool
                except RuntimeError:  # the test closed the backend itself (and queued nothing before)
                    return
                keys = [key async for key in pool.scan_iter(match=f"*{self.prefix}*", count=1000)]
                if keys:
                    await pool.delete(*keys)
        finally:
            await super().close()


HARNESSES: dict[str, type[JobsHarness]] = {"inprocess": InProcessHarness, "arq": ArqHarness}


@asynccontextmanager
async def _harness(kind: str, settings: Settings, target: DatabaseTarget) -> AsyncIterator[JobsHarness]:
    harness = HARNESSES[kind](settings, target)
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture(params=BACKENDS)
async def jobs(
    request: pytest.FixtureRequest, settings: Settings, database_target: DatabaseTarget
) -> AsyncIterator[JobsHarness]:
    """Each job backend in turn; the test starts it with its own tasks (`await jobs.start(task, ...)`)."""
    async with _harness(request.param, settings, database_target) as harness:
        yield harness


@pytest.fixture
async def inprocess_jobs(settings: Settings, database_target: DatabaseTarget) -> AsyncIterator[InProcessHarness]:
    """The in-process backend only, for what only it does (close grace, its own periodic scheduler)."""
    async with _harness("inprocess", settings, database_target) as harness:
        assert isinstance(harness, InProcessHarness)
        yield harness


@pytest.fixture
async def arq_jobs(settings: Settings, database_target: DatabaseTarget) -> AsyncIterator[ArqHarness]:
    """The arq backend only (skipped without `AGGREGATOR_TEST_REDIS_URL`)."""
    if not REDIS_URL:
        pytest.skip("AGGREGATOR_TEST_REDIS_URL is not set")
    async with _harness("arq", settings, database_target) as harness:
        assert isinstance(harness, ArqHarness)
        yield harness
