"""TTLock Open Platform (cloud v3) payloads as msgspec structs (camelCase on the wire). Private to the TTLock package.

Field meanings are in reference/vendors.md section 2; unknown fields are ignored (real answers carry many more than
the documentation lists), and numbers the documentation shows as strings (`keyboardPwdType`) are taken either way.
"""

from __future__ import annotations

import enum
from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class TTLockStruct(msgspec.Struct, rename="camel"):
    """Base of TTLock payloads: camelCase names."""


class Token(msgspec.Struct):
    """`/oauth2/token`: snake_case, unlike the rest of the API."""

    access_token: str
    expires_in: int = 7_776_000
    refresh_token: str | None = None
    uid: int | None = None


class Failure(msgspec.Struct):
    """What every failing call answers, with HTTP 200: a non-zero `errcode`."""

    errcode: int = 0
    errmsg: str = ""
    description: str = ""


class Page(TTLockStruct, Generic[T]):
    items: list[T] = msgspec.field(default_factory=list, name="list")
    page_no: int = 1
    page_size: int = 20
    pages: int = 1
    total: int = 0


class Listing(TTLockStruct, Generic[T]):
    """An unpaged list (`gateway/listByLock`, `gateway/listLock`)."""

    items: list[T] = msgspec.field(default_factory=list, name="list")


class Feature(enum.IntEnum):
    """Bits of `featureValue` (a hex string)."""

    PASSCODE = 0
    LOCK_COMMAND = 8
    UNLOCK_VIA_GATEWAY = 10
    REMOTE_UNLOCK_SWITCH = 14
    PASSAGE_MODE = 22
    WIFI = 56


class LockItem(TTLockStruct):
    """One lock of `/v3/lock/list` (and the common part of `/v3/lock/detail`)."""

    lock_id: int
    lock_name: str = ""
    lock_alias: str | None = None
    lock_mac: str | None = None
    electric_quantity: int | None = None
    feature_value: str = "0"
    has_gateway: int = 0

    def has(self, feature: Feature) -> bool:
        try:
            return bool(int(self.feature_value or "0", 16) >> feature & 1)
        except ValueError:
            return False


class LockDetail(LockItem):
    timezone_raw_offset: int | None = None
    """The lock's offset from UTC in milliseconds."""
    model_num: str | None = None
    firmware_revision: str | None = None
    passage_mode: int | None = None
    auto_lock_time: int | None = None


class Gateway(TTLockStruct):
    gateway_id: int
    gateway_name: str | None = None
    gateway_mac: str | None = None
    gateway_version: int | None = None
    lock_num: int = 0
    is_online: int = 0


class GatewayLock(TTLockStruct):
    """A lock a gateway has seen in the last 30 minutes (`/v3/gateway/listLock`)."""

    lock_id: int
    rssi: int | None = None


class OpenState(TTLockStruct):
    state: int = 2
    """0 locked, 1 unlocked, 2 unknown."""


class PasscodeType(enum.IntEnum):
    ONE_TIME = 1
    PERMANENT = 2
    PERIOD = 3
    DELETE = 4
    WEEKEND = 5
    DAILY = 6
    WORKDAY = 7
    MONDAY = 8
    SUNDAY = 14


class Passcode(TTLockStruct):
    """One code of `/v3/lock/listKeyboardPwd`; `keyboardPwd` is in clear text (leading zeros kept as a string)."""

    keyboard_pwd_id: int
    keyboard_pwd: str | int | None = None
    keyboard_pwd_name: str | None = None
    keyboard_pwd_type: int | str = PasscodeType.PERIOD
    start_date: int | None = None
    end_date: int | None = None
    send_date: int | None = None
    is_custom: int | None = None
    status: int | None = None
    """1 normal, 4 adding, 5 add failed, 6 modifying, 7 modify failed, 8 deleting, 9 delete failed."""

    @property
    def kind(self) -> int:
        try:
            return int(self.keyboard_pwd_type)
        except ValueError:
            return PasscodeType.PERIOD


class PasscodeAdded(TTLockStruct):
    keyboard_pwd_id: int


class RandomPasscode(TTLockStruct):
    """`/v3/keyboardPwd/get`: a code the cloud computed."""

    keyboard_pwd: str | int
    keyboard_pwd_id: int


class Record(TTLockStruct):
    """One entry of `/v3/lockRecord/list` (and of a callback's `records`)."""

    record_type: int
    lock_date: int
    record_id: int | None = None
    lock_id: int | None = None
    record_type_from_lock: int | None = None
    success: int = 1
    username: str | None = None
    keyboard_pwd: str | int | None = None
    server_date: int | None = None
    electric_quantity: int | None = None
