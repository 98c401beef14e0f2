"""Nuki's log entries (shaped as reference/vendors.md section 1 documents them) through the pure mapping functions:
which become events, of which type and method.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from providers.nuki import mapping
from providers.nuki.models import SmartlockLog
from schemas import EventMethod, EventType
from tests.providers.nuki.mapping_support import FIXTURES, load


def logs() -> dict[str, SmartlockLog]:
    decoded = msgspec.json.decode((FIXTURES / "smartlock_log.json").read_bytes(), type=list[SmartlockLog])
    return {entry.id: entry for entry in decoded}


def log(**fields: Any) -> SmartlockLog:
    """A keypad unlock log entry (from the fixture) with fields (camelCase) overridden."""
    payload = next(item for item in load("smartlock_log.json") if item["id"] == "65e204f89b8a7c6d5e4f3a33")
    payload.update(fields)
    return msgspec.convert(payload, SmartlockLog)


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
