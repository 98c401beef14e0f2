"""The action job never sends a command twice (a re-run only follows it), never sends one past its deadline, and
never leaves an attempt pending when something unexpected happens."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from litestar import Litestar

from aggregator.action_attempts import repository
from aggregator.action_attempts.tasks import execute, expire_stale
from aggregator.db import Database
from aggregator.jobs.base import JobContext
from aggregator.runtime import runtime_job_context
from providers.nuki.models import Action, LockState
from tests.factories import Tenant, insert_attempt
from tests.sandbox import NukiSandbox, lock_id

pytestmark = pytest.mark.sandbox
Client = httpx.AsyncClient


def job_context(app: Litestar) -> JobContext:
    return runtime_job_context(app.state.runtime)


async def front_door(nuki: NukiSandbox) -> tuple[uuid.UUID, int]:
    await nuki.connect()
    door = (await nuki.devices())["Front door"]
    return uuid.UUID(door["id"]), lock_id(nuki.sim, "Front door")


def web_commands(nuki: NukiSandbox, lock: int) -> int:
    return sum(1 for log in nuki.sim.logs if log.smartlock_id == lock and log.trigger == 4)


async def test_a_rerun_job_follows_the_command_and_never_sends_it_again(
    app: Litestar, tenant: Tenant, nuki: NukiSandbox, db: Database
):
    device_id, lock = await front_door(nuki)
    attempt_id = await insert_attempt(tenant, device_id)
    assert await repository.mark_sent(db, attempt_id, nuki.sim.clock())  # an earlier run sent it, then died
    nuki.sim.start_action(nuki.sim.locks[lock], Action.UNLOCK)
    await execute(job_context(app), str(attempt_id))
    done = await repository.get_record(db, attempt_id)
    assert done is not None and done.attempt.status.value == "success"
    assert web_commands(nuki, lock) == 1
    assert nuki.sim.locks[lock].state == LockState.UNLOCKED


async def test_a_job_that_starts_after_the_deadline_sends_nothing(
    app: Litestar, tenant: Tenant, nuki: NukiSandbox, db: Database
):
    device_id, lock = await front_door(nuki)
    attempt_id = await insert_attempt(tenant, device_id, at=nuki.sim.clock() - timedelta(minutes=10))
    await execute(job_context(app), str(attempt_id))
    done = await repository.get_record(db, attempt_id)
    error = done.attempt.error if done else None
    assert (error.type if error else None) == "action_attempt_expired"
    assert done and done.sent_at is None and web_commands(nuki, lock) == 0
    assert nuki.sim.locks[lock].state == LockState.LOCKED


async def test_a_vendor_answer_of_the_wrong_shape_fails_the_attempt(
    app: Litestar, tenant: Tenant, nuki: NukiSandbox, db: Database
):
    device_id, lock = await front_door(nuki)
    nuki.sim.locks[lock].name = None  # type: ignore[assignment]  # Nuki Web answers a lock without a name
    attempt_id = await insert_attempt(tenant, device_id, at=nuki.sim.clock() - timedelta(seconds=28))
    await execute(job_context(app), str(attempt_id))  # retried as a vendor failure until the deadline
    done = await repository.get_record(db, attempt_id)
    error = done.attempt.error if done else None
    assert (error.type if error else None) == "provider_unavailable"
    assert "unexpected shape" in (error.message if error else "")


async def test_attempts_whose_job_was_lost_expire(app: Litestar, tenant: Tenant, nuki: NukiSandbox, db: Database):
    device_id, _ = await front_door(nuki)
    lost = await insert_attempt(tenant, device_id, at=nuki.sim.clock() - timedelta(hours=1))
    recent = await insert_attempt(tenant, device_id)
    await expire_stale(job_context(app))
    expired = await repository.get_record(db, lost)
    error = expired.attempt.error if expired else None
    assert (error.type if error else None) == "action_attempt_expired"
    still = await repository.get_record(db, recent)
    assert still is not None and still.attempt.status.value == "pending"
