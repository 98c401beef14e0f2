"""The default job backend: runs tasks as asyncio tasks in the gateway process, with arq's semantics."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from arq.cron import next_cron

from aggregator.clock import Clock, utcnow
from aggregator.jobs.base import JobArg, JobContext, PeriodicTask, RetryLater, Task, TaskRegistry, check_args
from schemas import HealthStatus, JobsHealth

logger = logging.getLogger("aggregator.jobs")

CLOSE_GRACE_SECONDS = 5.0


@dataclass(slots=True)
class _Job:
    id: str
    task: Task
    args: tuple[JobArg, ...]
    tries: int = 0
    running: bool = False
    finished_at: float | None = None
    timer: asyncio.TimerHandle | None = None


class InProcessJobBackend:
    """Jobs live in this process only: deferred jobs do not survive a restart (the periodic sweeps cover that)."""

    kind = "inprocess"

    def __init__(self, registry: TaskRegistry, *, concurrency: int = 10, clock: Clock = utcnow) -> None:
        self.registry = registry
        self._clock = clock
        self._slots = asyncio.Semaphore(concurrency)
        self._jobs: dict[str, _Job] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._periodic: list[asyncio.Task[None]] = []
        self._context: JobContext | None = None
        self._closing = False
        self._pruned_at = 0.0

    async def start(self, context: JobContext) -> None:
        self._context = context
        self._closing = False
        self._periodic = [asyncio.create_task(self._schedule(entry)) for entry in self.registry.periodic]

    async def close(self) -> None:
        """Stop scheduling; give running jobs `CLOSE_GRACE_SECONDS`, then cancel them. Deferred jobs are dropped."""
        self._closing = True
        for task in self._periodic:
            task.cancel()
        for job in self._jobs.values():
            if job.timer is not None:
                job.timer.cancel()
        running = set(self._running)
        if running:
            _, pending = await asyncio.wait(running, timeout=CLOSE_GRACE_SECONDS)
            for task in pending:
                task.cancel()
        await asyncio.gather(*self._periodic, *running, return_exceptions=True)
        self._context = None

    async def enqueue(
        self,
        task: str,
        *args: JobArg,
        job_id: str | None = None,
        defer_until: datetime | None = None,
    ) -> bool:
        check_args(task, args, defer_until)
        definition = self.registry.get(task)
        if self._context is None:
            raise RuntimeError("the in-process job backend is not running")
        if self._closing:  # a job finishing during shut-down: what it schedules is covered by the next sweep
            logger.info("job %s (%s) not scheduled: shutting down", job_id, task)
            return False
        self._forget_expired()
        job_id = job_id or uuid.uuid4().hex
        if job_id in self._jobs:
            return False
        job = _Job(job_id, definition, args)
        self._jobs[job_id] = job
        delay = (defer_until - self._clock()).total_seconds() if defer_until else 0.0
        self._schedule_run(job, delay)
        return True

    async def health(self) -> JobsHealth:
        started = self._context is not None
        return JobsHealth(
            status=HealthStatus.OK if started else HealthStatus.UNAVAILABLE,
            kind=self.kind,
            queued_jobs=sum(1 for job in self._jobs.values() if job.finished_at is None and not job.running),
            running_jobs=sum(1 for job in self._jobs.values() if job.running),
        )

    async def drain(self) -> None:
        """Wait until no job is running or due now (tests use this; deferred jobs are not waited for)."""
        while self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)
            await asyncio.sleep(0)

    def _schedule_run(self, job: _Job, delay: float) -> None:
        if self._closing:
            return  # shutting down: in-process jobs do not outlive the process
        if delay > 0:
            job.timer = asyncio.get_running_loop().call_later(delay, self._launch, job)
        else:
            self._launch(job)

    def _launch(self, job: _Job) -> None:
        job.timer = None
        runner = asyncio.create_task(self._run(job), name=f"job:{job.task.name}:{job.id}")
        self._running.add(runner)
        runner.add_done_callback(self._running.discard)

    async def _run(self, job: _Job) -> None:
        async with self._slots:
            if self._context is None:
                return
            job.running = True
            job.tries += 1
            try:
                async with asyncio.timeout(job.task.timeout.total_seconds()):
                    await job.task.fn(self._context, *job.args)
            except RetryLater as retry:
                if self._retry(job, retry):
                    return
            except Exception:
                logger.exception("job %s (%s) failed on try %d", job.id, job.task.name, job.tries)
            finally:
                job.running = False
            self._finish(job)

    def _finish(self, job: _Job) -> None:
        if job.task.keep_result.total_seconds() > 0:
            job.finished_at = time.monotonic()
        else:
            self._jobs.pop(job.id, None)

    def _retry(self, job: _Job, retry: RetryLater) -> bool:
        if job.tries >= job.task.max_tries:
            logger.warning("job %s (%s) gave up after %d tries: %s", job.id, job.task.name, job.tries, retry)
            return False
        logger.info("job %s (%s) retries in %s: %s", job.id, job.task.name, retry.defer, retry)
        self._schedule_run(job, retry.defer.total_seconds())
        return True

    def _forget_expired(self) -> None:
        """Free the ids of jobs whose `keep_result` has passed (scanned at most once a second)."""
        now = time.monotonic()
        if now - self._pruned_at < 1.0:
            return
        self._pruned_at = now
        expired = [
            job_id
            for job_id, job in self._jobs.items()
            if job.finished_at is not None and now - job.finished_at >= job.task.keep_result.total_seconds()
        ]
        for job_id in expired:
            del self._jobs[job_id]

    async def _schedule(self, entry: PeriodicTask) -> None:
        """Enqueue `entry` at each time its cron fields match, under a per-run job id as arq's cron does."""
        if entry.on_start:
            await self.enqueue(entry.task.name, job_id=f"cron:{entry.task.name}:start")
        while True:
            now = self._clock()
            due = next_cron(now, **entry.cron_fields(), microsecond=0)
            await asyncio.sleep(max((due - now).total_seconds(), 0.0))
            await self.enqueue(entry.task.name, job_id=f"cron:{entry.task.name}:{int(due.timestamp())}")
