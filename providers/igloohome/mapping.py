"""Pure translations from igloohome's device payloads to the normalized model (no I/O): which model a lock is, its
bridge, whether it can be reached, its battery, its PIN rules and the windows its algoPINs take.

igloohome reports no lock state, no online flag and no time zone. A lock is reachable only through its bridge (the
Bridge device whose `linkedDevices` names it), and a bridge only says when it last synced with the cloud
(`lastSync`): a bridge silent for longer than `BRIDGE_SILENCE` is taken as offline, and one that reports no
`lastSync` at all as online (with a warning that this cannot be told).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from providers.battery import battery_status
from providers.igloohome.models import Device, DeviceType
from providers.manifest import Capability, flags_for
from schemas import CodeConstraints, DeviceProperties, TimeFrameOption
from schemas.providers import ProviderDevice, ProviderIssue

WITH_BRIDGE, WITHOUT_BRIDGE, PADLOCK = "lock_with_bridge", "lock", "padlock"
OFFLINE_CAPABILITIES = frozenset({Capability.PROGRAM_OFFLINE_ACCESS_CODES})
BRIDGE_CAPABILITIES = OFFLINE_CAPABILITIES | {
    Capability.REMOTELY_LOCK,
    Capability.REMOTELY_UNLOCK,
    Capability.PROGRAM_ONLINE_ACCESS_CODES,
    Capability.PROGRAM_TIME_BOUND_CODES_NATIVELY,
}
PADLOCK_PREFIXES = ("SP", "IGP")
"""Padlock device ids seen in the wild (`SP2X24ec23e1`, `IGP119b04410`); locks look like `OE1X123cbb11`."""
BRIDGE_SILENCE = timedelta(hours=2)
CUSTOM_PIN_LENGTHS = [4, 5, 6]
"""Custom PINs (through a bridge) are 4-6 digits (igloohome support); algoPINs are 7-9 and computed by igloohome."""
MAX_PINS = 199
"""Online and offline PINs together (Seam's igloohome guide)."""
NAME_LENGTH = 60
"""`accessName` (vendors.md 3.3; unconfirmed elsewhere)."""

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
HOURLY = TimeFrameOption(display_name="Hourly", min_duration=HOUR, max_duration=672 * HOUR, must_be_used_within=DAY)
DAILY = TimeFrameOption(
    display_name="Daily",
    min_duration=29 * DAY,
    max_duration=367 * DAY,
    matching_start_end_time=True,
    must_be_used_within=DAY,
)
ONE_TIME = TimeFrameOption(
    display_name="One-time", min_duration=DAY, max_duration=DAY, is_one_time_use=True, must_be_used_within=DAY
)
PERMANENT = TimeFrameOption(display_name="Permanent", must_be_used_within=DAY)
OFFLINE_OPTIONS = (HOURLY, DAILY, ONE_TIME, PERMANENT)
"""Every igloohome lock issues these algoPINs; edges on the hour, in the lock's zone (the gateway fills it in)."""


def is_lock(device: Device) -> bool:
    return device.type == DeviceType.LOCK


def bridge_of(lock: Device, devices: list[Device]) -> Device | None:
    """The bridge that lists the lock among its `linkedDevices` (or that the lock lists, should it)."""
    bridges = [device for device in devices if device.type == DeviceType.BRIDGE]
    for bridge in bridges:
        if lock.device_id in bridge.linked_ids:
            return bridge
    return next((bridge for bridge in bridges if bridge.device_id in lock.linked_ids), None)


def device_model(lock: Device, bridge: Device | None) -> str:
    if bridge is not None:
        return WITH_BRIDGE
    return PADLOCK if lock.device_id.upper().startswith(PADLOCK_PREFIXES) else WITHOUT_BRIDGE


def sync_time(value: str | int | None) -> datetime | None:
    """`lastSync` as an instant: ISO 8601 (`Z`, `+00:00` or `+0000`) or epoch seconds or milliseconds."""
    if value is None or value == "":
        return None
    if isinstance(value, int) or value.isdigit():
        number = int(value)
        return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def bridge_online(bridge: Device, now: datetime) -> bool:
    last = sync_time(bridge.last_sync)
    return last is None or now - last <= BRIDGE_SILENCE


def to_device(lock: Device, devices: list[Device], now: datetime) -> ProviderDevice:
    bridge = bridge_of(lock, devices)
    model = device_model(lock, bridge)
    online = bridge is not None and bridge_online(bridge, now)
    return ProviderDevice(
        provider_device_id=lock.device_id,
        device_model=model,
        name=lock.device_name or lock.device_id,
        model="igloohome padlock" if model == PADLOCK else "igloohome smart lock",
        timezone=None,
        properties=properties(lock, online),
        capabilities=flags_for(BRIDGE_CAPABILITIES if bridge else OFFLINE_CAPABILITIES),
        code_constraints=constraints(with_bridge=bridge is not None),
        errors=errors(bridge, online),
        warnings=warnings(bridge),
        metadata=metadata(lock, bridge),
    )


def properties(lock: Device, online: bool) -> DeviceProperties:
    level = None if lock.battery_level is None else min(max(lock.battery_level / 100, 0.0), 1.0)
    return DeviceProperties(online=online, locked=None, battery_level=level, battery_status=battery_status(level))


def constraints(*, with_bridge: bool) -> CodeConstraints:
    return CodeConstraints(
        supported_code_lengths=list(CUSTOM_PIN_LENGTHS) if with_bridge else [],
        max_active_codes=MAX_PINS,
        max_name_length=NAME_LENGTH,
        offline_time_frame_options=list(OFFLINE_OPTIONS),
    )


def errors(bridge: Device | None, online: bool) -> list[ProviderIssue]:
    if bridge is None or online:
        return []
    since = sync_time(bridge.last_sync)
    message = (
        f"The lock's bridge {bridge.device_name or bridge.device_id} has not reached igloohome since "
        f"{since.isoformat() if since else 'an unknown time'}: locking, unlocking and custom PINs wait for it. "
        "Offline codes (algoPINs) still work."
    )
    return [ProviderIssue(error_code="device_offline", message=message)]


def warnings(bridge: Device | None) -> list[ProviderIssue]:
    found = [
        ProviderIssue(
            error_code="time_zone_unknown",
            message="igloohome reports no time zone; set the lock's IANA time zone with PATCH so that offline "
            "codes start and end in its local time.",
        )
    ]
    if bridge is None:
        message = (
            "Only offline codes (algoPINs) work on this lock: without an igloohome Bridge it cannot be locked, "
            "unlocked or given custom PINs remotely."
        )
        found.append(ProviderIssue(error_code="hub_required_for_additional_capabilities", message=message))
    elif bridge.last_sync is None:
        message = "igloohome does not say when the lock's bridge last synced: it is taken as online."
        found.append(ProviderIssue(error_code="unreliable_online_status", message=message))
    return found


def metadata(lock: Device, bridge: Device | None) -> dict[str, object]:
    return {
        "igloohome_id": lock.id,
        "device_id": lock.device_id,
        "paired_at": lock.paired_at,
        "last_sync": lock.last_sync,
        "bridge_id": bridge.device_id if bridge else None,
        "bridge_name": bridge.device_name if bridge else None,
        "bridge_last_sync": bridge.last_sync if bridge else None,
    }
