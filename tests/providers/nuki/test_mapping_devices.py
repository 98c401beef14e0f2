"""Nuki's smartlock payloads (shaped as reference/vendors.md section 1 documents them) through the pure mapping
functions: lock state, online, battery, door, keypad capabilities and code constraints.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from providers.nuki import mapping
from providers.nuki.models import Smartlock
from schemas import BatteryStatus
from tests.providers.nuki.mapping_support import FIXTURES, load

FRONT_DOOR = 17618910285  # type 4, keypad2Paired, locked, 84 %
CELLAR = 742215263  # type 0, no keypad, unlocked, batteryCritical
OPENER = 9584794990  # type 2
BOX = 5593001840  # type 1
GARDEN_GATE = 18696862861  # type 4, keypadPaired (keypad 1), serverState 4 (offline)
OFFICE = 23278161310  # type 5, keypad2Paired, state 254 (jammed), 7 %
BACK_DOOR = 14974557871  # type 3, no keypad, unlatched


def lock_payload(smartlock_id: int) -> dict[str, Any]:
    return next(item for item in load("smartlock_list.json") if item["smartlockId"] == smartlock_id)


def lock(smartlock_id: int, **state: Any) -> Smartlock:
    """The fixture lock, with `state` fields (camelCase, as on the wire) overridden."""
    payload = lock_payload(smartlock_id)
    payload["state"].update(state)
    return msgspec.convert(payload, Smartlock)


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
