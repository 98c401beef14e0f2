"""Resource ids: time-ordered UUIDv7, so that ordering by id is ordering by creation and cursors stay simple."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last = 0

_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)
_RANDOM_MASK = ((1 << 12) - 1) << 64 | ((1 << 62) - 1)


def new_id() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then 74 random bits.

    Within one process ids only grow (RFC 9562's "monotonic random" method): an id made in the same
    millisecond as the previous one is the previous one plus one, so id order is creation order.
    """
    global _last
    random_bits = int.from_bytes(os.urandom(10), "big")
    candidate = (time.time_ns() // 1_000_000) << 80 | _spread(random_bits)
    with _lock:
        if candidate <= _last:
            candidate = _next_after(_last)
        _last = candidate
    return uuid.UUID(int=candidate)


def _spread(random_bits: int) -> int:
    """Place 74 random bits around the version and variant fields."""
    rand_a = (random_bits >> 62) & 0xFFF
    rand_b = random_bits & ((1 << 62) - 1)
    return _VERSION_AND_VARIANT | rand_a << 64 | rand_b


def _next_after(value: int) -> int:
    """`value` plus one in its random bits (carrying into the timestamp if they are all ones)."""
    millis = value >> 80
    random_part = ((value >> 64) & 0xFFF) << 62 | (value & ((1 << 62) - 1))
    random_part += 1
    if random_part >> 74:
        millis, random_part = millis + 1, 0
    return millis << 80 | _spread(random_part)


def parse_id(text: str) -> uuid.UUID | None:
    """The UUID in `text`, or None when it is not one (an unknown id, never a 500)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
