"""`aggregator worker`: an arq worker that runs the gateway's tasks from Redis, with the gateway's own wiring."""

from __future__ import annotations

from contextlib import AsyncExitStack
from datetime import UTC
from typing import Any

from arq import Retry, Worker, cron
from arq.connections import ArqRedis
from arq.cron import CronJob
from arq.worker import Function, func

from aggregator.jobs.arq_backend import DEFAULT_QUEUE, ArqJobBackend, redis_settings
from aggregator.jobs.base import PeriodicTask, RetryLater, Task, TaskRegistry
from aggregator.runtime import open_runtime, runtime_job_context
from aggregator.settings import Settings

HEALTH_CHECK_SECONDS = 60


def build_worker(
    settings: Settings,
    registry: TaskRegistry,
    *,
    queue_name: str = DEFAULT_QUEUE,
    burst: bool = False,
    redis_pool: ArqRedis | None = None,
) -> Worker:
    """An arq `Worker` for `registry`'s tasks; `burst=True` stops once the queue is empty (tests)."""
    if not settings.redis_url and redis_pool is None:
        raise ValueError("the arq worker needs AGGREGATOR_REDIS_URL")

    async def startup(ctx: dict[str, Any]) -> None:
        stack = AsyncExitStack()
        jobs = ArqJobBackend.from_pool(ctx["redis"], registry, queue_name=queue_name)
        runtime = await stack.enter_async_context(open_runtime(settings, registry, jobs=jobs, redis=ctx["redis"]))
        ctx["exit_stack"] = stack
        ctx["job_context"] = runtime_job_context(runtime)

    async def shutdown(ctx: dict[str, Any]) -> None:
        if "exit_stack" in ctx:
            await ctx["exit_stack"].aclose()

    return Worker(
        functions=[_function(task) for task in registry.tasks.values()],
        cron_jobs=[_cron(entry) for entry in registry.periodic],
        redis_settings=redis_settings(settings.redis_url) if settings.redis_url else None,
        redis_pool=redis_pool,
        queue_name=queue_name,
        on_startup=startup,
        on_shutdown=shutdown,
        burst=burst,
        handle_signals=not burst,
        poll_delay=0.05 if burst else 0.5,
        health_check_interval=HEALTH_CHECK_SECONDS,
        timezone=UTC,  # cron fields mean UTC, as for the in-process backend (not the host's local time)
    )


def _runner(task: Task) -> Any:
    """Adapt a task to arq: hand it the JobContext, and turn `RetryLater` into arq's `Retry`."""

    async def run(ctx: dict[str, Any], *args: Any) -> None:
        try:
            await task.fn(ctx["job_context"], *args)
        except RetryLater as retry:
            raise Retry(defer=retry.defer) from retry

    run.__qualname__ = run.__name__ = task.name.replace(".", "_")
    return run


def _function(task: Task) -> Function:
    return func(
        _runner(task),
        name=task.name,
        timeout=task.timeout.total_seconds(),
        max_tries=task.max_tries,
        keep_result=task.keep_result.total_seconds(),
    )


def _cron(entry: PeriodicTask) -> CronJob:
    fields = entry.cron_fields()
    return cron(
        _runner(entry.task),
        name=f"cron:{entry.task.name}",
        hour=fields["hour"],
        minute=fields["minute"],
        second=fields["second"],
        timeout=entry.task.timeout.total_seconds(),
        max_tries=entry.task.max_tries,  # arq's cron default is 1: `RetryLater` would never retry
        unique=True,
    )
