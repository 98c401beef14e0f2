from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from aggregator.clock import utcnow
from aggregator.jobs.base import JobContext, RetryLater, Task
from aggregator.settings import Settings
from aggregator.workspaces.service import create_workspace
from schemas import HealthStatus
from tests.aggregator.jobs.conftest import JobsHarness
from tests.aggregator.jobs.recorder import CLOCK_SLACK, Recorder

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
