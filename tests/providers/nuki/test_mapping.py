"""Nuki's payloads (shaped as reference/vendors.md section 1 documents them) through the pure mapping functions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec
import pytest

from providers.nuki import mapping
from providers.nuki.models import Smartlock, SmartlockAuth, SmartlockLog
from schemas import BatteryStatus, EventMethod, EventType
from schemas.providers import AccessCodeSpec

FIXTURES = Path(__file__).parent / "fixtures"
FRONT_DOOR = 17618910285  # type 4, keypad2Paired, locked, 84 %
CELLAR = 742215263  # type 0, no keypad, unlocked, batteryCritical
OPENER = 9584794990  # type 2
BOX = 5593001840  # type 1
GARDEN_GATE = 18696862861  # type 4, keypadPaired (keypad 1), serverState 4 (offline)
OFFICE = 23278161310  # type 5, keypad2Paired, state 254 (jammed), 7 %
BACK_DOOR = 14974557871  # type 3, no keypad, unlatched
CET = timezone(timedelta(hours=1))


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def lock_payload(smartlock_id: int) -> dict[str, Any]:
    return next(item for item in load("smartlock_list.json") if item["smartlockId"] == smartlock_id)


def lock(smartlock_id: int, **state: Any) -> Smartlock:
    """The fixture lock, with `state` fields (camelCase, as on the wire) overridden."""
    payload = lock_payload(smartlock_id)
    payload["state"].update(state)
    return msgspec.convert(payload, Smartlock)


def logs() -> dict[str, SmartlockLog]:
    decoded = msgspec.json.decode((FIXTURES / "smartlock_log.json").read_bytes(), type=list[SmartlockLog])
    return {entry.id: entry for entry in decoded}


def log(**fields: Any) -> SmartlockLog:
    """A keypad unlock log entry (from the fixture) with fields (camelCase) overridden."""
    payload = next(item for item in load("smartlock_log.json") if item["id"] == "65e204f89b8a7c6d5e4f3a33")
    payload.update(fields)
    return msgspec.convert(payload, SmartlockLog)


# -- devices ------------------------------------------------------------------------------------------------------


def test_the_documented_smartlock_list_decodes_with_the_fields_our_models_ignore():
    decoded = msgspec.json.decode((FIXTURES / "smartlock_list.json").read_bytes(), type=list[Smartlock])

    assert [(item.smartlock_id, item.type) for item in decoded] == [
        (FRONT_DOOR, 4),
        (CELLAR, 0),
        (OPENER, 2),
        (BOX, 1),
        (GARDEN_GATE, 4),
        (OFFICE, 5),
        (BACK_DOOR, 3),
    ]
    front = decoded[0]
    assert front.config is not None and front.config.keypad2_paired and not front.config.keypad_paired
    assert front.config.timezone_id == 37
    assert front.state is not None and front.state.battery_charge == 84


def test_a_device_carries_the_vendor_id_name_model_and_metadata():
    device = mapping.to_device(lock(FRONT_DOOR))

    assert device.provider_device_id == "17618910285"
    assert device.name == "Front door"
    assert device.model == "Smart Lock 3.0/4.0"
    assert device.timezone is None
    assert device.metadata == {
        "smartlock_id": FRONT_DOOR,
        "nuki_type": 4,
        "keypad_paired": True,
        "server_state": 0,
        "timezone_id": 37,
    }
    assert "time_zone_unknown" in [warning.error_code for warning in device.warnings]


@pytest.mark.parametrize(
    ("state", "locked"),
    [
        (1, True),  # locked
        (4, True),  # locking
        (2, False),  # unlocking
        (3, False),  # unlocked
        (5, False),  # unlatched
        (6, False),  # unlocked (lock 'n' go)
        (7, False),  # unlatching
        (0, None),  # uncalibrated
        (224, None),  # wrong entry code
        (225, None),  # wrong fingerprint
        (254, None),  # motor blocked
        (255, None),  # undefined
    ],
)
def test_lock_state_codes_become_locked_true_false_or_unknown(state: int, locked: bool | None):
    assert mapping.properties(lock(FRONT_DOOR, state=state)).locked is locked


def test_a_motor_blocked_lock_reports_device_jammed():
    device = mapping.to_device(lock(OFFICE))

    assert device.properties.locked is None
    assert device.properties.online is True
    assert [issue.error_code for issue in device.errors] == ["device_jammed"]


def test_server_state_4_means_offline_with_a_device_offline_error():
    device = mapping.to_device(lock(GARDEN_GATE))

    assert device.properties.online is False
    assert [issue.error_code for issue in device.errors] == ["device_offline"]


@pytest.mark.parametrize("server_state", [1, 2, 3])
def test_a_lost_pairing_is_reported_as_disconnected(server_state: int):
    payload = lock_payload(FRONT_DOOR) | {"serverState": server_state}
    device = mapping.to_device(msgspec.convert(payload, Smartlock))

    assert device.properties.online is False
    assert [issue.error_code for issue in device.errors] == ["device_disconnected"]


def test_a_healthy_lock_is_online_without_errors():
    device = mapping.to_device(lock(FRONT_DOOR))

    assert device.properties.online is True
    assert device.properties.locked is True
    assert device.errors == []


@pytest.mark.parametrize(
    ("smartlock_id", "level", "status"),
    [
        (FRONT_DOOR, 0.84, BatteryStatus.GOOD),
        (CELLAR, 0.42, BatteryStatus.CRITICAL),  # batteryCritical wins over the charge
        (OFFICE, 0.07, BatteryStatus.CRITICAL),
        (OPENER, 1.0, BatteryStatus.FULL),
        (BOX, None, None),  # no batteryCharge at all
    ],
)
def test_battery_charge_and_critical_flag(smartlock_id: int, level: float | None, status: BatteryStatus | None):
    properties = mapping.properties(lock(smartlock_id))

    assert properties.battery_level == level
    assert properties.battery_status is status


def test_a_low_charge_is_low_and_critical_flag_without_charge_is_critical():
    assert mapping.properties(lock(FRONT_DOOR, batteryCharge=25)).battery_status is BatteryStatus.LOW
    critical = lock_payload(BOX)
    critical["state"]["batteryCritical"] = True
    properties = mapping.properties(msgspec.convert(critical, Smartlock))
    assert properties.battery_level is None
    assert properties.battery_status is BatteryStatus.CRITICAL


@pytest.mark.parametrize(("door_state", "door_open"), [(2, False), (3, True), (0, None), (4, None), (240, None)])
def test_door_state(door_state: int, door_open: bool | None):
    assert mapping.properties(lock(FRONT_DOOR, doorState=door_state)).door_open is door_open


@pytest.mark.parametrize(("smartlock_id", "capacity"), [(FRONT_DOOR, 200), (GARDEN_GATE, 200), (OFFICE, 200)])
def test_a_paired_keypad_or_keypad_2_gives_code_capabilities_and_constraints(smartlock_id: int, capacity: int):
    device = mapping.to_device(lock(smartlock_id))

    assert device.device_model == mapping.WITH_KEYPAD
    assert device.capabilities.can_remotely_lock and device.capabilities.can_remotely_unlock
    assert device.capabilities.can_program_online_access_codes
    assert device.capabilities.can_program_time_bound_codes_natively
    assert device.capabilities.can_list_access_codes
    assert not device.capabilities.can_program_offline_access_codes
    constraints = device.code_constraints
    assert constraints.supported_code_lengths == [6]
    assert set(constraints.rules) == {"no_zeros", "cannot_start_with_12"}
    assert constraints.max_active_codes == capacity
    assert constraints.max_name_length == 20


def test_a_smart_lock_1_or_2_with_a_keypad_holds_100_codes():
    payload = lock_payload(CELLAR)
    payload["config"]["keypadPaired"] = True
    device = mapping.to_device(msgspec.convert(payload, Smartlock))

    assert device.capabilities.can_program_online_access_codes
    assert device.code_constraints.max_active_codes == 100


@pytest.mark.parametrize("smartlock_id", [CELLAR, BACK_DOOR])
def test_no_keypad_means_lock_and_unlock_only_and_no_code_constraints(smartlock_id: int):
    device = mapping.to_device(lock(smartlock_id))

    assert device.device_model == mapping.WITHOUT_KEYPAD
    assert device.capabilities.can_remotely_lock and device.capabilities.can_remotely_unlock
    assert not device.capabilities.can_program_online_access_codes
    assert not device.capabilities.can_program_time_bound_codes_natively
    assert not device.capabilities.can_list_access_codes
    assert device.code_constraints.supported_code_lengths == []
    assert device.code_constraints.max_active_codes is None
    assert device.metadata["keypad_paired"] is False


def test_a_lock_without_config_has_no_keypad():
    payload = lock_payload(FRONT_DOOR)
    del payload["config"]

    assert mapping.has_keypad(msgspec.convert(payload, Smartlock)) is False


def test_a_critical_keypad_battery_is_a_warning():
    device = mapping.to_device(lock(GARDEN_GATE))

    assert "accessory_keypad_low_battery" in [warning.error_code for warning in device.warnings]


# -- access codes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("245796", None),
        ("999999", None),
        ("24579", "6 digits"),
        ("2457961", "6 digits"),
        ("24579a", "6 digits"),
        ("", "6 digits"),
        ("245706", "no_zeros"),
        ("000000", "no_zeros"),
        ("123456", "cannot_start_with_12"),
        ("129999", "cannot_start_with_12"),
        ("212345", None),  # 12 inside the code is fine
    ],
)
def test_code_problem_names_each_nuki_rule(code: str, rule: str | None):
    problem = mapping.code_problem(code)

    if rule is None:
        assert problem is None
    else:
        assert problem is not None and rule in problem


@pytest.mark.parametrize(
    "code", ["24579\u00b2", "\uff12\uff14\uff15\uff17\uff19\uff16"], ids=["superscript", "fullwidth"]
)
def test_code_problem_refuses_non_ascii_digits(code: str):
    assert mapping.code_problem(code) is not None


def test_a_code_without_window_is_name_type_13_and_integer_code_only():
    body = mapping.auth_write(AccessCodeSpec(name="Family", code="135792"), create=True)

    assert msgspec.to_builtins(body) == {"name": "Family", "code": 135792, "type": 13}


def test_a_window_becomes_utc_dates_every_weekday_all_day():
    spec = AccessCodeSpec(
        name="Guest Anna",
        code="245796",
        starts_at=datetime(2024, 3, 1, 15, 0, tzinfo=CET),
        ends_at=datetime(2024, 3, 5, 11, 0, 30, 123456, tzinfo=CET),
    )

    assert msgspec.to_builtins(mapping.auth_write(spec, create=True)) == {
        "name": "Guest Anna",
        "code": 245796,
        "type": 13,
        "allowedFromDate": "2024-03-01T14:00:00.000Z",
        "allowedUntilDate": "2024-03-05T10:00:30.000Z",
        "allowedWeekDays": 127,
        "allowedFromTime": 0,
        "allowedUntilTime": 0,
    }


def test_an_open_ended_window_sends_only_the_bound_it_has():
    spec = AccessCodeSpec(name="Guest", code="245796", ends_at=datetime(2024, 3, 5, 10, 0, tzinfo=UTC))
    body = msgspec.to_builtins(mapping.auth_write(spec, create=True))

    assert "allowedFromDate" not in body
    assert body["allowedUntilDate"] == "2024-03-05T10:00:00.000Z"
    assert (body["allowedWeekDays"], body["allowedFromTime"], body["allowedUntilTime"]) == (127, 0, 0)


def test_an_update_has_no_type_and_names_are_cut_to_20_characters():
    spec = AccessCodeSpec(name="Guest with a very long name", code="245796")
    body = msgspec.to_builtins(mapping.auth_write(spec, create=False))

    assert body["name"] == "Guest with a very lo" and body["code"] == 245796 and "type" not in body


def test_an_update_without_a_window_clears_the_window_nuki_would_keep():
    """Nuki keeps fields an update leaves out; a date is removed only when sent as null."""
    body = msgspec.to_builtins(mapping.auth_write(AccessCodeSpec(name="Guest", code="245796"), create=False))

    assert {name: value for name, value in body.items() if name.startswith("allowed")} == {
        "allowedFromDate": None,
        "allowedUntilDate": None,
        "allowedWeekDays": 127,
        "allowedFromTime": 0,
        "allowedUntilTime": 0,
    }


def test_listed_keypad_codes_become_observed_codes():
    auths = msgspec.json.decode((FIXTURES / "smartlock_auth_list.json").read_bytes(), type=list[SmartlockAuth])
    observed = {auth.id: mapping.observed(auth) for auth in auths}

    anna = observed["65d4a1f09c8e7b2a3f1e0c11"]
    assert (anna.name, anna.code, anna.is_pending) == ("Guest Anna", "245796", False)
    assert anna.starts_at == datetime(2024, 3, 1, 14, 0, tzinfo=UTC)
    assert anna.ends_at == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    assert observed["65d9e3c47b1a2f0e8d6c5b93"].is_pending is True  # operationId set
    family = observed["64f1a2b3c4d5e6f708192a3b"]
    assert (family.code, family.starts_at, family.ends_at) == ("135792", None, None)


# -- logs ---------------------------------------------------------------------------------------------------------


def test_an_unlock_by_keypad_code_is_a_confirmed_keycode_unlock():
    event = mapping.event_of(logs()["65e204f89b8a7c6d5e4f3a33"])

    assert event is not None
    assert event.provider_event_id == "65e204f89b8a7c6d5e4f3a33"
    assert event.type is EventType.LOCK_UNLOCKED
    assert event.method is EventMethod.KEYCODE
    assert event.was_confirmed_by_device is True
    assert event.provider_device_id == "17618910285"
    assert event.occurred_at == datetime(2024, 3, 1, 17, 5, 12, tzinfo=UTC)
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert event.data == {"name": "Guest Anna", "nuki_auth_id": "65d4a1f09c8e7b2a3f1e0c11"}


def test_a_lock_from_nuki_web_is_a_remote_lock():
    event = mapping.event_of(logs()["65e1f3a0e9d8c7b6a5f4e311"])

    assert event is not None
    assert (event.type, event.method) == (EventType.LOCK_LOCKED, EventMethod.REMOTE)
    assert event.provider_device_id == "742215263"
    assert event.occurred_at == datetime(2024, 3, 1, 15, 51, 44, tzinfo=UTC)


def test_an_invalid_keypad_code_is_access_denied():
    event = mapping.event_of(logs()["65e204d01c2b3a4d5e6f7a22"])

    assert event is not None
    assert (event.type, event.method) == (EventType.LOCK_ACCESS_DENIED, EventMethod.KEYCODE)


def test_lock_n_go_from_the_app_is_an_unlock():
    event = mapping.event_of(logs()["65e20a8c3d9f1b0e4a7c6d55"])

    assert event is not None
    assert (event.type, event.method) == (EventType.LOCK_UNLOCKED, EventMethod.APP)


def test_a_door_sensor_entry_has_no_event():
    assert mapping.event_of(logs()["65e2051e7a6b4c3d2e1f0a44"]) is None


@pytest.mark.parametrize("action", [208, 240, 241, 242, 243, 252, 253])
def test_log_actions_that_are_not_lock_movements_have_no_event(action: int):
    assert mapping.event_of(log(action=action, trigger=0, source=0)) is None


@pytest.mark.parametrize("state", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 254, 255])
def test_actions_that_did_not_complete_have_no_event(state: int):
    assert mapping.event_of(log(state=state)) is None


@pytest.mark.parametrize("state", [225, 226])
def test_an_invalid_fingerprint_or_nfc_tag_is_access_denied(state: int):
    event = mapping.event_of(log(state=state, source=2, trigger=7))

    assert event is not None and event.type is EventType.LOCK_ACCESS_DENIED


@pytest.mark.parametrize(
    ("trigger", "method"),
    [
        (0, EventMethod.AUTOMATIC),
        (1, EventMethod.MANUAL),
        (2, EventMethod.MANUAL),
        (3, EventMethod.AUTOMATIC),
        (4, EventMethod.REMOTE),
        (5, EventMethod.APP),
        (6, EventMethod.AUTOMATIC),
        (7, EventMethod.UNKNOWN),
        (255, EventMethod.KEYCODE),
    ],
)
def test_log_triggers_become_methods(trigger: int, method: EventMethod):
    event = mapping.event_of(log(trigger=trigger, source=0, action=2))

    assert event is not None and event.method is method


def test_source_keypad_code_is_a_keycode_even_without_the_keypad_trigger():
    event = mapping.event_of(log(trigger=7, source=1))

    assert event is not None and event.method is EventMethod.KEYCODE


def test_a_log_date_with_an_offset_is_the_same_instant():
    event = mapping.event_of(log(date="2024-03-01T18:05:12+01:00"))

    assert event is not None and event.occurred_at == datetime(2024, 3, 1, 17, 5, 12, tzinfo=UTC)


def test_a_keypad_event_names_the_code_it_came_from():
    event = mapping.event_of(logs()["65e204f89b8a7c6d5e4f3a33"])

    assert event is not None and event.provider_code_id == "65d4a1f09c8e7b2a3f1e0c11"
