"""`carry_out`: one command followed to its outcome, against the simulated Nuki Web (no database involved)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from aggregator.action_attempts.execution import EXPIRED, Outcome, carry_out
from providers.nuki.simulator import NukiSimulator
from providers.nuki.testing import NukiSimulated, provider_under_test
from providers.testing import DeviceRole, ProviderUnderTest
from schemas import ActionAttemptStatus
from schemas.providers import ActionKind


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
async def nuki() -> AsyncIterator[ProviderUnderTest]:
    async with provider_under_test() as under_test:
        yield under_test


def simulator(under_test: ProviderUnderTest) -> NukiSimulator:
    simulated = under_test.simulator
    assert isinstance(simulated, NukiSimulated)
    return simulated.sim


async def run(
    under_test: ProviderUnderTest,
    role: str,
    action: ActionKind,
    *,
    within: float = 5.0,
    then: Callable[[NukiSimulator], None] = lambda sim: None,
) -> Outcome:
    """Read the device, turn the knobs (`then`), carry out `action` with a deadline `within` seconds away."""
    adapter = under_test.adapter()
    device = await adapter.get_device(under_test.devices[role])
    then(simulator(under_test))
    return await carry_out(adapter, device, action, deadline=now() + timedelta(seconds=within), clock=now)


async def test_a_command_the_lock_carries_out_succeeds(nuki: ProviderUnderTest):
    simulator(nuki).action_delay = 0.01
    outcome = await run(nuki, DeviceRole.CODES, ActionKind.UNLOCK)
    assert outcome.status is ActionAttemptStatus.SUCCESS and outcome.was_confirmed_by_device is True


async def test_a_lock_that_never_moves_expires_at_the_deadline(nuki: ProviderUnderTest):
    simulator(nuki).action_delay = 60
    started = now()
    outcome = await run(nuki, DeviceRole.CODES, ActionKind.UNLOCK, within=0.6)
    assert outcome.status is ActionAttemptStatus.ERROR
    assert outcome.error is not None and outcome.error.type == EXPIRED
    assert now() - started < timedelta(seconds=2)


async def test_an_offline_lock_is_an_answer_not_a_retry(nuki: ProviderUnderTest):
    started = now()
    outcome = await run(nuki, DeviceRole.OFFLINE, ActionKind.LOCK)
    assert outcome.error is not None and outcome.error.type == "device_offline"
    assert now() - started < timedelta(seconds=1)


async def test_transient_failures_are_retried_until_the_deadline(nuki: ProviderUnderTest):
    simulator(nuki).action_delay = 0.01
    twice = await run(nuki, DeviceRole.CODES, ActionKind.LOCK, then=lambda sim: sim.fail_next(status=502, count=2))
    assert twice.status is ActionAttemptStatus.SUCCESS
    always = lambda sim: sim.fail_next(status=503, count=1000)  # noqa: E731
    outcome = await run(nuki, DeviceRole.CODES, ActionKind.LOCK, within=1.0, then=always)
    assert outcome.error is not None and outcome.error.type == "provider_unavailable"


async def test_a_retry_after_beyond_the_deadline_fails_at_once(nuki: ProviderUnderTest):
    started = now()
    slow_down = lambda sim: sim.rate_limit(retry_after=30, count=5)  # noqa: E731
    outcome = await run(nuki, DeviceRole.CODES, ActionKind.UNLOCK, within=3.0, then=slow_down)
    assert outcome.error is not None and outcome.error.type == "provider_rate_limited"
    assert now() - started < timedelta(seconds=1)


async def test_a_refused_login_is_flagged(nuki: ProviderUnderTest):
    outcome = await run(nuki, DeviceRole.CODES, ActionKind.UNLOCK, then=lambda sim: sim.revoke_credentials())
    assert outcome.login_refused is True
    assert outcome.error is not None and outcome.error.type == "provider_auth_failed"
