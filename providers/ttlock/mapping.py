"""Pure translations between TTLock's payloads and the normalized model (no I/O): locks with their gateways, codes
and their windows, the offline codes TTLock computes, and lock records as events.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from providers.battery import battery_status
from providers.manifest import Capability, flags_for
from providers.ttlock.client import instant
from providers.ttlock.models import Feature, Gateway, LockDetail, OpenState, Passcode, PasscodeType
from schemas import CodeConstraints, DeviceProperties, TimeFrameOption
from schemas.providers import ObservedAccessCode, ProviderDevice, ProviderIssue

KEYPAD_WITH_GATEWAY = "keypad_lock_with_gateway"
KEYPAD_ALONE = "keypad_lock_without_gateway"
LOCK_WITH_GATEWAY = "lock_with_gateway"
LOCK_ALONE = "lock_without_gateway"
CODE_RULES = ("no_all_same_digits", "no_ascending_or_descending_sequence")
"""errcode -2032: a passcode "too simple" (repeated or consecutive digits)."""
MAX_CUSTOM_CODES = 250
ONE_TIME_SPAN = timedelta(hours=6)
FIRST_USE_WITHIN = timedelta(hours=24)
OPEN_START = datetime.fromisoformat("2000-01-01T00:00:00+00:00")
OPEN_END = datetime.fromisoformat("2100-01-01T00:00:00+00:00")
"""TTLock custom codes always have both dates: an open edge is sent as one of these, and read back as open."""
_PENDING = {4, 6, 8}
"""Passcode `status`: adding, modifying, deleting (not on the lock as listed yet)."""
_CYCLES = {5: "weekends", 6: "every day", 7: "workdays"} | {
    kind: day
    for kind, day in zip(
        range(8, 15), ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"), strict=True
    )
}


def capabilities_of(lock: LockDetail) -> frozenset[Capability]:
    keypad, reachable = lock.has(Feature.PASSCODE), reachable_remotely(lock)
    found: set[Capability] = set()
    if keypad:
        found |= {Capability.PROGRAM_OFFLINE_ACCESS_CODES, Capability.LIST_ACCESS_CODES}
    if reachable and lock.has(Feature.LOCK_COMMAND):
        found.add(Capability.REMOTELY_LOCK)
    if reachable and (lock.has(Feature.UNLOCK_VIA_GATEWAY) or lock.has(Feature.WIFI)):
        found.add(Capability.REMOTELY_UNLOCK)
    if reachable and keypad:
        found |= {Capability.PROGRAM_ONLINE_ACCESS_CODES, Capability.PROGRAM_TIME_BOUND_CODES_NATIVELY}
    return frozenset(found)


def reachable_remotely(lock: LockDetail) -> bool:
    """A lock is reached through a gateway it is bound to, or its own Wi-Fi; others only over Bluetooth."""
    return bool(lock.has_gateway) or lock.has(Feature.WIFI)


def model_of(lock: LockDetail) -> str:
    if lock.has(Feature.PASSCODE):
        return KEYPAD_WITH_GATEWAY if reachable_remotely(lock) else KEYPAD_ALONE
    return LOCK_WITH_GATEWAY if reachable_remotely(lock) else LOCK_ALONE


def to_device(lock: LockDetail, gateways: list[Gateway], state: OpenState | None, *, answers: bool) -> ProviderDevice:
    """`gateways`: those bound to the lock; `state`: what the lock said through one (None: not asked); `answers`:
    False when the lock itself did not answer its gateway.
    """
    zone = zone_of(lock.timezone_raw_offset)
    online = reachable_remotely(lock) and answers and (lock.has(Feature.WIFI) or any(g.is_online for g in gateways))
    keypad = lock.has(Feature.PASSCODE)
    return ProviderDevice(
        provider_device_id=str(lock.lock_id),
        device_model=model_of(lock),
        name=lock.lock_alias or lock.lock_name or f"TTLock {lock.lock_id}",
        model=lock.model_num or (lock.lock_name.split("_")[0] if lock.lock_name else None),
        timezone=zone,
        properties=_properties(lock, state, online=online),
        capabilities=flags_for(capabilities_of(lock)),
        code_constraints=constraints(zone) if keypad else CodeConstraints(),
        errors=_errors(lock, gateways, online=online, answers=answers),
        warnings=_warnings(lock),
        metadata={
            "lock_id": lock.lock_id,
            "lock_name": lock.lock_name,
            "lock_mac": lock.lock_mac,
            "feature_value": lock.feature_value,
            "has_gateway": bool(lock.has_gateway),
            "gateway_ids": [gateway.gateway_id for gateway in gateways],
            "firmware_revision": lock.firmware_revision,
        },
    )


def _properties(lock: LockDetail, state: OpenState | None, *, online: bool) -> DeviceProperties:
    level = lock.electric_quantity / 100 if lock.electric_quantity is not None else None
    locked = {0: True, 1: False}.get(state.state) if state is not None else None
    return DeviceProperties(online=online, locked=locked, battery_level=level, battery_status=battery_status(level))


def _errors(lock: LockDetail, gateways: list[Gateway], *, online: bool, answers: bool) -> list[ProviderIssue]:
    if online or not reachable_remotely(lock):
        return []
    if not answers:
        return [ProviderIssue(error_code="device_offline", message="The lock does not answer its gateway.")]
    if not gateways and not lock.has(Feature.WIFI):
        return [ProviderIssue(error_code="device_offline", message="No gateway has seen the lock lately.")]
    return [ProviderIssue(error_code="device_offline", message="The lock's gateway is offline.")]


def _warnings(lock: LockDetail) -> list[ProviderIssue]:
    if reachable_remotely(lock):
        return []
    message = "The lock has no gateway: it cannot be reached remotely; only offline codes can be issued for it."
    return [ProviderIssue(error_code="hub_required_for_additional_capabilities", message=message)]


def zone_of(offset_ms: int | None) -> str | None:
    """TTLock keeps an offset, not a zone: a whole-hour offset as a fixed IANA zone (`Etc/GMT-1` is UTC+1)."""
    if offset_ms is None or offset_ms % 3_600_000:
        return None
    hours = offset_ms // 3_600_000
    name = "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
    try:
        return ZoneInfo(name).key
    except ZoneInfoNotFoundError:
        return None


def constraints(zone: str | None) -> CodeConstraints:
    return CodeConstraints(
        supported_code_lengths=list(range(4, 10)),
        max_active_codes=MAX_CUSTOM_CODES,
        rules=list(CODE_RULES),
        offline_time_frame_options=time_frame_options(zone),
    )


def time_frame_options(zone: str | None) -> list[TimeFrameOption]:
    """Random codes (`keyboardPwd/get`): whole hours of the lock's time; periods up to a year; a one-time code
    works once within 6 h; period and permanent codes die unless used within 24 h of their start.
    """
    return [
        TimeFrameOption(
            display_name="Period",
            min_duration=timedelta(hours=1),
            max_duration=timedelta(days=365),
            must_be_used_within=FIRST_USE_WITHIN,
            time_zone=zone,
        ),
        TimeFrameOption(
            display_name="One-time",
            min_duration=ONE_TIME_SPAN,
            max_duration=ONE_TIME_SPAN,
            is_one_time_use=True,
            time_zone=zone,
        ),
        TimeFrameOption(display_name="Permanent", time_zone=zone),
    ]


def observed(passcode: Passcode) -> ObservedAccessCode:
    kind = passcode.kind
    starts_at, ends_at = _window(passcode)
    restriction = None
    if kind in _CYCLES:
        restriction = f"repeats {_CYCLES[kind]} within its daily hours"
    elif kind == PasscodeType.DELETE:
        restriction = "a delete code (it wipes the lock's other codes when typed)"
    elif kind == PasscodeType.ONE_TIME:
        restriction = "works once"
    return ObservedAccessCode(
        provider_code_id=str(passcode.keyboard_pwd_id),
        name=passcode.keyboard_pwd_name,
        code=None if passcode.keyboard_pwd is None else str(passcode.keyboard_pwd),
        starts_at=starts_at,
        ends_at=ends_at,
        is_pending=passcode.status in _PENDING,
        restriction=restriction,
    )


def _window(passcode: Passcode) -> tuple[datetime | None, datetime | None]:
    if passcode.kind == PasscodeType.PERMANENT:
        return None, None
    start = instant(passcode.start_date) if passcode.start_date else None
    end = instant(passcode.end_date) if passcode.end_date else None
    if passcode.kind == PasscodeType.ONE_TIME and start is not None:
        end = start + ONE_TIME_SPAN
    return (None if start is None or start <= OPEN_START else start), (None if end is None or end >= OPEN_END else end)


def dates(starts_at: datetime | None, ends_at: datetime | None) -> tuple[datetime, datetime]:
    """A custom code's two dates (open edges as the far-away dates that read back as open)."""
    return starts_at or OPEN_START, ends_at or OPEN_END
