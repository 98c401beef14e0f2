"""The simulated TTLock cloud's payloads, shaped as the TTLock Open Platform sends them (camelCase, ms timestamps,
ints for flags, passcodes as strings): locks, lock details, gateways, passcodes, lock records, pages.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from typing import Any

from providers.ttlock.simulator_state import Gateway, Lock, Passcode, Record

FEATURES_ALWAYS = (1, 2, 4, 6, 8, 14)
"""featureValue bits every simulated lock has: card, fingerprint, auto-lock time, firmware upgrade, lock command,
the "remote unlock" switch. Bits 0 (passcode), 5 (clear passcodes) and 7 (passcode management) come with a keypad;
10 (unlock via gateway) for gateway locks, 56 for Wi-Fi locks. No 12 (cyclic passcodes): the simulator refuses them."""
KEYPAD_FEATURES = (0, 5, 7)
UNLOCK_VIA_GATEWAY, WIFI = 10, 56
RSSI = -65


def feature_value(lock: Lock) -> str:
    bits = [*FEATURES_ALWAYS, *(KEYPAD_FEATURES if lock.keypad else ()), WIFI if lock.wifi else UNLOCK_VIA_GATEWAY]
    return f"{sum(1 << bit for bit in bits):X}"


def lock_item(lock: Lock) -> dict[str, Any]:
    """An item of `/v3/lock/list` (no group: the simulator has none, so `groupId`/`groupName` are left out)."""
    return {
        "lockId": lock.lock_id,
        "lockName": lock.name,
        "lockAlias": lock.alias,
        "lockMac": lock.mac,
        "electricQuantity": lock.battery,
        "featureValue": feature_value(lock),
        "hasGateway": 1 if lock.gateways else 0,
        "lockData": base64.b64encode(lock.secret).decode(),
        "date": lock.init_ms,
    }


def lock_detail(lock: Lock) -> dict[str, Any]:
    """`/v3/lock/detail`: the documented fields, plus `adminPwd`, `keyboardPwdVersion` and `isFrozen` as real answers
    carry them (hass-ttlock needs `adminPwd`).
    """
    admin_pwd = base64.b64encode(",".join(str(ord(digit)) for digit in lock.no_key_pwd).encode()).decode()
    return {
        "lockId": lock.lock_id,
        "lockName": lock.name,
        "lockAlias": lock.alias,
        "lockMac": lock.mac,
        "date": lock.init_ms,
        "noKeyPwd": lock.no_key_pwd,
        "adminPwd": admin_pwd,
        "electricQuantity": lock.battery,
        "featureValue": feature_value(lock),
        "timezoneRawOffset": lock.timezone_offset_ms,
        "modelNum": "SN284-FINGER-T0_PV53" if not lock.wifi else "SN9161-WIFI_PV53",
        "hardwareRevision": "1.1",
        "firmwareRevision": "5.1.0.200705",
        "autoLockTime": -1,
        "lockSound": 1,
        "soundVolume": 5,
        "hasGateway": 1 if lock.gateways else 0,
        "privacyLock": 2,
        "tamperAlert": 1,
        "resetButton": 1,
        "openDirection": 0,
        "passageMode": 2,
        "passageModeAutoUnlock": 2,
        "keyboardPwdVersion": 4,
        "isFrozen": 1 if lock.frozen else 2,
    }


def gateway_item(gateway: Gateway, lock_num: int) -> dict[str, Any]:
    return {
        "gatewayId": gateway.gateway_id,
        "gatewayMac": gateway.mac,
        "gatewayName": gateway.name,
        "gatewayVersion": gateway.version,
        "networkName": gateway.network_name,
        "networkMac": gateway.mac,
        "lockNum": lock_num,
        "isOnline": 1 if gateway.online else 0,
    }


def near_gateway(gateway: Gateway, seen_ms: int) -> dict[str, Any]:
    """An item of `/v3/gateway/listByLock`."""
    return {
        "gatewayId": gateway.gateway_id,
        "gatewayMac": gateway.mac,
        "gatewayName": gateway.name,
        "rssi": RSSI,
        "rssiUpdateDate": seen_ms,
    }


def near_lock(lock: Lock, seen_ms: int) -> dict[str, Any]:
    """An item of `/v3/gateway/listLock` (its time field is `updateDate`, not `rssiUpdateDate`)."""
    return {
        "lockId": lock.lock_id,
        "lockMac": lock.mac,
        "lockName": lock.name,
        "lockAlias": lock.alias,
        "rssi": RSSI,
        "updateDate": seen_ms,
    }


def passcode_item(pwd: Passcode) -> dict[str, Any]:
    return {
        "keyboardPwdId": pwd.keyboard_pwd_id,
        "lockId": pwd.lock_id,
        "keyboardPwd": pwd.code,
        "keyboardPwdName": pwd.name,
        "keyboardPwdType": pwd.type,
        "startDate": pwd.start,
        "endDate": pwd.end,
        "sendDate": pwd.send,
        "isCustom": 1 if pwd.is_custom else 0,
        "status": pwd.status,
        "senderUsername": pwd.sender,
    }


def record_item(record: Record) -> dict[str, Any]:
    """An item of `/v3/lockRecord/list` (`keyboardPwd` only for passcode records)."""
    item: dict[str, Any] = {
        "recordId": record.record_id,
        "lockId": record.lock_id,
        "recordTypeFromLock": record.from_lock,
        "recordType": record.record_type,
        "success": 1 if record.success else 0,
        "username": record.username,
        "lockDate": record.lock_date,
        "serverDate": record.server_date,
    }
    if record.keyboard_pwd is not None:
        item["keyboardPwd"] = record.keyboard_pwd
    return item


def pushed_record(record: Record, lock: Lock) -> dict[str, Any]:
    """An element of a callback's `records` (as real pushes carry it: no recordId, with lockMac and battery)."""
    item: dict[str, Any] = {
        "lockId": record.lock_id,
        "electricQuantity": record.battery,
        "serverDate": record.server_date,
        "recordTypeFromLock": record.from_lock,
        "recordType": record.record_type,
        "success": 1 if record.success else 0,
        "lockMac": lock.mac,
    }
    if record.keyboard_pwd is not None:
        item["keyboardPwd"] = record.keyboard_pwd
    return item | {"lockDate": record.lock_date, "username": record.username}


def page(items: Sequence[dict[str, Any]], page_no: int, page_size: int) -> dict[str, Any]:
    """TTLock's paging: `list`, `pageNo`, `pageSize`, `pages` (0 when empty), `total`."""
    chosen = items[(page_no - 1) * page_size : page_no * page_size]
    pages = math.ceil(len(items) / page_size)
    return {"list": list(chosen), "pageNo": page_no, "pageSize": page_size, "pages": pages, "total": len(items)}
