"""Nuki Web API payloads as msgspec structs (camelCase on the wire). Private to the Nuki package.

Field meanings are in reference/vendors.md section 1; unknown fields are ignored, as vendors add them.
"""

from __future__ import annotations

import enum

import msgspec


class NukiStruct(msgspec.Struct, rename="camel", omit_defaults=True):
    """Base of Nuki payloads: camelCase names, absent optional fields left out when we send."""


class SmartlockType(enum.IntEnum):
    KEYTURNER = 0
    BOX = 1
    OPENER = 2
    SMARTDOOR = 3
    SMARTLOCK_3 = 4
    SMARTLOCK_ULTRA = 5


LOCK_TYPES = frozenset(
    {SmartlockType.KEYTURNER, SmartlockType.SMARTDOOR, SmartlockType.SMARTLOCK_3, SmartlockType.SMARTLOCK_ULTRA}
)


class ServerState(enum.IntEnum):
    OK = 0
    UNREGISTERED = 1
    AUTH_UUID_INVALID = 2
    AUTH_INVALID = 3
    OFFLINE = 4


class LockState(enum.IntEnum):
    UNCALIBRATED = 0
    LOCKED = 1
    UNLOCKING = 2
    UNLOCKED = 3
    LOCKING = 4
    UNLATCHED = 5
    UNLOCKED_LOCK_N_GO = 6
    UNLATCHING = 7
    MOTOR_BLOCKED = 254
    UNDEFINED = 255


class Action(enum.IntEnum):
    UNLOCK = 1
    LOCK = 2
    UNLATCH = 3
    LOCK_N_GO = 4
    LOCK_N_GO_UNLATCH = 5


KEYPAD_CODE = 13
"""Auth type of a keypad code."""


class SmartlockConfig(NukiStruct):
    name: str | None = None
    timezone_id: int | None = None
    keypad_paired: bool = False
    keypad2_paired: bool = False
    wifi_enabled: bool = False


class SmartlockState(NukiStruct):
    mode: int | None = None
    state: int = LockState.UNDEFINED
    trigger: int | None = None
    last_action: int | None = None
    battery_critical: bool = False
    battery_charging: bool = False
    battery_charge: int | None = None
    keypad_battery_critical: bool = False
    door_state: int | None = None


class Smartlock(NukiStruct):
    smartlock_id: int
    type: int
    name: str
    account_id: int | None = None
    auth_id: int | None = None
    firmware_version: int | None = None
    server_state: int = ServerState.OK
    admin_pin_state: int | None = None
    operation_id: str | None = None
    config: SmartlockConfig | None = None
    state: SmartlockState | None = None


class SmartlockAuth(NukiStruct):
    id: str
    smartlock_id: int
    type: int
    name: str
    auth_id: int | None = None
    code: int | None = None
    enabled: bool = True
    remote_allowed: bool | None = None
    allowed_from_date: str | None = None
    allowed_until_date: str | None = None
    allowed_week_days: int | None = None
    allowed_from_time: int | None = None
    allowed_until_time: int | None = None
    operation_id: str | None = None
    error: str | None = None


class SmartlockAuthWrite(NukiStruct):
    """Body of `PUT /smartlock/{id}/auth` (create, with `type`) and `POST /smartlock/{id}/auth/{authId}` (update)."""

    name: str
    code: int | None = None
    type: int | None = None
    enabled: bool | None = None
    allowed_from_date: str | msgspec.UnsetType | None = msgspec.UNSET
    """Left out: kept as it is (on update); null: cleared (no lower bound)."""
    allowed_until_date: str | msgspec.UnsetType | None = msgspec.UNSET
    allowed_week_days: int | None = None
    allowed_from_time: int | None = None
    allowed_until_time: int | None = None


class SmartlockLog(NukiStruct):
    id: str
    smartlock_id: int
    action: int
    trigger: int
    state: int
    date: str
    name: str | None = None
    auth_id: int | str | None = None
    account_user_id: int | None = None
    source: int | None = None
    auto_unlock: bool | None = None


class Account(NukiStruct):
    account_id: int
    email: str | None = None
    name: str | None = None


class Token(msgspec.Struct):
    """The OAuth token endpoint's answer (snake_case, as RFC 6749 has it)."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int | None = None
    refresh_token: str | None = None
    scope: str | None = None


class WebhookAuth(NukiStruct):
    smartlock_id: int


class WebhookPayload(NukiStruct):
    """What every central webhook has in common: `feature` says what else it carries.

    DEVICE_STATUS: `smartlockId`, `state` (a status object), `serverState`; DEVICE_LOGS: a SmartlockLog (whose
    `state` is a number) plus `feature`; DEVICE_AUTHS: `deleted` and `smartlockAuth`, with no top-level lock id.
    """

    feature: str
    smartlock_id: int | None = None
    smartlock_auth: WebhookAuth | None = None
