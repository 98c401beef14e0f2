from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from arq.cron import CronJob, next_cron

from aggregator.clock import utcnow
from aggregator.jobs import inprocess
from aggregator.jobs.arq_backend import ArqJobBackend
from aggregator.jobs.base import JobArg, JobContext, PeriodicTask, RetryLater, Task, TaskRegistry
from aggregator.jobs.worker import build_worker
from aggregator.settings import Settings
from aggregator.workspaces.service import create_workspace
from schemas import HealthStatus
from tests.aggregator.jobs.conftest import ArqHarness, InProcessHarness, JobsHarness

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


# --- Both backends: one contract --------------------------------------------------------------------------


async def test_task_runs_with_its_id_arguments(jobs: JobsHarness):
    recorder = Recorder()
    await jobs.start(recorder.task())

    assert await jobs.enqueue("test.record", "lock-7", 42) is True
    assert await jobs.enqueue("test.record") is True
    await jobs.run()

    assert sorted(recorder.calls, key=len) == [(), ("lock-7", 42)]
    ids = next(call for call in recorder.calls if call)
    assert type(ids[0]) is str and type(ids[1]) is int


async def test_task_context_carries_the_database_settings_and_backend(jobs: JobsHarness, settings: Settings):
    seen: list[tuple[uuid.UUID, str, str]] = []

    async def look_up(ctx: JobContext, name: str) -> None:
        row = await ctx.db.fetch_one("SELECT id FROM workspaces WHERE name = ?", name)
        assert row is not None
        seen.append((uuid.UUID(str(row[0])), ctx.settings.var_dir, ctx.jobs.kind))

    await jobs.start(Task("test.look_up", look_up))
    workspace = await create_workspace(jobs.db, "jobs-context")

    await jobs.enqueue("test.look_up", "jobs-context")
    await jobs.run()

    assert seen == [(workspace.id, settings.var_dir, jobs.kind)]


async def test_task_can_enqueue_a_follow_up_job_through_its_context(jobs: JobsHarness):
    recorder = Recorder()
    follow_up_id = jobs.job_id("follow-up")

    async def first(ctx: JobContext, device: str) -> None:
        recorder.calls.append(("first", device))
        assert await ctx.jobs.enqueue("test.record", device, job_id=follow_up_id) is True

    await jobs.start(Task("test.first", first), recorder.task())
    await jobs.enqueue("test.first", "dev-1")
    await jobs.run()

    assert recorder.calls == [("first", "dev-1"), ("dev-1",)]


BAD_IDS = [object(), True, False, uuid.uuid4(), 1.5, None, b"raw"]


@pytest.mark.parametrize("bad", BAD_IDS, ids=["object", "True", "False", "UUID", "float", "None", "bytes"])
async def test_tasks_take_only_str_and_int_ids(jobs: JobsHarness, bad: Any):
    recorder = Recorder()
    await jobs.start(recorder.task())
    job_id = jobs.job_id("typed")

    with pytest.raises(TypeError, match=r"task 'test.record' takes ids \(str or int\)"):
        await jobs.backend.enqueue("test.record", "ok", bad, job_id=job_id)

    assert (await jobs.backend.health()).queued_jobs == 0
    # The refused job took no id: a valid one gets it (deferred, so that it is still queued when counted).
    later = utcnow() + timedelta(minutes=5)
    assert await jobs.enqueue("test.record", "ok", 7, job_id=job_id, defer_until=later) is True
    assert (await jobs.backend.health()).queued_jobs == 1
    assert recorder.calls == []


async def test_unknown_task_name_raises_lookup_error_at_enqueue_time(jobs: JobsHarness):
    await jobs.start(Recorder().task())

    with pytest.raises(LookupError, match=r"no task named 'test\.missing'"):
        await jobs.enqueue("test.missing", "x")

    assert (await jobs.backend.health()).queued_jobs == 0


async def test_same_job_id_runs_once(jobs: JobsHarness):
    recorder = Recorder()
    await jobs.start(recorder.task())
    job_id = jobs.job_id("once")

    assert await jobs.enqueue("test.record", "first", job_id=job_id) is True
    assert await jobs.enqueue("test.record", "second", job_id=job_id) is False
    await jobs.run()
    # The id stays taken for `keep_result` after the job ended.
    assert await jobs.enqueue("test.record", "third", job_id=job_id) is False
    await jobs.run()

    assert recorder.calls == [("first",)]


