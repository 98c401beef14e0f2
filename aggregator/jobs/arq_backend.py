"""The scale-out job backend: jobs queued in Redis with arq and run by any number of `aggregator worker`s."""

from __future__ import annotations

import time
from datetime import datetime

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings
from arq.constants import health_check_key_suffix

from aggregator.jobs.base import JobArg, JobContext, TaskRegistry, check_args
from schemas import HealthStatus, JobsHealth

DEFAULT_QUEUE = "aggregator:jobs"


class ArqJobBackend:
    """Enqueues into arq's Redis queue; the gateway process does not run jobs itself."""

    kind = "arq"

    def __init__(self, redis_url: str, registry: TaskRegistry, *, queue_name: str = DEFAULT_QUEUE) -> None:
        self.redis_url = redis_url
        self.registry = registry
        self.queue_name = queue_name
        self._pool: ArqRedis | None = None
        self._owns_pool = True

    @classmethod
    def from_pool(cls, pool: ArqRedis, registry: TaskRegistry, *, queue_name: str) -> ArqJobBackend:
        """A backend on a pool someone else owns (a worker enqueueing follow-up jobs)."""
        backend = cls("", registry, queue_name=queue_name)
        backend._pool = pool
        backend._owns_pool = False
        return backend

    @property
    def pool(self) -> ArqRedis:
        if self._pool is None:
            raise RuntimeError("the arq job backend is not started")
        return self._pool

    async def start(self, context: JobContext | None = None) -> None:
        if self._pool is None:
            self._pool = await create_pool(redis_settings(self.redis_url), default_queue_name=self.queue_name)

    async def close(self) -> None:
        if self._pool is not None and self._owns_pool:
            await self._pool.aclose()
        self._pool = None

    async def enqueue(
        self,
        task: str,
        *args: JobArg,
        job_id: str | None = None,
        defer_until: datetime | None = None,
    ) -> bool:
        check_args(task, args, defer_until)
        self.registry.get(task)
        job = await self.pool.enqueue_job(
            task, *args, _job_id=job_id, _defer_until=defer_until, _queue_name=self.queue_name
        )
        return job is not None

    async def health(self) -> JobsHealth:
        started = time.perf_counter()
        try:
            await self.pool.ping()
            queued = await self.pool.zcard(self.queue_name)
            heartbeat = await self.pool.get(self.queue_name + health_check_key_suffix)
        except Exception as exc:
            return JobsHealth(status=HealthStatus.UNAVAILABLE, kind=self.kind, detail=f"Redis: {type(exc).__name__}")
        return JobsHealth(
            status=HealthStatus.OK,
            kind=self.kind,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
            queued_jobs=int(queued),
            detail=_describe_heartbeat(heartbeat),
        )


def redis_settings(url: str) -> RedisSettings:
    """Arq's settings for `url`, failing fast (2 s, one retry) instead of arq's patient defaults."""
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = 2
    settings.conn_retries = 1
    return settings


def _describe_heartbeat(heartbeat: bytes | None) -> str:
    if heartbeat is None:
        return "no worker has reported in the last minute; start one with `aggregator worker`"
    return f"worker: {heartbeat.decode(errors='replace')}"
