"""The simulated igloohome's PIN rules: the windows algoPINs take (vendors.md 3.3) with igloohome's errors, a
deterministic stand-in for the algoPIN algorithm, the per-slot variances, and how a lock judges a PIN typed at
its keypad. Pure, no I/O.

A PIN is derived from the lock's secret, the kind, the window (as instants) and the variance: the same request
always gives the same PIN. A slot (kind and start) has a few variances; one issued already is refused with 409
(igloohome's answer there is undocumented), so callers move to the next. A code valid longer than 24 h works only
if it is first used within 24 h of its start; a one-time code opens once.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

from providers.igloohome.simulator_state import AlgoPin, CustomPin, Lock, SimError, parse_date

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
KINDS = ("hourly", "daily", "onetime", "permanent")
VARIANCES = {"hourly": 3, "daily": 3, "onetime": 5, "permanent": 3}
PIN_LENGTHS = {"hourly": 9, "daily": 9, "onetime": 9, "permanent": 8}
"""algoPINs are 7-9 digits (igloohome support)."""
MAX_PINS = 199
NAME_MAX = 60
PIN_LOG_TYPES = {"custom": 18, "permanent": 19, "onetime": 20, "hourly": 21, "daily": 22}
"""Which of the PIN log types (18-26) the simulated lock writes; 20 is the one-time PIN's."""


def derive(secret: bytes, kind: str, start: datetime, end: datetime | None, variance: int) -> tuple[str, str]:
    """The PIN and pin id for a request: the same lock, kind, window and variance always give the same."""
    message = f"{kind}|{start.timestamp():.0f}|{'' if end is None else f'{end.timestamp():.0f}'}|{variance}"
    digest = hmac.new(secret, message.encode(), hashlib.sha256).digest()
    size = PIN_LENGTHS[kind]
    pin = str(10 ** (size - 1) + int.from_bytes(digest[:8], "big") % (9 * 10 ** (size - 1)))
    return pin, digest[8:16].hex()


def _duration_error(message: str) -> SimError:
    return SimError(422, message)


def window(kind: str, body: dict[str, Any], now: datetime) -> tuple[datetime, datetime | None]:
    """The window an algoPIN request asks for, checked as igloohome checks it."""
    if kind == "permanent" and body.get("startDate") is None:
        return now.replace(minute=0, second=0, microsecond=0), None
    start = parse_date(body.get("startDate"), "startDate")
    if start + HOUR <= now:
        raise SimError(400, "'startDate' must not be before the current hour")
    if kind == "permanent":
        return start, None
    if kind == "onetime":
        return start, start + DAY
    end = parse_date(body.get("endDate"), "endDate")
    if end <= start:
        raise SimError(400, "'endDate' must be after 'startDate'")
    if kind == "hourly":
        if end - start > 672 * HOUR:
            raise _duration_error("Exceeded the limit of 672 hours")
        return start, end
    if start.time() != end.time():
        raise _duration_error("A daily PIN must start and end at the same time of day")
    days = (end.date() - start.date()).days
    if days < 29:
        raise _duration_error("Duration of a daily PIN must be at least 29 days")
    if days > 367:
        raise _duration_error("Exceeded the limit of 367 days")
    return start, end


def _variance(kind: str, body: dict[str, Any]) -> int:
    variance = body.get("variance", 1)
    if not isinstance(variance, int) or isinstance(variance, bool) or not 1 <= variance <= VARIANCES[kind]:
        raise SimError(400, f"'variance' must be between 1 and {VARIANCES[kind]}")
    return variance


def _name(body: dict[str, Any]) -> str:
    name = body.get("accessName")
    if not isinstance(name, str) or not name.strip():
        raise SimError(400, "'accessName' is required")
    if len(name) > NAME_MAX:
        raise SimError(400, f"'accessName' must be at most {NAME_MAX} characters")
    return name


def active_pins(lock: Lock, now: datetime) -> int:
    algo = [pin for pin in lock.algopins if pin.ends_at is None or pin.ends_at > now]
    return len(algo) + len(lock.custom_pins)


def check_room(lock: Lock, now: datetime) -> None:
    if active_pins(lock, now) >= MAX_PINS:
        raise SimError(422, "Lock has reached maximum amount of codes")


def issue(lock: Lock, kind: str, body: dict[str, Any], now: datetime) -> AlgoPin:
    """`POST /devices/{id}/algopin/{kind}`: the PIN for the window, or igloohome's refusal."""
    if kind not in KINDS:
        raise SimError(404, f"Unknown algoPIN type {kind!r}")
    variance, name = _variance(kind, body), _name(body)
    start, end = window(kind, body, now)
    taken = {pin.variance for pin in lock.algopins if pin.kind == kind and pin.starts_at == start}
    if variance in taken:
        raise SimError(409, "This variance of the time slot has been used already")
    check_room(lock, now)
    pin, pin_id = derive(lock.secret, kind, start, end, variance)
    issued = AlgoPin(pin_id, pin, kind, variance, name, start, end)
    lock.algopins.append(issued)
    return issued


def opens(pin: AlgoPin, at: datetime) -> bool:
    """Whether the lock takes the algoPIN at instant `at` (its window is in the offset it was issued with)."""
    if at < pin.starts_at or (pin.ends_at is not None and at >= pin.ends_at):
        return False
    if pin.kind == "onetime" and pin.uses:
        return False
    lasts_long = pin.ends_at is None or pin.ends_at - pin.starts_at > DAY
    return not (lasts_long and pin.first_used_at is None and at >= pin.starts_at + DAY)


def custom_opens(pin: CustomPin, at: datetime) -> bool:
    return pin.starts_at <= at < pin.ends_at


def admitting(lock: Lock, code: str, at: datetime) -> CustomPin | AlgoPin | None:
    """The PIN of the lock that `code` is and that opens at `at`, if any."""
    if at.tzinfo is None:
        raise ValueError("a keypad entry happens at an instant: give `at` a time zone")
    custom = lock.custom_pins.get(code)
    if custom is not None and custom_opens(custom, at):
        return custom
    return next((pin for pin in lock.algopins if pin.pin == code and opens(pin, at)), None)
