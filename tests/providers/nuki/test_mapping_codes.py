"""Keypad codes through the pure Nuki mapping functions: Nuki's code rules, the auth bodies we send, and listed
auths (shaped as reference/vendors.md section 1 documents them) read back as observed codes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest

from providers.nuki import mapping
from providers.nuki.models import SmartlockAuth
from schemas.providers import AccessCodeSpec
from tests.providers.nuki.mapping_support import FIXTURES

CET = timezone(timedelta(hours=1))


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
