"""igloohome API payloads as msgspec structs (camelCase on the wire; the token answer is OAuth's snake_case).
Private to the igloohome package.

Shapes follow reference/vendors.md section 3 and the research fact sheet; fields no source pins down are typed
loosely (a job's `jobType` comes as a number or a string, `linkedDevices` as objects or bare ids), and unknown
fields are ignored, as vendors add them.
"""

from __future__ import annotations

import enum
from typing import Any

import msgspec


class IglooStruct(msgspec.Struct, rename="camel", omit_defaults=True):
    """Base of igloohome payloads: camelCase names, absent optional fields left out when we send."""


class DeviceType(enum.StrEnum):
    LOCK = "Lock"
    BRIDGE = "Bridge"
    KEYPAD = "Keypad"


class JobType(enum.IntEnum):
    """Bridge job types (igloohome-api constants, vendors.md 3.4)."""

    LOCK = 1
    UNLOCK = 2
    CREATE_PIN = 4
    DELETE_PIN = 5
    GET_BATTERY_LEVEL = 9
    GET_DEVICE_STATUS = 10
    GET_ACTIVITY_LOGS = 15


class JobStatusCode(enum.IntEnum):
    """`jobResponse.jobStatus` as third-party pollers read it (anything else: still pending)."""

    DONE = 0
    PENDING = 1
    FAILED = 2


DURATION_PIN = 4
"""`pinType` of a custom PIN with a start and an end (the only value any source shows)."""

LOCKED_LOG_TYPES = frozenset({13, 37, 49, 51})
"""Auto-relock (padlock shackle), Bluetooth, keypad button, key or thumbturn (third-party table, unverified)."""
UNLOCKED_LOG_TYPES = frozenset({11, *range(18, 27), 50, 52, 56})
"""Bluetooth, the PIN kinds (18-26), button, key or thumbturn, fingerprint."""
PIN_LOG_TYPES = frozenset(range(18, 27))
BLUETOOTH_LOG_TYPES = frozenset({11, 37})
AUTOMATIC_LOG_TYPES = frozenset({13})
BREAK_IN_LOG_TYPE = 53
INCORRECT_PIN_LOG_TYPE = 54
"""Assumed: no source gives the number of a wrong-PIN entry (the igloohome app lists "incorrect PIN attempts")."""


# -- answers ------------------------------------------------------------------------------------------------------


class Token(msgspec.Struct):
    access_token: str
    expires_in: int | None = None
    token_type: str = "Bearer"
    scope: str | None = None


class LinkedDevice(IglooStruct):
    device_id: str
    type: str | None = None


class Device(IglooStruct):
    """A lock, bridge or keypad of the account (`GET /devices`, `GET /devices/{deviceId}`)."""

    device_id: str
    type: str = DeviceType.LOCK
    device_name: str = ""
    id: str | int | None = None
    paired_at: str | None = None
    home_id: list[str] = msgspec.field(default_factory=list)
    linked_devices: list[LinkedDevice | str] = msgspec.field(default_factory=list)
    battery_level: int | float | None = None
    """Percent; null for bridges."""
    last_sync: str | int | None = None
    """When the device last synced with the cloud (igloohome-api 0.1.2, the Android SDK)."""

    @property
    def linked_ids(self) -> list[str]:
        return [link if isinstance(link, str) else link.device_id for link in self.linked_devices]


class DevicePage(IglooStruct):
    payload: list[Device] = msgspec.field(default_factory=list)
    next_cursor: str | None = None
    """`""` (or absent) on the last page."""


class AlgoPin(IglooStruct):
    pin: str | int
    pin_id: str | int | None = None


class JobCreated(IglooStruct):
    job_id: str


class OpResult(IglooStruct):
    result: int | str | None = None


class JobResponse(IglooStruct):
    job_status: int | None = None
    op_result: OpResult | None = None
    message: str | None = None


class JobStatus(IglooStruct):
    """`GET /jobs/{jobId}`."""

    job_id: str
    completed: bool = False
    job_type: int | str | None = None
    expiry_date: str | None = None
    job_response: JobResponse | None = None


class ActivityEntry(IglooStruct):
    """One lock log row; `entryDate` is epoch milliseconds (the SDK) or seconds (webhook data)."""

    log_type: int | str | None = None
    entry_date: int | float | str | None = None
    key_id: int | str | None = None
    operation_id: int | str | None = None
    pin: str | int | None = None
    device_id: str | None = None


class ActivityPage(IglooStruct):
    payload: list[ActivityEntry] = msgspec.field(default_factory=list)
    next_cursor: str | None = None


class ErrorBody(msgspec.Struct):
    """What an error answer may carry (igloohome documents none: clients read `message`, then `error`)."""

    message: str | None = None
    error: str | None = None
    error_description: str | None = None


# -- requests -----------------------------------------------------------------------------------------------------


class AlgoPinBody(IglooStruct):
    variance: int
    access_name: str
    start_date: str | None = None
    end_date: str | None = None


class CreatePinData(IglooStruct):
    access_name: str
    pin: str
    pin_type: int
    start_date: str
    end_date: str


class DeletePinData(IglooStruct):
    pin: str


class ActivityJobData(IglooStruct):
    lock_time: str


class JobBody(IglooStruct):
    job_type: int
    job_data: dict[str, Any] | None
    """Always sent (null for lock and unlock, as igloohome-api sends it)."""