async def test_same_job_id_enqueued_while_the_job_runs_is_refused(jobs: JobsHarness):
    started, release = asyncio.Event(), asyncio.Event()
    calls: list[str] = []

    async def slow(ctx: JobContext, name: str) -> None:
        calls.append(name)
        started.set()
        await release.wait()

    await jobs.start(Task("test.slow", slow))
    job_id = jobs.job_id("running")
    assert await jobs.enqueue("test.slow", "first", job_id=job_id) is True
    runner = asyncio.create_task(jobs.run())
    try:
        await asyncio.wait_for(started.wait(), 5)
        assert await jobs.enqueue("test.slow", "second", job_id=job_id) is False
    finally:
        release.set()
        await runner

    assert calls == ["first"]


async def test_concurrent_enqueues_under_one_job_id_admit_exactly_one(jobs: JobsHarness):
    recorder = Recorder()
    await jobs.start(recorder.task())
    job_id = jobs.job_id("race")

    answers = await asyncio.gather(*(jobs.enqueue("test.record", str(n), job_id=job_id) for n in range(5)))
    await jobs.run()

    assert sorted(answers) == [False, False, False, False, True]
    assert len(recorder.calls) == 1


async def test_without_keep_result_the_job_id_is_free_once_the_job_ended(jobs: JobsHarness):
    recorder = Recorder()
    await jobs.start(recorder.task(keep_result=timedelta(0)))
    job_id = jobs.job_id("no-result")

    assert await jobs.enqueue("test.record", "a", job_id=job_id) is True
    assert await jobs.enqueue("test.record", "b", job_id=job_id) is False  # still queued
    await jobs.run()
    assert await jobs.enqueue("test.record", "c", job_id=job_id) is True
    await jobs.run()

    assert recorder.calls == [("a",), ("c",)]


async def test_job_id_is_free_again_after_keep_result(jobs: JobsHarness):
    recorder = Recorder()
    await jobs.start(recorder.task(keep_result=timedelta(milliseconds=600)))
    job_id = jobs.job_id("kept")
    assert await jobs.enqueue("test.record", "a", job_id=job_id) is True
    await jobs.run()
    assert await jobs.enqueue("test.record", "too soon", job_id=job_id) is False

    # In-process frees expired ids at most once a second; arq lets the result key expire.
    for _ in range(50):
        if await jobs.enqueue("test.record", "b", job_id=job_id):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the job id was still taken 2.5 s after the job ended")
    await jobs.run()

    assert recorder.calls == [("a",), ("b",)]


async def test_defer_until_delays_the_job(jobs: JobsHarness):
    recorder = Recorder()
    await jobs.start(recorder.task())
    due = utcnow() + timedelta(milliseconds=300)

    assert await jobs.enqueue("test.record", "later", defer_until=due) is True
    assert await jobs.enqueue("test.record", "overdue", defer_until=utcnow() - timedelta(hours=1)) is True
    assert await jobs.enqueue("test.record", "now") is True
    await asyncio.sleep(0.1)
    if jobs.kind == "inprocess":  # it runs jobs without being asked: the due ones only
        assert sorted(recorder.calls) == [("now",), ("overdue",)]
    assert (await jobs.backend.health()).queued_jobs >= 1

    await jobs.run()

    assert sorted(recorder.calls) == [("later",), ("now",), ("overdue",)]
    assert recorder.calls[-1] == ("later",)
    assert recorder.started[-1] >= due - CLOCK_SLACK


async def test_retry_later_runs_the_task_again_after_the_defer(jobs: JobsHarness):
    tries: list[datetime] = []

    async def flaky(ctx: JobContext, name: str) -> None:
        tries.append(utcnow())
        if len(tries) < 3:
            raise RetryLater(timedelta(milliseconds=100), "vendor busy")

    await jobs.start(Task("test.flaky", flaky, max_tries=5))
    job_id = jobs.job_id("flaky")
    await jobs.enqueue("test.flaky", "x", job_id=job_id)
    await jobs.run()

    assert len(tries) == 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(tries)]
    assert all(gap >= timedelta(milliseconds=100) - CLOCK_SLACK for gap in gaps), gaps
    assert await jobs.enqueue("test.flaky", "x", job_id=job_id) is False  # done, and its id is kept


