"""TTLock lock records as normalized events (pure): the cloud `recordType` says what happened and how, `success`
whether it worked; a refused passcode is an access denied at the keypad.
"""

from __future__ import annotations

from providers.ttlock.client import instant
from providers.ttlock.models import Record
from schemas import EventMethod, EventType
from schemas.providers import ProviderEvent

_UNLOCKS: dict[int, EventMethod] = {
    1: EventMethod.APP,
    4: EventMethod.KEYCODE,
    7: EventMethod.UNKNOWN,  # IC card
    8: EventMethod.UNKNOWN,  # fingerprint
    9: EventMethod.UNKNOWN,  # wrist strap
    10: EventMethod.MANUAL,  # mechanical key
    12: EventMethod.REMOTE,  # through a gateway
    32: EventMethod.MANUAL,  # opened from inside
    46: EventMethod.MANUAL,  # unlock button
    49: EventMethod.UNKNOWN,  # hotel card
    50: EventMethod.AUTOMATIC,  # high temperature
    55: EventMethod.REMOTE,  # key fob
    57: EventMethod.UNKNOWN,  # QR code
    63: EventMethod.AUTOMATIC,  # passage mode
    67: EventMethod.UNKNOWN,  # face
    75: EventMethod.APP,
    76: EventMethod.REMOTE,
    84: EventMethod.UNKNOWN,  # palm vein
}
"""Cloud record types that unlock the door, and how (vendors.md 2.5; the table hass-ttlock uses)."""
_LOCKS: dict[int, EventMethod] = {
    11: EventMethod.APP,
    33: EventMethod.UNKNOWN,  # fingerprint
    34: EventMethod.KEYCODE,
    35: EventMethod.UNKNOWN,  # IC card
    36: EventMethod.MANUAL,  # mechanical key
    45: EventMethod.AUTOMATIC,  # auto lock
    47: EventMethod.MANUAL,  # lock button
    61: EventMethod.UNKNOWN,  # QR code
    69: EventMethod.UNKNOWN,  # face
    86: EventMethod.UNKNOWN,  # palm vein
}
_DENIED = {48, 51, 58, 65, 68, 71, 85, 88, 91}
"""System locked after bad attempts, deleted card, expired QR code, unlock timed out, face / palm vein / card failed."""
TAMPER = 44
_PASSCODE_FAILURES_FROM_LOCK = {7, 11, 12, 13, 38}
"""Raw lock record types of a refused passcode: unknown, expired or not yet valid, storage full, blacklisted,
double-locked (the cloud has no record type of its own for them)."""


def event_of(lock_id: int, record: Record) -> ProviderEvent | None:
    """The event a record means; None for records that are not about the door (door sensor, mail, ...)."""
    kind, method = _meaning(record)
    if kind is None:
        return None
    data: dict[str, object] = {"record_type": record.record_type}
    if record.record_type_from_lock is not None:
        data["record_type_from_lock"] = record.record_type_from_lock
    if record.username:
        data["name"] = record.username
    return ProviderEvent(
        provider_event_id=identity(lock_id, record),
        type=kind,
        occurred_at=instant(record.lock_date),
        provider_device_id=str(lock_id),
        method=method,
        was_confirmed_by_device=True,
        data=data,
    )


def identity(lock_id: int, record: Record) -> str:
    """The record's TTLock id, or (a callback's records may lack it) what makes it unique on its lock."""
    if record.record_id is not None:
        return f"{lock_id}:{record.record_id}"
    return f"{lock_id}:{record.lock_date}:{record.record_type}:{record.record_type_from_lock}"


def _meaning(record: Record) -> tuple[EventType | None, EventMethod | None]:
    kind = record.record_type
    refused_passcode = record.record_type_from_lock in _PASSCODE_FAILURES_FROM_LOCK
    if kind == TAMPER:
        return EventType.DEVICE_TAMPERED, None
    if kind in _DENIED or refused_passcode:
        return EventType.LOCK_ACCESS_DENIED, EventMethod.KEYCODE if refused_passcode or kind == 48 else None
    if kind in _UNLOCKS:
        if not record.success:
            return EventType.LOCK_ACCESS_DENIED, _UNLOCKS[kind]
        return EventType.LOCK_UNLOCKED, _UNLOCKS[kind]
    if kind in _LOCKS and record.success:
        return EventType.LOCK_LOCKED, _LOCKS[kind]
    return None, None
