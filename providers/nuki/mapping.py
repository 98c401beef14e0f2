"""Pure translations between Nuki's payloads and the normalized model (no I/O): devices, codes, windows, events."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from providers.battery import battery_status
from providers.manifest import Capability, flags_for
from providers.nuki.models import (
    KEYPAD_CODE,
    Action,
    LockState,
    ServerState,
    Smartlock,
    SmartlockAuth,
    SmartlockAuthWrite,
    SmartlockLog,
    SmartlockType,
)
from schemas import CodeConstraints, DeviceProperties, EventMethod, EventType
from schemas.providers import AccessCodeSpec, ObservedAccessCode, ProviderDevice, ProviderEvent, ProviderIssue

WITH_KEYPAD = "smartlock_with_keypad"
WITHOUT_KEYPAD = "smartlock"
ALL_WEEKDAYS = 127
LOCK_CAPABILITIES = frozenset({Capability.REMOTELY_LOCK, Capability.REMOTELY_UNLOCK})
KEYPAD_CAPABILITIES = LOCK_CAPABILITIES | {
    Capability.PROGRAM_ONLINE_ACCESS_CODES,
    Capability.PROGRAM_TIME_BOUND_CODES_NATIVELY,
    Capability.LIST_ACCESS_CODES,
}
CODE_RULES = ("no_zeros", "cannot_start_with_12")
NAME_LENGTH = 20

_LOCKED = {LockState.LOCKED: True, LockState.LOCKING: True}
_UNLOCKED = {
    LockState.UNLOCKED,
    LockState.UNLOCKING,
    LockState.UNLATCHED,
    LockState.UNLOCKED_LOCK_N_GO,
    LockState.UNLATCHING,
}
_MODEL_NAMES = {0: "Smart Lock 1.0/2.0", 3: "Smart Door", 4: "Smart Lock 3.0/4.0", 5: "Smart Lock Ultra"}
_DOOR_OPEN = {2: False, 3: True}
_TRIGGER_METHODS = {
    0: EventMethod.AUTOMATIC,
    1: EventMethod.MANUAL,
    2: EventMethod.MANUAL,
    3: EventMethod.AUTOMATIC,
    4: EventMethod.REMOTE,
    5: EventMethod.APP,
    6: EventMethod.AUTOMATIC,
    255: EventMethod.KEYCODE,
}
_LOG_EVENTS = {
    Action.UNLOCK: EventType.LOCK_UNLOCKED,
    Action.LOCK: EventType.LOCK_LOCKED,
    Action.UNLATCH: EventType.LOCK_UNLOCKED,
    Action.LOCK_N_GO: EventType.LOCK_UNLOCKED,
    Action.LOCK_N_GO_UNLATCH: EventType.LOCK_UNLOCKED,
}
_WEEKDAY_BITS = ((64, "Mon"), (32, "Tue"), (16, "Wed"), (8, "Thu"), (4, "Fri"), (2, "Sat"), (1, "Sun"))
"""Nuki's `allowedWeekDays` bits (vendors.md 1.4)."""
_REFUSED_CODE_STATES = {224, 225, 226}
"""Log states: invalid code, fingerprint, NFC."""


def has_keypad(lock: Smartlock) -> bool:
    return bool(lock.config and (lock.config.keypad_paired or lock.config.keypad2_paired))


def to_device(lock: Smartlock) -> ProviderDevice:
    keypad = has_keypad(lock)
    return ProviderDevice(
        provider_device_id=str(lock.smartlock_id),
        device_model=WITH_KEYPAD if keypad else WITHOUT_KEYPAD,
        name=lock.name,
        model=_MODEL_NAMES.get(lock.type, f"Nuki type {lock.type}"),
        timezone=None,
        properties=properties(lock),
        capabilities=flags_for(KEYPAD_CAPABILITIES if keypad else LOCK_CAPABILITIES),
        code_constraints=constraints(lock) if keypad else CodeConstraints(),
        errors=errors(lock),
        warnings=warnings(lock),
        metadata=_metadata(lock, keypad),
    )


def properties(lock: Smartlock) -> DeviceProperties:
    state = lock.state
    raw = state.state if state else LockState.UNDEFINED
    level = state.battery_charge / 100 if state and state.battery_charge is not None else None
    return DeviceProperties(
        online=lock.server_state == ServerState.OK,
        locked=True if raw in _LOCKED else False if raw in _UNLOCKED else None,
        door_open=_DOOR_OPEN.get(state.door_state) if state and state.door_state is not None else None,
        battery_level=level,
        battery_status=battery_status(level, critical=bool(state and state.battery_critical)),
    )


def constraints(lock: Smartlock) -> CodeConstraints:
    capacity = 200 if lock.type in (SmartlockType.SMARTLOCK_3, SmartlockType.SMARTLOCK_ULTRA) else 100
    return CodeConstraints(
        supported_code_lengths=[6], max_active_codes=capacity, rules=list(CODE_RULES), max_name_length=NAME_LENGTH
    )


