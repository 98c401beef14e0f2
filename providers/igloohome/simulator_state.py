"""The simulated igloohome cloud's records and payloads: locks, bridges, keypads, the PINs each lock holds, bridge
jobs and log rows, as igloohome sends them (camelCase), and its strict date format. Pure data, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from providers.igloohome.models import DeviceType, JobStatusCode

DATE_HOUR = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:00:00[+-]\d{2}:\d{2}$")
DATE_MINUTE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00[+-]\d{2}:\d{2}$")
JOB_LIFETIME = timedelta(minutes=5)
"""A job the bridge has not carried out by then expires (igloohome's jobs "expire within minutes")."""
PENDING, DONE, FAILED = "pending", "done", "failed"


class SimError(Exception):
    """An answer other than success: the HTTP status and the JSON body the simulated igloohome sends."""

    def __init__(self, status: int, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body if body is not None else {"message": message}


@dataclass
class CustomPin:
    """A PIN the lock holds because a bridge job put it there."""

    pin: str
    name: str
    starts_at: datetime
    ends_at: datetime


@dataclass
class AlgoPin:
    """An algoPIN igloohome computed; the lock judges it by itself (it never hears of the request)."""

    pin_id: str
    pin: str
    kind: str
    variance: int
    name: str
    starts_at: datetime
    ends_at: datetime | None
    """None: permanent."""
    uses: int = 0
    first_used_at: datetime | None = None


@dataclass
class LogRow:
    log_type: int
    entry_date: datetime
    operation_id: int
    key_id: str | None = None
    pin: str | None = None


@dataclass
class Lock:
    device_id: str
    internal_id: str
    account: str
    name: str
    paired_at: datetime
    secret: bytes
    """What the lock shares with igloohome to compute algoPINs (the simulator's stand-in for the real algorithm)."""
    battery: int | None = 90
    last_sync: datetime | None = None
    custom_pins: dict[str, CustomPin] = field(default_factory=dict)
    algopins: list[AlgoPin] = field(default_factory=list)
    log: list[LogRow] = field(default_factory=list)
    """Rows igloohome has (uploaded through the bridge or a phone's Bluetooth sync)."""
    unsynced: list[LogRow] = field(default_factory=list)
    """Rows only the lock has so far."""
    next_operation: int = 1


@dataclass
class Bridge:
    device_id: str
    internal_id: str
    account: str
    name: str
    paired_at: datetime
    online: bool
    last_seen: datetime
    """When it last reached igloohome (its `lastSync` while it is offline)."""
    locks: list[str] = field(default_factory=list)


@dataclass
class Keypad:
    device_id: str
    internal_id: str
    account: str
    name: str
    paired_at: datetime
    lock_id: str | None = None


@dataclass
class Job:
    job_id: str
    lock_id: str
    bridge_id: str
    job_type: int
    data: dict[str, Any] | None
    created_at: datetime
    expires_at: datetime
    state: str = PENDING
    result: dict[str, Any] = field(default_factory=dict)


def stamp(moment: datetime) -> str:
    """Igloohome's device dates: ISO 8601 to the second with an offset (`2024-11-09T11:19:25+00:00`)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_date(text: object, name: str, *, minutes: bool = False) -> datetime:
    """A request date, strictly `YYYY-MM-DDTHH:00:00+hh:mm` (bridge PINs: minutes allowed)."""
    pattern, shape = (DATE_MINUTE, "HH:mm") if minutes else (DATE_HOUR, "HH:00")
    if not isinstance(text, str) or not pattern.match(text):
        raise SimError(400, f"'{name}' must be in format YYYY-MM-DDT{shape}:00+hh:mm")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise SimError(400, f"'{name}' must be in format YYYY-MM-DDT{shape}:00+hh:mm") from None


def lock_payload(lock: Lock) -> dict[str, Any]:
    return {
        "id": lock.internal_id,
        "type": DeviceType.LOCK.value,
        "deviceId": lock.device_id,
        "deviceName": lock.name,
        "pairedAt": stamp(lock.paired_at),
        "homeId": [],
        "linkedDevices": [],
        "batteryLevel": lock.battery,
        "lastSync": stamp(lock.last_sync or lock.paired_at),
    }


def bridge_payload(bridge: Bridge, now: datetime) -> dict[str, Any]:
    return {
        "id": bridge.internal_id,
        "type": DeviceType.BRIDGE.value,
        "deviceId": bridge.device_id,
        "deviceName": bridge.name,
        "pairedAt": stamp(bridge.paired_at),
        "homeId": [],
        "linkedDevices": [{"type": DeviceType.LOCK.value, "deviceId": lock_id} for lock_id in bridge.locks],
        "batteryLevel": None,
        "lastSync": stamp(now if bridge.online else bridge.last_seen),
    }


def keypad_payload(keypad: Keypad) -> dict[str, Any]:
    linked = [{"type": DeviceType.LOCK.value, "deviceId": keypad.lock_id}] if keypad.lock_id else []
    return {
        "id": keypad.internal_id,
        "type": DeviceType.KEYPAD.value,
        "deviceId": keypad.device_id,
        "deviceName": keypad.name,
        "pairedAt": stamp(keypad.paired_at),
        "homeId": [],
        "linkedDevices": linked,
        "batteryLevel": 80,
        "lastSync": stamp(keypad.paired_at),
    }


def job_payload(job: Job) -> dict[str, Any]:
    """`GET /jobs/{jobId}`: `jobStatus` 1 while queued, 0 done, 2 failed or expired."""
    status = {PENDING: JobStatusCode.PENDING, DONE: JobStatusCode.DONE, FAILED: JobStatusCode.FAILED}[job.state]
    response: dict[str, Any] = {"jobStatus": int(status)}
    if job.state == DONE:
        response["opResult"] = {"result": 0, **job.result}
    elif job.state == FAILED:
        response["message"] = "Job expired"
    return {
        "jobId": job.job_id,
        "expiryDate": stamp(job.expires_at),
        "completed": job.state == DONE,
        "jobType": job.job_type,
        "jobResponse": response,
    }


def row_payload(lock: Lock, row: LogRow) -> dict[str, Any]:
    """A log row as the SDK shows one (`entryDate` in epoch milliseconds), with the lock and, for PINs, the PIN."""
    payload: dict[str, Any] = {
        "logType": row.log_type,
        "entryDate": int(row.entry_date.timestamp() * 1000),
        "keyId": row.key_id,
        "operationId": row.operation_id,
        "deviceId": lock.device_id,
    }
    if row.pin is not None:
        payload["pin"] = row.pin
    return payload
