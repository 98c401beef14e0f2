"""The job contract: named tasks that take ids, what they may use, and the interface both job backends offer.

A task is an async function `fn(ctx: JobContext, *ids)`. Both backends run the same functions with the
same semantics: a job id is taken while its job is queued or running and for `keep_result` after it
ends, so enqueueing twice under one id runs the task once; `RetryLater` retries after a delay up to
`max_tries`; any other exception fails the job and is logged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from aggregator.clock import Clock
from aggregator.settings import Settings
from schemas import JobsHealth

if TYPE_CHECKING:
    from aggregator.db import Database
    from aggregator.vendors import Vendors

JobArg = str | int
TaskFunction = Callable[..., Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Task:
    """A job function under a stable `domain.verb` name (renaming it would orphan queued jobs)."""

    name: str
    fn: TaskFunction
    timeout: timedelta = timedelta(minutes=5)
    max_tries: int = 5
    keep_result: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class PeriodicTask:
    """A task run on a schedule given in arq's cron fields (a set of values, or None for any)."""

    task: Task
    hour: frozenset[int] | None = None
    minute: frozenset[int] | None = None
    second: frozenset[int] = field(default_factory=lambda: frozenset({0}))
    on_start: bool = False
    """Also run when the in-process backend starts (its deferred jobs died with the last process)."""

    def cron_fields(self) -> dict[str, set[int] | None]:
        """The schedule as arq's `cron()` and `next_cron()` take it (mutable sets)."""
        return {
            "hour": None if self.hour is None else set(self.hour),
            "minute": None if self.minute is None else set(self.minute),
            "second": set(self.second),
        }


class RetryLater(Exception):
    """Raised by a task to be run again after `defer` (until its task's `max_tries` is reached)."""

    def __init__(self, defer: timedelta, reason: str = "") -> None:
        super().__init__(reason or f"retry in {defer.total_seconds():g} s")
        self.defer = defer


@dataclass(slots=True)
class JobContext:
    """What a task may use: the database, the shared HTTP client, the job backend, settings, time, vendors."""

    db: Database
    http: httpx.AsyncClient
    jobs: JobBackend
    settings: Settings
    clock: Clock
    vendors: Vendors


class JobBackend(Protocol):
    """In-process or arq: the gateway enqueues through this and never knows which."""

    kind: str

    async def start(self, context: JobContext) -> None: ...

    async def close(self) -> None: ...

    async def enqueue(
        self,
        task: str,
        *args: JobArg,
        job_id: str | None = None,
        defer_until: datetime | None = None,
    ) -> bool:
        """Queue `task(*args)`; False when `job_id` is already taken (the job will not run twice)."""
        ...

    async def health(self) -> JobsHealth: ...


class TaskRegistry:
    """The tasks a backend can run, by name."""

    def __init__(self, tasks: Iterable[Task], periodic: Iterable[PeriodicTask] = ()) -> None:
        self.tasks = {task.name: task for task in tasks}
        self.periodic = tuple(periodic)
        for scheduled in self.periodic:
            self.tasks.setdefault(scheduled.task.name, scheduled.task)

    def get(self, name: str) -> Task:
        try:
            return self.tasks[name]
        except KeyError:
            raise LookupError(f"no task named {name!r}") from None


def check_args(task: str, args: tuple[Any, ...], defer_until: datetime | None = None) -> None:
    """Tasks take ids: strings and integers only, so that a job never carries a stale object.
    A deferral is an instant: a naive datetime would mean different times to different processes.
    """
    for arg in args:
        if not isinstance(arg, str | int) or isinstance(arg, bool):
            raise TypeError(f"task {task!r} takes ids (str or int), not {type(arg).__name__}")
    if defer_until is not None and defer_until.utcoffset() is None:
        raise ValueError(f"defer_until for task {task!r} must carry an offset")
