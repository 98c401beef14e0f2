"""The simulated Nuki Web cloud's records and rules: accounts, locks, keypad-code auths, logs, their camelCase
payloads as Nuki sends them, Nuki's keypad-code checks and time windows. Pure data, no I/O.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from providers.nuki.models import KEYPAD_CODE, ServerState, SmartlockType

NAME_MAX = 32
WINDOW_FIELDS = ("allowedFromDate", "allowedUntilDate", "allowedWeekDays", "allowedFromTime", "allowedUntilTime")
TIMEZONE_IDS = {"Europe/Berlin": 37, "Europe/London": 40, "America/New_York": 12, "Asia/Tokyo": 29}
"""Nuki's `timezoneId` for a few IANA names (after the Nuki BLE API's list; the table is unconfirmed, vendors.md 6)."""
NO_TIMEZONE_ID = 65535


class SimError(Exception):
    """An answer other than success: the HTTP status and the JSON body the simulated Nuki sends."""

    def __init__(self, status: int, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body if body is not None else {"detailMessage": message}


@dataclass
class Account:
    account_id: int
    email: str
    password: str
    name: str
    account_user_id: int


@dataclass
class Lock:
    smartlock_id: int
    account_id: int
    type: int
    name: str
    timezone: str
    keypad: bool
    online: bool
    battery_charge: int
    battery_critical: bool
    state: int
    door_state: int
    jammed: bool = False
    trigger: int = 0
    last_action: int = 0
    next_auth_id: int = 1

    @property
    def capacity(self) -> int:
        return 200 if self.type in (SmartlockType.SMARTLOCK_3, SmartlockType.SMARTLOCK_ULTRA) else 100


@dataclass
class Auth:
    id: str
    smartlock_id: int
    auth_id: int
    name: str
    code: int
    created: datetime
    updated: datetime
    enabled: bool = True
    remote_allowed: bool = False
    window: dict[str, Any] = field(default_factory=dict)
    """The five `allowed*` fields exactly as the client sent them (camelCase keys)."""
    operation_id: str | None = None
    last_active: datetime | None = None


@dataclass
class LogEntry:
    id: str
    seq: int
    smartlock_id: int
    device_type: int
    date: datetime
    action: int
    trigger: int
    state: int
    name: str
    source: int = 0
    auth_id: str | None = None
    account_user_id: int | None = None


class AuthBody(msgspec.Struct, rename="camel"):
    """What `PUT /smartlock/{id}/auth` and `POST /smartlock/{id}/auth/{id}` accept (unknown fields ignored)."""

    name: str | None = None
    code: int | None = None
    type: int | None = None
    enabled: bool | None = None
    remote_allowed: bool | None = None
    account_user_id: int | None = None
    allowed_from_date: str | msgspec.UnsetType | None = msgspec.UNSET
    """Null clears the date (Nuki: "to remove an allowedUntilDate again you have to set it to null")."""
    allowed_until_date: str | msgspec.UnsetType | None = msgspec.UNSET
    allowed_week_days: int | None = None
    allowed_from_time: int | None = None
    allowed_until_time: int | None = None


def object_id(rng: random.Random, now: datetime) -> str:
    """A MongoDB-style ObjectId (24 hex digits, seconds first) like Nuki's `id` fields."""
    return f"{int(now.timestamp()) & 0xFFFFFFFF:08x}{rng.getrandbits(64):016x}"


def smartlock_id(lock_type: int, hex_id: str) -> int:
    """vendors.md 1.1: the decimal id is the type prefix and the device's hex id read as one hex number."""
    return int(f"{lock_type}{hex_id}", 16)


