"""Shared pieces of the job tests: a recording task and the slack allowed between clocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aggregator.clock import utcnow
from aggregator.jobs.base import JobArg, JobContext, Task

# Timers and clocks may disagree by a hair (asyncio's loop clock vs. the wall clock, arq's milliseconds).
CLOCK_SLACK = timedelta(milliseconds=5)


@dataclass
class Recorder:
    """A test-local task that notes the ids of each call and when it started."""

    calls: list[tuple[JobArg, ...]] = field(default_factory=list)
    started: list[datetime] = field(default_factory=list)

    def task(self, name: str = "test.record", **options: Any) -> Task:
        async def record(ctx: JobContext, *ids: JobArg) -> None:
            self.started.append(utcnow())
            self.calls.append(ids)

        return Task(name, record, **options)
