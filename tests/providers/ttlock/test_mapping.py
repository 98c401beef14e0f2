"""TTLock payloads (shaped as TTLock documents them) as the normalized model: locks with and without gateways,
codes and their windows, lock records as events, callbacks as hints to read the vendor again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from providers.errors import ProviderRejected
from providers.ttlock import mapping, records
from providers.ttlock.adapter import MANIFEST, TTLockProvider
from providers.ttlock.models import Gateway, LockDetail, OpenState, Page, Passcode, Record
from schemas import BatteryStatus, EventMethod, EventType
from tests.providers.ttlock.client_support import CONFIG, fixture

DETAIL = msgspec.json.decode(fixture("lock_detail.json"), type=LockDetail)
ONLINE = Gateway(gateway_id=78979, is_online=1)
OFFLINE = Gateway(gateway_id=78980, is_online=0)


def with_gateway(**changes: object) -> LockDetail:
    return msgspec.structs.replace(DETAIL, **({"has_gateway": 1, "feature_value": "344CD5F7"} | changes))


def test_a_keypad_lock_without_gateway_issues_offline_codes_only():
    device = mapping.to_device(DETAIL, [], None, answers=True)
    caps = device.capabilities
    assert device.device_model == mapping.KEYPAD_ALONE and device.name == "S202F_55ce63"
    assert (caps.can_program_offline_access_codes, caps.can_list_access_codes) == (True, True)
    assert not (caps.can_remotely_unlock or caps.can_program_online_access_codes)
    assert device.properties.online is False and device.properties.locked is None
    assert [w.error_code for w in device.warnings] == ["hub_required_for_additional_capabilities"]
    assert device.errors == [] and device.timezone == "Etc/GMT-8"  # timezoneRawOffset 28800000: UTC+8


def test_a_lock_on_an_online_gateway_takes_codes_and_commands():
    device = mapping.to_device(with_gateway(), [ONLINE], OpenState(state=0), answers=True)
    caps = device.capabilities
    assert device.device_model == mapping.KEYPAD_WITH_GATEWAY
    assert caps.can_remotely_lock and caps.can_remotely_unlock and caps.can_program_online_access_codes
    assert caps.can_program_time_bound_codes_natively
    assert (device.properties.online, device.properties.locked) == (True, True)
    assert device.properties.battery_level == 1.0 and device.properties.battery_status is BatteryStatus.FULL
    constraints = device.code_constraints
    assert constraints.supported_code_lengths == [4, 5, 6, 7, 8, 9] and constraints.max_active_codes == 250
    assert [o.display_name for o in constraints.offline_time_frame_options] == ["Period", "One-time", "Permanent"]
    assert {o.time_zone for o in constraints.offline_time_frame_options} == {"Etc/GMT-8"}


@pytest.mark.parametrize(
    ("gateways", "answers", "message"),
    [([OFFLINE], True, "gateway is offline"), ([ONLINE], False, "does not answer"), ([], True, "No gateway")],
)
def test_a_lock_its_gateway_cannot_reach_is_offline(gateways, answers, message):
    device = mapping.to_device(with_gateway(electric_quantity=8), gateways, None, answers=answers)
    assert device.properties.online is False and device.properties.battery_status is BatteryStatus.CRITICAL
    [error] = device.errors
    assert error.error_code == "device_offline" and message in error.message


def test_a_lock_without_keypad_takes_no_codes():
    device = mapping.to_device(with_gateway(feature_value="500"), [ONLINE], None, answers=True)  # bits 8 and 10
    assert device.device_model == mapping.LOCK_WITH_GATEWAY
    assert device.capabilities.can_remotely_unlock and not device.capabilities.can_program_online_access_codes
    assert device.code_constraints.supported_code_lengths == []


def test_zones_are_whole_hour_offsets_only():
    assert [mapping.zone_of(offset) for offset in (0, 3_600_000, -18_000_000, 19_800_000, None)] == [
        "UTC",
        "Etc/GMT-1",
        "Etc/GMT+5",
        None,
        None,
    ]


def test_a_listed_code_keeps_its_window_and_open_edges_read_back_as_open():
    [listed] = msgspec.json.decode(fixture("passcode_list.json"), type=Page[Passcode]).items
    seen = mapping.observed(listed)
    assert (seen.provider_code_id, seen.code, seen.name) == ("3234293", "034234", "Passcode for Jack")
    assert (seen.starts_at, seen.ends_at) == (
        datetime.fromtimestamp(1528878944, UTC),
        datetime.fromtimestamp(1628878944, UTC),
    )
    start, end = mapping.dates(None, None)
    opened = msgspec.structs.replace(
        listed, start_date=int(start.timestamp() * 1000), end_date=int(end.timestamp() * 1000)
    )
    assert (mapping.observed(opened).starts_at, mapping.observed(opened).ends_at) == (None, None)


def test_permanent_cyclic_and_busy_codes_say_so():
    base = Passcode(keyboard_pwd_id=1, keyboard_pwd="2468", start_date=1, end_date=2)
    assert mapping.observed(msgspec.structs.replace(base, keyboard_pwd_type=2)).starts_at is None
    assert "weekends" in (mapping.observed(msgspec.structs.replace(base, keyboard_pwd_type=5)).restriction or "")
    assert mapping.observed(msgspec.structs.replace(base, status=4)).is_pending is True


def test_records_are_events_with_how_the_door_opened():
    listed = msgspec.json.decode(fixture("lock_records.json"), type=Page[Record]).items
    events = [records.event_of(163377, record) for record in listed]
    assert [(event.type, event.method, event.provider_event_id) if event else None for event in events] == [
        (EventType.LOCK_UNLOCKED, EventMethod.APP, "163377:1635556821"),
        (EventType.LOCK_UNLOCKED, EventMethod.KEYCODE, "163377:1635539709"),  # the recordId
    ]
    keypad = events[1]
    assert keypad and keypad.data["name"] == "Alex" and keypad.was_confirmed_by_device
    assert keypad.occurred_at == datetime.fromtimestamp(1616675054, UTC)


def test_a_refused_passcode_is_access_denied_and_door_sensor_records_are_no_events():
    wrong = Record(record_type=4, lock_date=1, success=0, record_type_from_lock=7)
    event = records.event_of(1, wrong)
    assert event is not None and (event.type, event.method) == (EventType.LOCK_ACCESS_DENIED, EventMethod.KEYCODE)
    assert records.event_of(1, Record(record_type=30, lock_date=1)) is None
    tamper = records.event_of(1, Record(record_type=44, lock_date=1))
    assert tamper is not None and tamper.type is EventType.DEVICE_TAMPERED


def test_a_callback_is_only_a_hint_to_read_the_lock_or_the_account_again():
    about_lock = TTLockProvider.parse_webhook(CONFIG, {}, fixture("callback_records.txt").strip())
    assert (about_lock.refresh_device_ids, about_lock.events) == (["163377"], [])
    gateway = TTLockProvider.parse_webhook(CONFIG, {}, b"notifyType=2&gatewayId=78979&isOnline=0")
    assert gateway.refresh_account is True and gateway.refresh_device_ids == []
    with pytest.raises(ProviderRejected):
        TTLockProvider.parse_webhook(CONFIG, {}, b"hello")
    assert MANIFEST.webhook_answer == "success"


def test_native_windows_are_whole_minutes_and_load_three_days_ahead():
    assert (MANIFEST.native_window_step, MANIFEST.native_schedule_lead) == (timedelta(minutes=1), timedelta(hours=72))
