"""Pure translations of a lock's activity log rows into normalized events (no I/O).

Rows carry no id of their own: the lock, the time, the log type, the operation and the key together are the row's
identity. Log types follow a third-party table (models.py); rows of other types mean nothing to the model and are
skipped. Logs reach igloohome only through a bridge or a phone's Bluetooth sync, so events arrive late.
"""

from __future__ import annotations

from datetime import UTC, datetime

from providers.igloohome.models import (
    AUTOMATIC_LOG_TYPES,
    BLUETOOTH_LOG_TYPES,
    BREAK_IN_LOG_TYPE,
    INCORRECT_PIN_LOG_TYPE,
    LOCKED_LOG_TYPES,
    PIN_LOG_TYPES,
    UNLOCKED_LOG_TYPES,
    ActivityEntry,
)
from schemas import EventMethod, EventType
from schemas.providers import ProviderEvent

MAX_CUSTOM_PIN_LENGTH = 6
"""Longer PINs are algoPINs, which igloohome knows by their `pinId` instead."""
CUSTOM_PIN_PREFIX = "pin:"
"""Custom PINs are known by their value (deleted by it too): `pin:<digits>` is their provider code id."""


def custom_pin_id(pin: str) -> str:
    return f"{CUSTOM_PIN_PREFIX}{pin}"


def log_type(entry: ActivityEntry) -> int | None:
    value = entry.log_type
    if isinstance(value, int):
        return value
    return int(value) if value is not None and value.strip().isdigit() else None


def entry_time(entry: ActivityEntry) -> datetime | None:
    """`entryDate`: epoch milliseconds (the SDK's example) or seconds (webhook data); also ISO 8601 text."""
    value = entry.entry_date
    if isinstance(value, str):
        if not value.strip().isdigit():
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return None
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        value = int(value)
    if value is None or value <= 0:
        return None
    return datetime.fromtimestamp(value / 1000 if value > 10**11 else value, UTC)


def event_id(device_id: str, entry: ActivityEntry) -> str:
    parts = (entry.entry_date, entry.log_type, entry.operation_id, entry.key_id)
    return ":".join([device_id, *("" if part is None else str(part) for part in parts)])


def _kind(kind: int) -> tuple[EventType, EventMethod | None] | None:
    if kind == INCORRECT_PIN_LOG_TYPE:
        return EventType.LOCK_ACCESS_DENIED, EventMethod.KEYCODE
    if kind == BREAK_IN_LOG_TYPE:
        return EventType.DEVICE_TAMPERED, None
    if kind in PIN_LOG_TYPES:
        method = EventMethod.KEYCODE
    elif kind in BLUETOOTH_LOG_TYPES:
        method = EventMethod.APP  # the owner's or a guest's phone, or the bridge: each talks Bluetooth to the lock
    elif kind in AUTOMATIC_LOG_TYPES:
        method = EventMethod.AUTOMATIC
    else:
        method = EventMethod.MANUAL if kind in {49, 50, 51, 52} else EventMethod.UNKNOWN
    if kind in UNLOCKED_LOG_TYPES:
        return EventType.LOCK_UNLOCKED, method
    if kind in LOCKED_LOG_TYPES:
        return EventType.LOCK_LOCKED, method
    return None


def event_of(device_id: str, entry: ActivityEntry) -> ProviderEvent | None:
    """The event a log row means, or None for rows the model has no event for (or without a time)."""
    kind, occurred_at = log_type(entry), entry_time(entry)
    meaning = _kind(kind) if kind is not None else None
    if meaning is None or occurred_at is None:
        return None
    pin = str(entry.pin) if entry.pin is not None else None
    data: dict[str, object] = {"log_type": kind}
    if entry.key_id is not None:
        data["key_id"] = entry.key_id
    return ProviderEvent(
        provider_event_id=event_id(device_id, entry),
        type=meaning[0],
        occurred_at=occurred_at,
        provider_device_id=device_id,
        method=meaning[1],
        provider_code_id=custom_pin_id(pin) if pin and len(pin) <= MAX_CUSTOM_PIN_LENGTH else None,
        was_confirmed_by_device=True,
        data=data,
    )
