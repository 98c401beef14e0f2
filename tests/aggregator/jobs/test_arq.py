from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from arq.cron import CronJob, next_cron

from aggregator.jobs.arq_backend import ArqJobBackend
from aggregator.jobs.base import JobContext, PeriodicTask, Task, TaskRegistry
from aggregator.jobs.worker import build_worker
from aggregator.settings import Settings
from tests.aggregator.jobs.conftest import ArqHarness
from tests.aggregator.jobs.recorder import Recorder

# --- arq only -----------------------------------------------------------------------------------------------


def _worker_settings(settings: Settings) -> Settings:
    # Building a worker connects to nothing; the URL only has to be there.
    return msgspec.structs.replace(settings, redis_url="redis://127.0.0.1:6379/0")


async def test_arq_worker_registers_tasks_and_cron_jobs(settings: Settings):
    record = Recorder().task("test.record", max_tries=4, keep_result=timedelta(minutes=2))
    tick = Recorder().task("test.tick", max_tries=2, timeout=timedelta(seconds=30))
    registry = TaskRegistry([record], periodic=[PeriodicTask(tick, minute=frozenset({5, 35}))])

    worker = build_worker(_worker_settings(settings), registry, queue_name="test:unused", burst=True)

    assert set(worker.functions) == {"test.record", "test.tick", "cron:test.tick"}
    function = worker.functions["test.record"]
    assert (function.max_tries, function.timeout_s, function.keep_result_s) == (4, 300.0, 120.0)
    [cron] = worker.cron_jobs
    assert isinstance(cron, CronJob)
    assert (cron.name, cron.minute, cron.second, cron.hour, cron.unique) == ("cron:test.tick", {5, 35}, {0}, None, True)
    assert cron.timeout_s == 30.0
    assert cron.max_tries == 2  # as in-process: a periodic run retries up to its task's `max_tries`


@pytest.fixture
def far_from_utc():
    """The process's local time zone set to UTC+05:30, half an hour off any UTC hour (restored afterwards)."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "IST-5:30"  # POSIX notation: needs no tz database
    time.tzset()
    try:
        assert datetime.now().astimezone().utcoffset() == timedelta(hours=5, minutes=30)
        yield
    finally:
        if previous is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = previous
        time.tzset()


@pytest.mark.usefixtures("far_from_utc")
async def test_arq_cron_fires_at_the_same_utc_time_as_the_inprocess_schedule(settings: Settings):
    nightly = PeriodicTask(Recorder().task("test.nightly"), hour=frozenset({3}), minute=frozenset({0}))
    worker = build_worker(_worker_settings(settings), TaskRegistry([], [nightly]), queue_name="test:unused", burst=True)

    now = datetime.now(UTC)
    [cron] = worker.cron_jobs
    cron.calculate_next(now.astimezone(worker.timezone))  # as the worker's heartbeat does
    inprocess_due = next_cron(now, **nightly.cron_fields(), microsecond=0)

    arq_due = cron.next_run.astimezone(UTC).replace(microsecond=0) if cron.next_run else None
    assert arq_due == inprocess_due
    assert inprocess_due.hour == 3 and inprocess_due.minute == 0


async def test_arq_cron_job_runs_the_periodic_task_with_the_job_context(arq_jobs: ArqHarness):
    seen: list[str] = []

    async def tick(ctx: JobContext) -> None:
        seen.append(ctx.jobs.kind)

    backend = await arq_jobs.start(periodic=[PeriodicTask(Task("test.tick", tick), hour=frozenset({3}))])
    assert isinstance(backend, ArqJobBackend)
    # What the worker's heartbeat enqueues when the schedule is due (rather than waiting for 03:00 UTC).
    job = await backend.pool.enqueue_job(
        "cron:test.tick", _job_id=arq_jobs.job_id("cron"), _queue_name=arq_jobs.queue_name
    )
    assert job is not None
    await arq_jobs.run()

    assert seen == ["arq"]


async def test_arq_two_workers_run_each_job_once(arq_jobs: ArqHarness):
    recorder = Recorder()
    await arq_jobs.start(recorder.task())
    for n in range(20):
        await arq_jobs.enqueue("test.record", n)

    await asyncio.gather(arq_jobs.run(), arq_jobs.run())

    assert sorted(recorder.calls) == [(n,) for n in range(20)]