def nuki_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_instant(text: str, what: str) -> datetime:
    """An RFC 3339 date-time with an offset (or Z); a 400 otherwise."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise SimError(400, f"{what} is not an RFC 3339 date-time") from None
    if parsed.tzinfo is None:
        raise SimError(400, f"{what} needs a time zone offset")
    return parsed


def smartlock_payload(lock: Lock) -> dict[str, Any]:
    return {
        "smartlockId": lock.smartlock_id,
        "accountId": lock.account_id,
        "type": lock.type,
        "authId": 1,
        "name": lock.name,
        "favorite": False,
        "firmwareVersion": 0x040206,
        "serverState": ServerState.OK if lock.online else ServerState.OFFLINE,
        "adminPinState": 0,
        "config": {
            "name": lock.name,
            "timezoneId": TIMEZONE_IDS.get(lock.timezone, NO_TIMEZONE_ID),
            "keypadPaired": lock.keypad,
            "keypad2Paired": False,
            "wifiEnabled": True,
        },
        "state": state_payload(lock),
    }


def state_payload(lock: Lock) -> dict[str, Any]:
    return {
        "mode": 2,
        "state": lock.state,
        "trigger": lock.trigger,
        "lastAction": lock.last_action,
        "batteryCritical": lock.battery_critical,
        "batteryCharging": False,
        "batteryCharge": lock.battery_charge,
        "keypadBatteryCritical": False,
        "doorState": lock.door_state,
        "nightMode": False,
    }


def auth_payload(auth: Auth) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": auth.id,
        "smartlockId": auth.smartlock_id,
        "authId": auth.auth_id,
        "code": auth.code,
        "type": KEYPAD_CODE,
        "name": auth.name,
        "enabled": auth.enabled,
        "remoteAllowed": auth.remote_allowed,
        "lockCount": 0,
        "creationDate": nuki_time(auth.created),
        "updateDate": nuki_time(auth.updated),
        **auth.window,
    }
    if auth.last_active:
        payload["lastActiveDate"] = nuki_time(auth.last_active)
    if auth.operation_id:
        payload["operationId"] = auth.operation_id
    return payload


def log_payload(entry: LogEntry) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": entry.id,
        "smartlockId": entry.smartlock_id,
        "deviceType": entry.device_type,
        "name": entry.name,
        "action": entry.action,
        "trigger": entry.trigger,
        "state": entry.state,
        "autoUnlock": False,
        "date": nuki_time(entry.date),
        "source": entry.source,
    }
    if entry.account_user_id is not None:
        payload["accountUserId"] = entry.account_user_id
    if entry.auth_id is not None:
        payload["authId"] = entry.auth_id
    return payload


def check_code(code: int) -> None:
    """Nuki's keypad-code rules (PDF pp. 28, 32, 61): 6 digits, no 0, not starting with 12."""
    text = str(code)
    if len(text) != 6 or not text.isdigit():
        raise SimError(400, "The code must have exactly 6 digits")
    if "0" in text:
        raise SimError(400, "The code must not contain 0")
    if text.startswith("12"):
        raise SimError(400, "The code must not start with 12")


def check_name(name: str | None) -> str:
    if not name or not name.strip():
        raise SimError(400, "name is required")
    if len(name) > NAME_MAX:
        raise SimError(400, f"name is longer than {NAME_MAX} characters")
    return name


def window_of(body: AuthBody) -> dict[str, Any]:
    """The time fields the body carries, checked, in Nuki's camelCase names and exactly as given; a date sent as
    null is there as None (`merge_window` then clears it).
    """
    dates = {"allowedFromDate": body.allowed_from_date, "allowedUntilDate": body.allowed_until_date}
    times = {
        "allowedWeekDays": body.allowed_week_days,
        "allowedFromTime": body.allowed_from_time,
        "allowedUntilTime": body.allowed_until_time,
    }
    window: dict[str, Any] = {name: value for name, value in dates.items() if value is not msgspec.UNSET}
    window |= {name: value for name, value in times.items() if value is not None}
    for name, value in dates.items():
        if isinstance(value, str):
            parse_instant(value, name)
    if not 0 <= window.get("allowedWeekDays", 0) <= 127:
        raise SimError(400, "allowedWeekDays is a bitmask from 0 to 127")
    for name in ("allowedFromTime", "allowedUntilTime"):
        if not 0 <= window.get(name, 0) < 24 * 60:
            raise SimError(400, f"{name} is in minutes from midnight (0 to 1439)")
    return window


def merge_window(current: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """An auth's time fields after a write: fields the write left out stay, a date it sent as null is gone."""
    merged = {**current, **change}
    return {name: merged[name] for name in WINDOW_FIELDS if merged.get(name) is not None}


def check_conflicts(lock: Lock, auths: list[Auth], code: int, *, exclude: str | None = None) -> None:
    """409s: the code is taken by another auth on the lock, or (for a new auth) the lock is full."""
    others = [auth for auth in auths if auth.smartlock_id == lock.smartlock_id and auth.id != exclude]
    if any(auth.code == code for auth in others):
        raise SimError(409, "The code is already used on this smartlock")
    if exclude is None and len(others) >= lock.capacity:
        raise SimError(409, f"The smartlock holds {lock.capacity} keypad codes already")


def window_allows(window: dict[str, Any], now: datetime, timezone: str) -> bool:
    """Whether a keypad code works at `now`: dates compared as instants, weekdays and minutes of the day in the
    lock's own time zone. No weekday mask means every day; 0/0 minutes mean the whole day; a window whose end is
    before its start runs across midnight.
    """
    if "allowedFromDate" in window and now < parse_instant(window["allowedFromDate"], "allowedFromDate"):
        return False
    if "allowedUntilDate" in window and now >= parse_instant(window["allowedUntilDate"], "allowedUntilDate"):
        return False
    local = now.astimezone(ZoneInfo(timezone))
    weekdays = window.get("allowedWeekDays")
    if weekdays is not None and not weekdays & (1 << (6 - local.weekday())):
        return False
    start, end = window.get("allowedFromTime", 0), window.get("allowedUntilTime", 0)
    minute = local.hour * 60 + local.minute
    if start == end == 0:
        return True
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end
