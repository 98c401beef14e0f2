"""Carrying out one lock or unlock through an adapter: send the command, then follow it until the device confirms,
the vendor reports a failure, or the provider's action time-out passes. Vendor hiccups are retried inside it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from providers.base import Provider
from providers.errors import DeviceOffline, ProviderAuthError, ProviderError, ProviderRateLimited
from schemas import ActionAttemptError, ActionAttemptStatus
from schemas.providers import ActionKind, ActionReceipt, ActionState, ProviderDevice

T = TypeVar("T")
Clock = Callable[[], datetime]

POLL_DELAYS = (0.25, 0.5, 1.0)
"""Seconds between state checks: quick at first (most locks move within a second or two), then every `POLL_EVERY`."""
POLL_EVERY = 2.0
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
"""Seconds before sending again after a transient vendor failure (a `Retry-After` the vendor gives wins)."""
EXPIRED = "action_attempt_expired"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How an attempt ended; `login_refused` when the vendor refused the account's credentials."""

    status: ActionAttemptStatus
    error: ActionAttemptError | None = None
    was_confirmed_by_device: bool | None = None
    login_refused: bool = False


class _Expired(Exception):
    """The action time-out passed while the vendor was still failing or the device had not confirmed."""


async def carry_out(
    adapter: Provider,
    device: ProviderDevice,
    action: ActionKind,
    *,
    deadline: datetime,
    clock: Clock,
    sent: ActionReceipt | None = None,
    on_sent: Callable[[ActionReceipt], Awaitable[None]] | None = None,
) -> Outcome:
    """Send `action` to `device` (unless `sent` says it went already: then only follow it) and follow it to an
    outcome; never raises for a vendor failure. Nothing is sent once the deadline has passed.
    """
    try:
        receipt = sent or await _send(adapter, device, action, deadline, clock)
        if sent is None and on_sent is not None:
            await on_sent(receipt)
        if receipt.confirmed:
            return Outcome(ActionAttemptStatus.SUCCESS, was_confirmed_by_device=True)
        return await _follow(adapter, device, action, receipt, deadline, clock)
    except ProviderAuthError as exc:
        return _failed(exc.code, exc.message, login_refused=True)
    except ProviderError as exc:
        return _failed(exc.code, exc.message)
    except _Expired as exc:
        return _failed(EXPIRED, str(exc))


async def _send(
    adapter: Provider, device: ProviderDevice, action: ActionKind, deadline: datetime, clock: Clock
) -> ActionReceipt:
    async def send_in_time() -> ActionReceipt:
        if clock() >= deadline:  # a door must not open long after it was asked to
            raise _Expired(f"The {action.value} was not sent: it waited too long to be carried out.")
        return await adapter.perform(device, action)

    return await _retrying(send_in_time, deadline, clock)


async def _follow(
    adapter: Provider,
    device: ProviderDevice,
    action: ActionKind,
    receipt: ActionReceipt,
    deadline: datetime,
    clock: Clock,
) -> Outcome:
    delays = _poll_delays()
    while True:
        remaining = (deadline - clock()).total_seconds()
        if remaining <= 0:
            raise _Expired(
                f"The lock did not confirm the {action.value} in time; it may still move. Check the device's state."
            )
        await asyncio.sleep(min(next(delays), remaining))
        check = await _retrying(lambda: adapter.check_action(device, action, receipt), deadline, clock)
        if check.state is ActionState.SUCCEEDED:
            return Outcome(ActionAttemptStatus.SUCCESS, was_confirmed_by_device=check.was_confirmed_by_device)
        if check.state is ActionState.FAILED:
            return _failed(check.error_code or "action_failed", check.message or "The vendor reports a failure.")


async def _retrying(operation: Callable[[], Awaitable[T]], deadline: datetime, clock: Clock) -> T:
    """Run `operation`, again after transient vendor failures, until the deadline. An offline device is an
    answer, not a hiccup: waiting for it would keep a person at the door without one.
    """
    delays = iter(RETRY_DELAYS)
    while True:
        try:
            return await operation()
        except DeviceOffline:
            raise
        except ProviderError as exc:
            if not exc.retryable:
                raise
            wait = _wait_after(exc, next(delays, RETRY_DELAYS[-1]))
            if (deadline - clock()).total_seconds() < wait:
                raise
            await asyncio.sleep(wait)


def _wait_after(exc: ProviderError, backoff: float) -> float:
    if isinstance(exc, ProviderRateLimited) and exc.retry_after:
        return max(exc.retry_after, 0.0)
    return backoff


def _poll_delays() -> Iterator[float]:
    yield from POLL_DELAYS
    while True:
        yield POLL_EVERY


def _failed(code: str, message: str, *, login_refused: bool = False) -> Outcome:
    error = ActionAttemptError(type=code, message=message)
    return Outcome(ActionAttemptStatus.ERROR, error=error, login_refused=login_refused)