async def test_retry_later_gives_up_after_max_tries(jobs: JobsHarness, caplog: pytest.LogCaptureFixture):
    tries: list[str] = []

    async def hopeless(ctx: JobContext, name: str) -> None:
        tries.append(name)
        raise RetryLater(timedelta(milliseconds=20))

    await jobs.start(Task("test.hopeless", hopeless, max_tries=3))
    job_id = jobs.job_id("hopeless")
    await jobs.enqueue("test.hopeless", "x", job_id=job_id)
    await jobs.run()

    assert tries == ["x", "x", "x"]
    gave_up = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert any(job_id in record.getMessage() for record in gave_up), "giving up is logged"
    assert (await jobs.backend.health()).queued_jobs == 0
    assert await jobs.enqueue("test.hopeless", "x", job_id=job_id) is False


async def test_exception_fails_only_that_job_and_is_logged(jobs: JobsHarness, caplog: pytest.LogCaptureFixture):
    recorder = Recorder()
    failures: list[str] = []

    async def broken(ctx: JobContext, name: str) -> None:
        failures.append(name)
        raise ValueError(f"boom {name}")

    await jobs.start(recorder.task(), Task("test.broken", broken))
    failing_id = jobs.job_id("broken")
    await jobs.enqueue("test.record", "before")
    await jobs.enqueue("test.broken", "x", job_id=failing_id)
    await jobs.enqueue("test.record", "after")
    await jobs.run()

    assert failures == ["x"]  # an exception is not retried
    assert sorted(recorder.calls) == [("after",), ("before",)]
    logged = [record for record in caplog.records if record.exc_info and record.levelno >= logging.ERROR]
    assert [str(record.exc_info[1]) for record in logged if record.exc_info] == ["boom x"]
    assert await jobs.enqueue("test.broken", "x", job_id=failing_id) is False


async def test_timeout_fails_the_job(jobs: JobsHarness, caplog: pytest.LogCaptureFixture):
    recorder = Recorder()
    finished: list[str] = []

    async def stuck(ctx: JobContext, name: str) -> None:
        await asyncio.sleep(10)
        finished.append(name)

    await jobs.start(recorder.task(), Task("test.stuck", stuck, timeout=timedelta(milliseconds=100)))
    await jobs.enqueue("test.stuck", "x")
    await jobs.enqueue("test.record", "other")
    started = time.monotonic()
    await jobs.run()

    assert time.monotonic() - started < 5
    assert finished == []
    assert recorder.calls == [("other",)]
    assert any(record.exc_info and isinstance(record.exc_info[1], TimeoutError) for record in caplog.records), (
        "the timeout is logged"
    )


async def test_health_reports_ok_kind_and_queue_depth(jobs: JobsHarness):
    recorder = Recorder()
    await jobs.start(recorder.task())

    idle = await jobs.backend.health()
    assert (idle.status, idle.kind, idle.queued_jobs) == (HealthStatus.OK, jobs.kind, 0)

    for n in range(2):
        await jobs.enqueue("test.record", str(n), defer_until=utcnow() + timedelta(minutes=5))
    queued = await jobs.backend.health()
    assert (queued.status, queued.kind, queued.queued_jobs) == (HealthStatus.OK, jobs.kind, 2)
    if jobs.kind == "inprocess":
        assert queued.running_jobs == 0
    else:
        assert queued.latency_ms is not None and queued.latency_ms >= 0
        assert queued.detail is not None and "no worker has reported" in queued.detail
    assert recorder.calls == []


async def test_health_is_unavailable_once_closed(jobs: JobsHarness):
    await jobs.start(Recorder().task())
    await jobs.backend.close()

    health = await jobs.backend.health()

    assert (health.status, health.kind) == (HealthStatus.UNAVAILABLE, jobs.kind)


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
    assert cron.next_run is not None
    inprocess_due = next_cron(now, **nightly.cron_fields(), microsecond=0)

    assert cron.next_run.astimezone(UTC).replace(microsecond=0) == inprocess_due
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
