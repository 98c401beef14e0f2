from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

import pytest

from aggregator.clock import utcnow
from aggregator.jobs import inprocess
from aggregator.jobs.base import JobContext, PeriodicTask, Task
from tests.aggregator.jobs.conftest import InProcessHarness
from tests.aggregator.jobs.recorder import Recorder

# --- In-process only ---------------------------------------------------------------------------------------


async def test_inprocess_health_counts_running_jobs(inprocess_jobs: InProcessHarness):
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(ctx: JobContext, name: str) -> None:
        started.set()
        await release.wait()

    backend = await inprocess_jobs.start(Task("test.slow", slow))
    await inprocess_jobs.enqueue("test.slow", "a")
    await asyncio.wait_for(started.wait(), 5)

    health = await backend.health()
    release.set()
    await inprocess_jobs.run()

    assert (health.running_jobs, health.queued_jobs) == (1, 0)
    assert (await backend.health()).running_jobs == 0


async def test_inprocess_close_cancels_deferred_jobs_and_lets_running_ones_finish(inprocess_jobs: InProcessHarness):
    recorder = Recorder()
    started = asyncio.Event()

    async def slow(ctx: JobContext, name: str) -> None:
        started.set()
        await asyncio.sleep(0.15)
        recorder.calls.append(("finished", name))

    backend = await inprocess_jobs.start(recorder.task(), Task("test.slow", slow))
    await inprocess_jobs.enqueue("test.record", "deferred", defer_until=utcnow() + timedelta(milliseconds=100))
    await inprocess_jobs.enqueue("test.slow", "running")
    await asyncio.wait_for(started.wait(), 5)

    began = time.monotonic()
    await backend.close()
    took = time.monotonic() - began

    assert recorder.calls == [("finished", "running")]
    assert 0.1 < took < inprocess.CLOSE_GRACE_SECONDS
    await asyncio.sleep(0.2)  # well past the deferred job's time
    assert recorder.calls == [("finished", "running")]


async def test_inprocess_close_cancels_a_job_that_outlasts_the_grace_period(
    inprocess_jobs: InProcessHarness, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(inprocess, "CLOSE_GRACE_SECONDS", 0.1)
    started = asyncio.Event()
    cancelled: list[str] = []

    async def endless(ctx: JobContext, name: str) -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(name)
            raise

    backend = await inprocess_jobs.start(Task("test.endless", endless))
    await inprocess_jobs.enqueue("test.endless", "x")
    await asyncio.wait_for(started.wait(), 5)

    began = time.monotonic()
    await backend.close()

    assert time.monotonic() - began < 1.0
    assert cancelled == ["x"]


async def test_inprocess_periodic_task_runs_every_second(inprocess_jobs: InProcessHarness):
    ticks: list[datetime] = []
    twice = asyncio.Event()

    async def tick(ctx: JobContext) -> None:
        ticks.append(utcnow())
        if len(ticks) >= 2:
            twice.set()

    every_second = PeriodicTask(Task("test.tick", tick), second=frozenset(range(60)))
    await inprocess_jobs.start(periodic=[every_second])
    await asyncio.wait_for(twice.wait(), 2.5)

    # One run per scheduled second, each under a job id of its own.
    seconds = [moment.replace(microsecond=0) for moment in ticks]
    assert len(set(seconds)) == len(seconds)


async def test_inprocess_periodic_task_marked_on_start_runs_at_once(inprocess_jobs: InProcessHarness):
    ran = asyncio.Event()

    async def sweep(ctx: JobContext) -> None:
        ran.set()

    hourly = PeriodicTask(Task("test.sweep", sweep), minute=frozenset({0}), on_start=True)
    await inprocess_jobs.start(periodic=[hourly])
    await asyncio.wait_for(ran.wait(), 1.0)  # not at the next full hour: deferred jobs of the last process are gone


async def test_inprocess_job_finishing_during_shutdown_schedules_nothing_and_fails_not(
    inprocess_jobs: InProcessHarness,
):
    scheduled: list[bool] = []
    started = asyncio.Event()

    async def follow_up(ctx: JobContext) -> None:
        started.set()
        await asyncio.sleep(0.1)
        scheduled.append(await ctx.jobs.enqueue("test.follow_up", job_id="next"))

    backend = await inprocess_jobs.start(Task("test.follow_up", follow_up))
    await inprocess_jobs.enqueue("test.follow_up", job_id="first")
    await asyncio.wait_for(started.wait(), 1.0)
    await backend.close()
    assert scheduled == [False]