def errors(lock: Smartlock) -> list[ProviderIssue]:
    found = []
    if lock.server_state == ServerState.OFFLINE:
        found.append(ProviderIssue(error_code="device_offline", message="The lock does not reach Nuki Web."))
    elif lock.server_state != ServerState.OK:
        found.append(
            ProviderIssue(error_code="device_disconnected", message="Nuki Web lost its pairing with the lock.")
        )
    if lock.state and lock.state.state == LockState.MOTOR_BLOCKED:
        found.append(ProviderIssue(error_code="device_jammed", message="The lock's motor is blocked."))
    return found


def warnings(lock: Smartlock) -> list[ProviderIssue]:
    found = []
    if lock.state and lock.state.keypad_battery_critical:
        found.append(ProviderIssue(error_code="accessory_keypad_low_battery", message="The keypad's battery is low."))
    found.append(
        ProviderIssue(
            error_code="time_zone_unknown",
            message="Nuki reports its own time zone id only; set the device's IANA time zone with PATCH.",
        )
    )
    return found


def _metadata(lock: Smartlock, keypad: bool) -> dict[str, object]:
    return {
        "smartlock_id": lock.smartlock_id,
        "nuki_type": lock.type,
        "keypad_paired": keypad,
        "server_state": lock.server_state,
        "timezone_id": lock.config.timezone_id if lock.config else None,
    }


def code_problem(code: str) -> str | None:
    """Why Nuki would refuse `code` as a keypad code, or None when it is fine."""
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return "Nuki keypad codes are exactly 6 digits."
    if "0" in code:
        return "Nuki keypad codes cannot contain 0 (no_zeros)."
    if code.startswith("12"):
        return "Nuki keypad codes cannot start with 12 (cannot_start_with_12)."
    return None


def auth_write(spec: AccessCodeSpec, *, create: bool) -> SmartlockAuthWrite:
    """A keypad code's body; a window becomes Nuki's date fields, every weekday, all day (UTC instants).

    A window is two instants, sent in UTC whatever offset they were given with; the weekday mask and minutes of the
    day, which the lock reads in its own time zone, are "every day, all day" (127, 0/0), so no daylight-saving
    change can move or shorten a window and the lock's zone need not be known.
    An update always carries the whole window, a missing bound as null, and `enabled`: Nuki keeps every field an
    update leaves out, and clears a date only when it is sent as null (so a code can lose its window or one of its
    bounds, and a code disabled in the app, or by Nuki when its end passed, works again).
    """
    body = SmartlockAuthWrite(
        name=spec.name[:NAME_LENGTH],
        code=int(spec.code),
        type=KEYPAD_CODE if create else None,
        enabled=None if create else True,
    )
    if create and not (spec.starts_at or spec.ends_at):
        return body
    missing: msgspec.UnsetType | None = msgspec.UNSET if create else None
    return msgspec.structs.replace(
        body,
        allowed_from_date=_utc_text(spec.starts_at) or missing,
        allowed_until_date=_utc_text(spec.ends_at) or missing,
        allowed_week_days=ALL_WEEKDAYS,
        allowed_from_time=0,
        allowed_until_time=0,
    )


def restriction(auth: SmartlockAuth) -> str | None:
    """What narrows the auth beyond its two dates, which the normalized model cannot express: disabled, some
    weekdays only, some minutes of the day only (both read in the lock's time zone). None: the auth works at every
    instant between its dates, as every code the gateway writes does.
    """
    found = [] if auth.enabled else ["disabled"]
    if auth.allowed_week_days is not None and auth.allowed_week_days != ALL_WEEKDAYS:
        days = [name for bit, name in _WEEKDAY_BITS if auth.allowed_week_days & bit]
        found.append(f"only on {', '.join(days)}" if days else "on no weekday")
    start, end = auth.allowed_from_time or 0, auth.allowed_until_time or 0
    if (start, end) != (0, 0):
        found.append(f"only {_clock_time(start)}-{_clock_time(end)} lock time")
    return "; ".join(found) or None


def _clock_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def observed(auth: SmartlockAuth) -> ObservedAccessCode:
    return ObservedAccessCode(
        provider_code_id=auth.id,
        name=auth.name,
        code=str(auth.code) if auth.code is not None else None,
        starts_at=parse_time(auth.allowed_from_date),
        ends_at=parse_time(auth.allowed_until_date),
        is_pending=auth.operation_id is not None,
        restriction=restriction(auth),
    )


def event_of(log: SmartlockLog) -> ProviderEvent | None:
    """The normalized event for a log entry, or None for entries the model has no event for."""
    if log.state in _REFUSED_CODE_STATES:
        kind = EventType.LOCK_ACCESS_DENIED
    elif log.state == 0 and log.action in _LOG_EVENTS:
        kind = _LOG_EVENTS[Action(log.action)]
    else:
        return None
    keycode = log.source == 1 or log.trigger == 255
    return ProviderEvent(
        provider_event_id=log.id,
        type=kind,
        occurred_at=parse_time(log.date) or datetime.now(UTC),
        provider_device_id=str(log.smartlock_id),
        method=EventMethod.KEYCODE if keycode else _TRIGGER_METHODS.get(log.trigger, EventMethod.UNKNOWN),
        provider_code_id=str(log.auth_id) if keycode and log.auth_id is not None else None,
        was_confirmed_by_device=True,
        data={key: value for key, value in (("name", log.name), ("nuki_auth_id", log.auth_id)) if value is not None},
    )


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _utc_text(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
