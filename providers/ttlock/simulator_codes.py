"""TTLock's passcode rules as the simulated cloud and lock apply them: custom-code checks (4-9 digits, not too
simple), validity windows (minutes for custom codes, whole hours in the lock's time zone for random ones), random
codes derived from a per-lock secret, and how the lock judges a code typed at its keypad. Pure functions.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Iterable

from providers.ttlock.simulator_state import (
    DAY_MS,
    HOUR_MS,
    MINUTE_MS,
    Lock,
    LockCode,
    PwdType,
    TTLockError,
)

CUSTOM_LENGTHS = range(4, 10)
CUSTOM_CAPACITY = 250
"""Custom passcodes a lock (and the cloud, per lock) holds at most (-3009 beyond)."""
ONE_TIME_MS = 6 * HOUR_MS
"""A one-time random code works once, within 6 hours of its start."""
FIRST_USE_MS = DAY_MS
"""A permanent or period random code must be used a first time within 24 hours of its start, or it dies."""
RANDOM_LENGTHS = {PwdType.ONE_TIME: 9, PwdType.PERMANENT: 7, PwdType.PERIOD: 8}
"""Digits of a random code by type (TTLock's algorithm decides the length; these are the simulator's choice)."""
CYCLIC_TYPES = range(4, 15)
"""Delete (4) and cyclic (5-14) random codes: refused by the simulator with -4043."""


def check_custom_code(code: str) -> None:
    """-3006 unless 4 to 9 digits; -2032 when all digits are the same or they run strictly up or down."""
    if not code.isdigit() or len(code) not in CUSTOM_LENGTHS:
        raise TTLockError(-3006)
    if too_simple(code):
        raise TTLockError(-2032)


def too_simple(code: str) -> bool:
    digits = [int(digit) for digit in code]
    steps = {later - earlier for earlier, later in itertools.pairwise(digits)}
    return steps in ({0}, {1}, {-1})


def minute_floor(at_ms: int) -> int:
    return at_ms - at_ms % MINUTE_MS


def hour_floor(at_ms: int, offset_ms: int) -> int:
    """The whole hour at or before `at_ms` on the lock's wall clock (matters for offsets like +05:30)."""
    local = at_ms + offset_ms
    return local - local % HOUR_MS - offset_ms


def custom_window(kind: int, start: int | None, end: int | None, now_ms: int) -> tuple[int, int]:
    """(startDate, endDate) of a custom code, minute-precise: a period code (3) needs both dates and an end after
    its start; a permanent one (2) starts at `start` (or now) and lists endDate 0.
    """
    if kind == PwdType.PERIOD:
        if start is None or end is None or minute_floor(end) <= minute_floor(start):
            raise TTLockError(-3, "Invalid Parameter: a period passcode needs startDate before endDate")
        return minute_floor(start), minute_floor(end)
    if kind == PwdType.PERMANENT:
        return minute_floor(now_ms if start is None else start), 0
    raise TTLockError(-3, "Invalid Parameter: keyboardPwdType of a custom passcode is 2 or 3")


def random_window(lock: Lock, kind: int, start: int | None, end: int | None) -> tuple[int, int]:
    """(startDate, endDate) of a random code: whole hours in the lock's time zone; a one-time code ends 6 h after its
    start, a permanent one lists endDate 0, a period one needs an end after its start.
    """
    if kind in CYCLIC_TYPES:
        raise TTLockError(-4043)
    if kind not in RANDOM_LENGTHS or start is None:
        raise TTLockError(-3, "Invalid Parameter: keyboardPwdType 1, 2 or 3 and startDate")
    first = hour_floor(start, lock.timezone_offset_ms)
    if kind == PwdType.ONE_TIME:
        return first, first + ONE_TIME_MS
    if kind == PwdType.PERMANENT:
        return first, 0
    if end is None or hour_floor(end, lock.timezone_offset_ms) <= first:
        raise TTLockError(-3, "Invalid Parameter: a period passcode needs an endDate at least an hour after its start")
    return first, hour_floor(end, lock.timezone_offset_ms)


def derive_code(secret: bytes, kind: int, start: int, end: int, taken: Iterable[str]) -> str:
    """The random code for (type, window): HMAC-SHA256 of them under the lock's secret, as decimal digits; the same
    inputs give the same code (a code already on the lock is skipped deterministically).
    """
    length, used = RANDOM_LENGTHS[kind], set(taken)
    attempt = 0
    while True:
        digest = hmac.new(secret, f"{kind}:{start}:{end}:{attempt}".encode(), hashlib.sha256).digest()
        code = str(int.from_bytes(digest[:8], "big") % 10**length).zfill(length)
        if code not in used:
            return code
        attempt += 1


def lock_window(lock: Lock, kind: int, start: int, end: int) -> tuple[int | None, int | None]:
    """A cloud window (UTC milliseconds, endDate 0 = open) as the lock stores it: its own wall-clock time."""
    local_end = None if kind == PwdType.PERMANENT or not end else lock.local(end)
    return lock.local(start), local_end


def admits(held: LockCode, local_now: int) -> bool:
    """Whether the lock accepts `held` at its wall-clock time `local_now`."""
    if held.local_start is not None and local_now < held.local_start:
        return False
    if held.local_end is not None and local_now >= held.local_end:
        return False
    if not held.random or held.local_start is None:
        return True
    if held.type == PwdType.ONE_TIME:
        return held.first_used is None
    return held.first_used is not None or local_now < held.local_start + FIRST_USE_MS


def judge(lock: Lock, code: str, at_ms: int) -> tuple[LockCode | None, bool]:
    """The lock's verdict on `code` typed at instant `at_ms`: (the code it holds by that PIN, or None; opens?)."""
    local_now = lock.local(at_ms)
    held = [candidate for candidate in lock.codes.values() if candidate.code == code]
    for candidate in held:
        if admits(candidate, local_now):
            return candidate, True
    return (held[0] if held else None), False
