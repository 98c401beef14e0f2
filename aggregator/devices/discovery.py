"""What a provider reports about an account's devices, applied to the gateway's devices, and the events it means.

A vendor device keeps its gateway id across syncs; a device the vendor stops listing is kept (codes and
history follow the door) and marked removed; names and time zones people set in the gateway win over the vendor's.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from aggregator.connected_accounts.repository import AccountRecord
from aggregator.db import Database
from aggregator.devices import repository
from aggregator.devices.repository import StoredDevice
from aggregator.events.repository import NewEvent
from aggregator.ids import new_id
from aggregator.reconcile import repository as reconciles
from schemas import BatteryStatus, Device, EventSource, EventType, ResourceIssue
from schemas.providers import ProviderDevice, ProviderIssue

DEVICE_MODEL_KEY = "device_model"
VENDOR_NAME_KEY, VENDOR_TIMEZONE_KEY = "vendor_name", "vendor_timezone"
"""What the vendor calls the device and where it says it is, kept beside the gateway's overrides."""
TIME_ZONE_UNKNOWN = "time_zone_unknown"
_WEAK_BATTERY = {BatteryStatus.LOW, BatteryStatus.CRITICAL}


async def apply_devices(
    db: Database, account: AccountRecord, observed: list[ProviderDevice], now: datetime
) -> tuple[dict[str, uuid.UUID], list[NewEvent]]:
    """Save what the vendor reports; returns gateway ids by vendor id, and the events the changes mean."""
    known = await repository.account_devices(db, account.id)
    ids: dict[str, uuid.UUID] = {}
    events: list[NewEvent] = []
    for reported in observed:
        device, news = await apply_device(db, account, reported, known.pop(reported.provider_device_id, None), now)
        ids[device.provider_device_id] = device.id
        events += news
    for gone in known.values():
        ids[gone.device.provider_device_id] = gone.device.id
        events += await _mark_removed(db, gone, account, now)
    return ids, events


async def apply_device(
    db: Database, account: AccountRecord, reported: ProviderDevice, stored: StoredDevice | None, now: datetime
) -> tuple[Device, list[NewEvent]]:
    """Save one vendor report of a device, read at `now`; returns the device and the events its changes mean."""
    device = render(reported, account, stored, now)
    await repository.save_device(db, device, workspace_id=account.workspace_id, observed_at=now)
    if device.capabilities.can_list_access_codes and stored is None:
        await reconciles.ensure(db, device.id, account.workspace_id)  # the periodic sweep reads its codes
    return device, changes(stored.device if stored else None, device, account.id, now)


def render(reported: ProviderDevice, account: AccountRecord, stored: StoredDevice | None, now: datetime) -> Device:
    """The gateway's device for a vendor report: its id and creation kept, the gateway's overrides applied."""
    previous = stored.device if stored else None
    return Device(
        id=previous.id if previous else new_id(),
        connected_account_id=account.id,
        provider=account.provider,
        provider_device_id=reported.provider_device_id,
        name=(stored.name_override if stored else None) or reported.name,
        model=reported.model,
        timezone=(stored.timezone_override if stored else None) or reported.timezone,
        properties=reported.properties,
        capabilities=reported.capabilities,
        code_constraints=reported.code_constraints,
        created_at=previous.created_at if previous else now,
        updated_at=now,
        errors=[_issue(item, previous, now, "errors") for item in reported.errors],
        warnings=[_issue(item, previous, now, "warnings") for item in _warnings(reported, stored)],
        provider_metadata={
            **reported.metadata,
            DEVICE_MODEL_KEY: reported.device_model,
            VENDOR_NAME_KEY: reported.name,
            VENDOR_TIMEZONE_KEY: reported.timezone,
        },
    )


