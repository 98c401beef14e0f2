"""The process's shared resources, opened once and closed once: database, HTTP client, jobs, rate limits, vendors.

`open_runtime` is used by the gateway's lifespan and by `aggregator worker`, so both get the same wiring.
Anything a test wants to replace (database, HTTP client, job backend, clock) can be passed in.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass

import httpx
from arq import create_pool
from arq.connections import ArqRedis

from aggregator.clock import Clock, utcnow
from aggregator.crypto import CredentialBox, secret_key
from aggregator.db import Database
from aggregator.jobs.arq_backend import DEFAULT_QUEUE, ArqJobBackend, redis_settings
from aggregator.jobs.base import JobBackend, JobContext, TaskRegistry
from aggregator.jobs.inprocess import InProcessJobBackend
from aggregator.provider_webhooks.tokens import WebhookTokens
from aggregator.ratelimit import Limit, MemoryRateLimiter, RateLimiter, RedisRateLimiter
from aggregator.redaction import redact
from aggregator.sandbox_clouds import SandboxClouds
from aggregator.settings import Settings
from aggregator.vendors import Vendors
from providers.registry import ProviderRegistry
from providers.registry import default_registry as default_providers

VENDOR_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class DependencyUnavailable(RuntimeError):
    """Redis (or another dependency besides the database) cannot be reached at start."""


@dataclass(slots=True)
class Runtime:
    settings: Settings
    db: Database
    http: httpx.AsyncClient
    jobs: JobBackend
    rate_limiter: RateLimiter
    api_limit: Limit
    clock: Clock
    vendors: Vendors
    webhook_tokens: WebhookTokens


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    registry: TaskRegistry,
    *,
    providers: ProviderRegistry | None = None,
    sandbox: SandboxClouds | None = None,
    database: Database | None = None,
    http_client: httpx.AsyncClient | None = None,
    jobs: JobBackend | None = None,
    redis: ArqRedis | None = None,
    clock: Clock = utcnow,
) -> AsyncIterator[Runtime]:
    """Open everything `settings` asks for (or use what is passed in), yield it, close it in reverse."""
    key = secret_key(settings)
    box = CredentialBox(key)
    async with AsyncExitStack() as stack:
        db = database or Database(settings.database_url, pool_size=settings.database_pool_size)
        await db.open()
        stack.push_async_callback(db.close)
        if http_client is None:  # entered: its transports live as long as the runtime (sandbox WebSockets need it)
            http_client = await stack.enter_async_context(_http_client(settings, sandbox))
        if redis is None and settings.redis_url:
            redis = await _connect_redis(settings.redis_url)
            stack.push_async_callback(redis.aclose)
        limiter: RateLimiter = MemoryRateLimiter() if redis is None else RedisRateLimiter(redis)
        jobs = jobs or _job_backend(registry, redis, clock)
        limit = Limit(rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst)
        vendors = Vendors(providers or default_providers(), settings, http_client, db, box, clock, sandbox, limiter)
        runtime = Runtime(settings, db, http_client, jobs, limiter, limit, clock, vendors, WebhookTokens(key))
        await jobs.start(runtime_job_context(runtime))
        stack.push_async_callback(jobs.close)
        yield runtime


def runtime_job_context(runtime: Runtime) -> JobContext:
    return JobContext(runtime.db, runtime.http, runtime.jobs, runtime.settings, runtime.clock, runtime.vendors)


def _http_client(settings: Settings, sandbox: SandboxClouds | None) -> httpx.AsyncClient:
    """The one HTTP client for vendor calls; in sandbox mode the gateway's own address reaches the simulators."""
    mounts = None
    if sandbox is not None:
        origin = httpx.URL(settings.public_base_url)
        mounts = {f"{origin.scheme}://{origin.netloc.decode()}": sandbox.transport()}
    return httpx.AsyncClient(timeout=VENDOR_TIMEOUT, mounts=mounts)


def _job_backend(registry: TaskRegistry, redis: ArqRedis | None, clock: Clock) -> JobBackend:
    if redis is None:
        return InProcessJobBackend(registry, clock=clock)
    return ArqJobBackend.from_pool(redis, registry, queue_name=DEFAULT_QUEUE)


async def _connect_redis(url: str) -> ArqRedis:
    try:
        with _quiet("arq.connections"):  # its retry warnings; the error below says it once
            pool = await create_pool(redis_settings(url), default_queue_name=DEFAULT_QUEUE)
        await pool.ping()
    except Exception as exc:
        raise DependencyUnavailable(f"cannot reach Redis at {redact(url)}: {exc}") from exc
    return pool


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


async def check_redis(url: str) -> None:
    """Raise `DependencyUnavailable` with a clear message when Redis at `url` does not answer."""
    pool = await _connect_redis(url)
    await pool.aclose()
