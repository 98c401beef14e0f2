"""The simulated TTLock cloud's records: accounts, gateways, locks, passcodes as the cloud lists them and as the lock
holds them, lock records, and TTLock's errcodes with their official English messages. Pure data, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

ERRMSGS: dict[int, str] = {
    0: "none error message",
    1: "failed or means no",
    10000: "client_id does not exist",
    10001: "invalid client",
    10003: "token does not exist",
    10004: "token is invalide or revoked",
    10007: "invalid account or invalid password",
    10011: "invalid refresh_token",
    20002: "not lock admin",
    30005: "password must be md5 encrypted",
    30006: "exceeds the restrictions of API call number",
    80000: "date must be current time, in 5 minutes",
    90000: "internal server error",
    -3: "Invalid Parameter",
    -1003: "Lock does not exist",
    -1026: "A passcode for this validity period was fetched before and has been deleted, choose another whole hour",
    -2009: "Invalid Password",
    -2012: "The Lock is not connected to any Gateway.",
    -2018: "Permission Denied",
    -2025: "Frozen lock. Can not operate on it now",
    -2032: "The passcode is too simple: no consecutive or repeated digits",
    -3002: "The gateway is offline. Please check and try again.",
    -3003: "The gateway is busy. Please try again later.",
    -3006: "Invalid Passcode. Passcode should be between 6 - 9 Digits in length",
    -3007: "The same passcode already exists. Please use another one",
    -3008: "A Passcode that has never been used on the Lock cannot be changed",
    -3009: (
        "There is NO SPACE to store Customized Passcodes. Please Delete Un-Used Customized Passcodes and try again"
    ),
    -3036: "The lock is offline. Please check and try again.",
    -3037: "The lock is busy. Please try again later.",
    -4037: "No such Gateway exists.",
    -4043: "The function is not supported for this lock",
}
"""The errcodes the simulator answers, with TTLock's English `errmsg` (typos kept; -1026 and -2032 exist only on
the Chinese pages, so theirs is a translation)."""
DESCRIPTIONS = {1: "表示失败或否"}
"""`description` as TTLock sends it for these codes (Chinese); for the others the simulator repeats `errmsg`."""


class TTLockError(Exception):
    """A refusal: answered with HTTP 200 and `{"errcode", "errmsg", "description"}`, as TTLock answers every error."""

    def __init__(self, errcode: int, errmsg: str | None = None) -> None:
        self.errcode = errcode
        self.errmsg = errmsg or ERRMSGS.get(errcode, ERRMSGS[1])
        super().__init__(f"{errcode}: {self.errmsg}")

    @property
    def body(self) -> dict[str, object]:
        description = DESCRIPTIONS.get(self.errcode, self.errmsg)
        return {"errcode": self.errcode, "errmsg": self.errmsg, "description": description}


OK: dict[str, object] = {"errcode": 0, "errmsg": ERRMSGS[0]}
"""What action endpoints answer on success (data endpoints answer their object, without `errcode`)."""


class LockState:
    """`queryOpenState` values."""

    LOCKED, UNLOCKED, UNKNOWN = 0, 1, 2


class PwdType:
    """`keyboardPwdType` values the simulator serves (5-14, the cyclic ones, are refused with -4043)."""

    ONE_TIME, PERMANENT, PERIOD = 1, 2, 3


class PwdStatus:
    """A passcode's `status` while the cloud writes it to the lock (E "Status Code Description")."""

    NORMAL, ADDING, ADD_FAILED, MODIFYING, DELETING = 1, 4, 5, 6, 8


@dataclass
class Account:
    uid: int
    username: str
    password_md5: str


@dataclass
class Gateway:
    gateway_id: int
    uid: int
    name: str
    mac: str
    online: bool = True
    version: int = 2
    network_name: str = "home-wifi"
    created_ms: int = 0


@dataclass
class LockCode:
    """A passcode as the lock itself holds it: its window is in the lock's local wall-clock time (milliseconds
    since 1970-01-01T00:00 local), which is how the lock's firmware compares it with its own clock.
    """

    keyboard_pwd_id: int
    code: str
    name: str
    type: int
    local_start: int | None
    local_end: int | None
    random: bool = False
    first_used: int | None = None
    """Local time of the first opening (random codes die unused 24 h after their start; one-time ones after it)."""


@dataclass
class Lock:
    lock_id: int
    uid: int
    alias: str
    name: str
    mac: str
    secret: bytes
    """Per-lock key from which random (algorithmic) passcodes are derived."""
    no_key_pwd: str
    init_ms: int
    gateways: list[int] = field(default_factory=list)
    keypad: bool = True
    battery: int = 80
    timezone_offset_ms: int = 3_600_000
    remote_unlock: bool = True
    wifi: bool = False
    state: int = LockState.LOCKED
    reachable: bool = True
    frozen: bool = False
    codes: dict[int, LockCode] = field(default_factory=dict)
    """keyboardPwdId -> the code as the lock holds it."""
    deleted_random: set[tuple[int, int, int]] = field(default_factory=set)
    """(type, start, end) of random codes fetched and deleted since (asked again: -1026)."""

    def local(self, at_ms: int) -> int:
        return at_ms + self.timezone_offset_ms

    def zone(self) -> timezone:
        return timezone(timedelta(milliseconds=self.timezone_offset_ms))


@dataclass
class Passcode:
    """A passcode as the cloud lists it (`listKeyboardPwd`); what the lock holds may differ (`Lock.codes`)."""

    keyboard_pwd_id: int
    lock_id: int
    code: str
    name: str
    type: int
    start: int
    end: int
    send: int
    is_custom: bool
    sender: str
    status: int = PwdStatus.NORMAL
    origin: tuple[int, int, int] | None = None
    """A random code's (type, startDate, endDate) as first fetched; None for custom codes."""


@dataclass
class Record:
    record_id: int
    lock_id: int
    record_type: int
    from_lock: int
    success: bool
    username: str
    keyboard_pwd: str | None
    lock_date: int
    server_date: int
    battery: int


def ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("give the instant a time zone")
    return math.floor(moment.timestamp() * 1000)


def instant(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, UTC)