def overridden(device: Device, *, name: str | None, timezone: str | None, now: datetime) -> Device:
    """The device with the gateway's name and time zone (None: the vendor's) applied to its document."""
    vendor_timezone = device.provider_metadata.get(VENDOR_TIMEZONE_KEY, device.timezone)
    warnings = device.warnings
    if timezone:
        warnings = [item for item in warnings if item.error_code != TIME_ZONE_UNKNOWN]
    return msgspec.structs.replace(
        device,
        name=name or str(device.provider_metadata.get(VENDOR_NAME_KEY) or device.name),
        timezone=timezone or vendor_timezone,
        warnings=warnings,
        updated_at=now,
    )


def as_provider_device(device: Device) -> ProviderDevice:
    """The device as its adapter knows it (what operations on it are given), in the zone the lock is in: the one a
    person set, else the vendor's; time frame options that name no zone of their own are placed in it, as the
    gateway placed them when it fitted a window (so that adapter and gateway judge a window alike).
    """
    constraints, zone = device.code_constraints, device.timezone
    options = [
        option if option.time_zone or not zone else msgspec.structs.replace(option, time_zone=zone)
        for option in constraints.offline_time_frame_options
    ]
    return ProviderDevice(
        provider_device_id=device.provider_device_id,
        device_model=str(device.provider_metadata.get(DEVICE_MODEL_KEY, "")),
        name=str(device.provider_metadata.get(VENDOR_NAME_KEY) or device.name),
        model=device.model,
        timezone=device.timezone,
        properties=device.properties,
        capabilities=device.capabilities,
        code_constraints=msgspec.structs.replace(constraints, offline_time_frame_options=options),
        metadata=device.provider_metadata,
    )


def changes(before: Device | None, after: Device, account_id: uuid.UUID, now: datetime) -> list[NewEvent]:
    """Events for what changed between two reports of a device (the gateway's own observations)."""
    kinds: list[EventType] = []
    if before is None:
        kinds.append(EventType.DEVICE_ADDED)
    elif before.properties.online != after.properties.online:
        kinds.append(EventType.DEVICE_CONNECTED if after.properties.online else EventType.DEVICE_DISCONNECTED)
    weak_before = before is not None and before.properties.battery_status in _WEAK_BATTERY
    if after.properties.battery_status in _WEAK_BATTERY and not weak_before:
        kinds.append(EventType.DEVICE_LOW_BATTERY)
    data = {"battery_level": after.properties.battery_level, "battery_status": after.properties.battery_status}
    return [
        NewEvent(
            type=kind,
            occurred_at=now,
            source=EventSource.GATEWAY,
            device_id=after.id,
            connected_account_id=account_id,
            data=data if kind is EventType.DEVICE_LOW_BATTERY else {},
        )
        for kind in kinds
    ]


async def _mark_removed(db: Database, gone: StoredDevice, account: AccountRecord, now: datetime) -> list[NewEvent]:
    device = gone.device
    if any(item.error_code == "device_removed" for item in device.errors):
        return []
    removed = ResourceIssue(
        error_code="device_removed", message="The vendor no longer lists this device.", created_at=now
    )
    offline = msgspec.structs.replace(device.properties, online=False)
    updated = msgspec.structs.replace(device, properties=offline, errors=[*device.errors, removed], updated_at=now)
    await repository.save_device(db, updated, workspace_id=account.workspace_id, observed_at=now)
    return [
        NewEvent(
            type=EventType.DEVICE_REMOVED,
            occurred_at=now,
            source=EventSource.GATEWAY,
            device_id=device.id,
            connected_account_id=account.id,
        )
    ]


def _warnings(reported: ProviderDevice, stored: StoredDevice | None) -> list[ProviderIssue]:
    """A time zone set in the gateway answers the vendor's "unknown time zone" warning."""
    if stored and stored.timezone_override:
        return [item for item in reported.warnings if item.error_code != TIME_ZONE_UNKNOWN]
    return reported.warnings


def _issue(item: ProviderIssue, previous: Device | None, now: datetime, kind: str) -> ResourceIssue:
    """Keep when an issue first appeared: an issue reported again is not new."""
    earlier = [old for old in getattr(previous, kind, []) if old.error_code == item.error_code] if previous else []
    since = earlier[0].created_at if earlier else now
    return ResourceIssue(error_code=item.error_code, message=item.message, created_at=since)
