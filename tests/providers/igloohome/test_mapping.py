"""igloohome devices and log rows, shaped as the fact sheet records them, in the normalized model: the model of
each lock, its bridge and reachability, battery, PIN rules and offline windows; events with their identity.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from providers.igloohome import mapping
from providers.igloohome.mapping_events import event_of
from providers.igloohome.models import ActivityPage, Device, DevicePage
from schemas import BatteryStatus, EventMethod, EventType
from schemas.providers import ProviderDevice
from tests.providers.igloohome.client_support import FRONT_DOOR, HOME_BRIDGE, NOW, fixture


def account_devices() -> list[Device]:
    pages = [
        msgspec.json.decode(fixture(name), type=DevicePage) for name in ("devices_page_1.json", "devices_page_2.json")
    ]
    return [device for page in pages for device in page.payload]


def normalized(now: datetime = NOW) -> dict[str, ProviderDevice]:
    devices = account_devices()
    found = [mapping.to_device(device, devices, now) for device in devices if mapping.is_lock(device)]
    return {device.provider_device_id: device for device in found}


def codes(device: ProviderDevice, kind: str) -> set[str]:
    return {issue.error_code for issue in getattr(device, kind)}


def test_only_locks_become_devices():
    assert set(normalized()) == {FRONT_DOOR, "OE1X777aaa22", "OE1X999ccc33", "SP2X24ec23e1"}


def test_a_lock_with_a_bridge_that_synced_lately_does_everything_but_list_codes():
    front = normalized()[FRONT_DOOR]

    assert (front.device_model, front.name, front.timezone) == (mapping.WITH_BRIDGE, "Front Door", None)
    assert front.properties.online is True and front.properties.locked is None
    assert (front.properties.battery_level, front.properties.battery_status) == (1.0, BatteryStatus.FULL)
    flags = front.capabilities
    assert (
        flags.can_remotely_unlock and flags.can_program_online_access_codes and flags.can_program_offline_access_codes
    )
    assert flags.can_program_time_bound_codes_natively and not flags.can_list_access_codes
    assert front.metadata["bridge_id"] == HOME_BRIDGE and codes(front, "errors") == set()
    assert codes(front, "warnings") == {"time_zone_unknown"}


def test_a_lock_whose_bridge_went_silent_is_offline_and_keeps_its_capabilities():
    garden = normalized()["OE1X777aaa22"]

    assert garden.properties.online is False and codes(garden, "errors") == {"device_offline"}
    assert "Garden Bridge" in garden.errors[0].message and "algoPINs" in garden.errors[0].message
    assert garden.capabilities.can_remotely_lock and garden.properties.battery_status is BatteryStatus.CRITICAL


def test_a_bridge_is_online_while_its_last_sync_is_recent_enough():
    bridge = next(device for device in account_devices() if device.device_id == HOME_BRIDGE)
    synced = datetime(2025, 3, 1, 9, 55, tzinfo=UTC)

    assert mapping.bridge_online(bridge, synced + mapping.BRIDGE_SILENCE)
    assert not mapping.bridge_online(bridge, synced + mapping.BRIDGE_SILENCE + timedelta(seconds=1))


def test_a_bridge_without_last_sync_is_taken_as_online_with_a_warning():
    devices = account_devices()
    devices[1] = msgspec.structs.replace(devices[1], last_sync=None)

    front = mapping.to_device(devices[0], devices, NOW)

    assert front.properties.online is True and "unreliable_online_status" in codes(front, "warnings")


@pytest.mark.parametrize("device_id", ["OE1X999ccc33", "SP2X24ec23e1"])
def test_locks_without_a_bridge_take_offline_codes_only(device_id):
    device = normalized()[device_id]

    assert device.properties.online is False and device.errors == []
    assert "hub_required_for_additional_capabilities" in codes(device, "warnings")
    assert "only offline codes" in device.warnings[-1].message.lower()
    assert device.capabilities.can_program_offline_access_codes and not device.capabilities.can_remotely_unlock
    assert device.code_constraints.supported_code_lengths == []


def test_a_padlock_is_told_by_its_device_id():
    padlock = normalized()["SP2X24ec23e1"]

    assert (padlock.device_model, padlock.model) == (mapping.PADLOCK, "igloohome padlock")
    assert padlock.properties.battery_level is None and padlock.properties.battery_status is None
    assert normalized()["OE1X999ccc33"].device_model == mapping.WITHOUT_BRIDGE


def test_custom_pins_and_the_offline_windows_igloohome_takes():
    constraints = normalized()[FRONT_DOOR].code_constraints

    assert constraints.supported_code_lengths == [4, 5, 6] and constraints.max_active_codes == 199
    hourly, daily, one_time, permanent = constraints.offline_time_frame_options
    assert (hourly.min_duration, hourly.max_duration) == (timedelta(hours=1), timedelta(hours=672))
    assert (daily.min_duration, daily.max_duration, daily.matching_start_end_time) == (
        timedelta(days=29),
        timedelta(days=367),
        True,
    )
    assert one_time.is_one_time_use and one_time.max_duration == timedelta(hours=24)
    assert permanent.is_permanent and permanent.must_be_used_within == timedelta(hours=24)
    assert all(option.time_zone is None and option.granularity == timedelta(hours=1) for option in (hourly, daily))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-02-27T18:00:00+0000", datetime(2025, 2, 27, 18, tzinfo=UTC)),
        ("2025-02-27T18:00:00Z", datetime(2025, 2, 27, 18, tzinfo=UTC)),
        (1740679200, datetime(2025, 2, 27, 18, tzinfo=UTC)),
        (1740679200000, datetime(2025, 2, 27, 18, tzinfo=UTC)),
        ("yesterday", None),
        (None, None),
    ],
)
def test_last_sync_is_read_in_each_shape_seen(value, expected):
    assert mapping.sync_time(value) == expected


def activity_events() -> list:
    rows = msgspec.json.decode(fixture("activity.json"), type=ActivityPage).payload
    return [event_of(FRONT_DOOR, row) for row in rows]


def test_log_rows_become_events_with_their_method():
    events = activity_events()
    kinds = [(event.type, event.method) if event else None for event in events]

    assert kinds == [
        (EventType.LOCK_UNLOCKED, EventMethod.MANUAL),
        (EventType.LOCK_UNLOCKED, EventMethod.KEYCODE),
        (EventType.LOCK_UNLOCKED, EventMethod.KEYCODE),
        (EventType.LOCK_LOCKED, EventMethod.APP),
        (EventType.DEVICE_TAMPERED, None),
        (EventType.LOCK_ACCESS_DENIED, EventMethod.KEYCODE),
        None,
        None,
    ]


def test_entry_dates_in_milliseconds_and_seconds_and_custom_pins_known_by_value():
    events = activity_events()

    assert [event.occurred_at.hour for event in events[:3]] == [10, 9, 8]
    assert events[2].provider_code_id == "pin:4821" and events[1].provider_code_id is None
    assert events[0].provider_event_id == f"{FRONT_DOOR}:1740823200000:52:102:0"
    assert "pin" not in events[2].data and events[2].data["key_id"] == "custom"
