"""Nuki's time fields across daylight-saving changes: a wanted window (instants, any offset) becomes exact UTC dates
with "every day, all day" (127, 0/0), and a listed auth is read back as the same instants; an auth narrowed in the
Nuki app to some weekdays or minutes of the day is recognised as such (`mapping.restriction`).

The 2026 changes: Europe/Berlin 2026-03-29 02:00 CET -> 03:00 CEST and 2026-10-25 03:00 CEST -> 02:00 CET;
America/New_York 2026-03-08 02:00 EST -> 03:00 EDT and 2026-11-01 02:00 EDT -> 01:00 EST.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from providers.nuki import mapping
from providers.nuki.models import SmartlockAuth
from schemas.providers import AccessCodeSpec

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")


def local(zone: ZoneInfo, text: str, *, fold: int = 0) -> datetime:
    """A wall-clock time in `zone`; `fold=1` picks the second of an hour that happens twice.

    Python subtracts and compares two datetimes of one zone by their wall clocks (and an ambiguous one equals
    nothing in another zone), so every check below goes through `in_utc` first.
    """
    return datetime.fromisoformat(text).replace(tzinfo=zone, fold=fold)


def in_utc(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.astimezone(UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def sent(starts_at: datetime, ends_at: datetime, *, create: bool = True) -> dict[str, object]:
    spec = AccessCodeSpec(name="Guest", code="345678", starts_at=starts_at, ends_at=ends_at)
    body: dict[str, object] = msgspec.to_builtins(mapping.auth_write(spec, create=create))
    return body


# Each case: a window given in the lock's local time, the UTC instants Nuki must get, and its real duration.
DST_WINDOWS = [
    pytest.param(
        local(BERLIN, "2026-03-29T01:30"),
        local(BERLIN, "2026-03-29T03:30"),
        ("2026-03-29T00:30:00.000Z", "2026-03-29T01:30:00.000Z"),
        timedelta(hours=1),
        id="berlin-spring-01:30-03:30-is-1h",
    ),
    pytest.param(
        local(BERLIN, "2026-10-25T01:30"),
        local(BERLIN, "2026-10-25T03:30"),
        ("2026-10-24T23:30:00.000Z", "2026-10-25T02:30:00.000Z"),
        timedelta(hours=3),
        id="berlin-autumn-01:30-03:30-is-3h",
    ),
    pytest.param(
        local(BERLIN, "2026-10-25T02:30"),
        local(BERLIN, "2026-10-25T02:30", fold=1),
        ("2026-10-25T00:30:00.000Z", "2026-10-25T01:30:00.000Z"),
        timedelta(hours=1),
        id="berlin-autumn-02:30-CEST-to-02:30-CET-is-1h",
    ),
    pytest.param(
        local(NEW_YORK, "2026-03-08T01:30"),
        local(NEW_YORK, "2026-03-08T03:30"),
        ("2026-03-08T06:30:00.000Z", "2026-03-08T07:30:00.000Z"),
        timedelta(hours=1),
        id="new-york-spring-01:30-03:30-is-1h",
    ),
    pytest.param(
        local(NEW_YORK, "2026-11-01T00:30"),
        local(NEW_YORK, "2026-11-01T02:30"),
        ("2026-11-01T04:30:00.000Z", "2026-11-01T07:30:00.000Z"),
        timedelta(hours=3),
        id="new-york-autumn-00:30-02:30-is-3h",
    ),
    pytest.param(
        local(NEW_YORK, "2026-11-01T01:30"),
        local(NEW_YORK, "2026-11-01T01:30", fold=1),
        ("2026-11-01T05:30:00.000Z", "2026-11-01T06:30:00.000Z"),
        timedelta(hours=1),
        id="new-york-autumn-01:30-EDT-to-01:30-EST-is-1h",
    ),
]


@pytest.mark.parametrize(("starts_at", "ends_at", "dates", "duration"), DST_WINDOWS)
def test_a_window_across_a_dst_change_is_sent_as_its_exact_utc_instants(
    starts_at: datetime, ends_at: datetime, dates: tuple[str, str], duration: timedelta
):
    body = sent(starts_at, ends_at)

    assert (body["allowedFromDate"], body["allowedUntilDate"]) == dates
    assert in_utc(ends_at) - in_utc(starts_at) == duration  # the instants, not the wall-clock difference
    assert in_utc(mapping.parse_time(dates[1])) - in_utc(mapping.parse_time(dates[0])) == duration
    assert (body["allowedWeekDays"], body["allowedFromTime"], body["allowedUntilTime"]) == (127, 0, 0)


@pytest.mark.parametrize(("starts_at", "ends_at", "dates", "duration"), DST_WINDOWS)
def test_an_update_sends_the_same_instants_and_reenables(
    starts_at: datetime, ends_at: datetime, dates: tuple[str, str], duration: timedelta
):
    body = sent(starts_at, ends_at, create=False)

    assert (body["allowedFromDate"], body["allowedUntilDate"], body["enabled"]) == (*dates, True)
    assert (body["allowedWeekDays"], body["allowedFromTime"], body["allowedUntilTime"]) == (127, 0, 0)


@pytest.mark.parametrize(
    "same_instant",
    [
        local(NEW_YORK, "2026-11-01T01:30", fold=1),
        datetime.fromisoformat("2026-11-01T01:30:00-05:00"),
        datetime.fromisoformat("2026-11-01T07:30:00+01:00"),
        utc("2026-11-01T06:30:00"),
    ],
    ids=["zoneinfo-EST", "offset-minus-5", "offset-plus-1", "utc"],
)
def test_any_offset_for_one_instant_gives_one_date(same_instant: datetime):
    body = sent(in_utc(same_instant) - timedelta(hours=2), same_instant)

    assert (body["allowedFromDate"], body["allowedUntilDate"]) == (
        "2026-11-01T04:30:00.000Z",
        "2026-11-01T06:30:00.000Z",
    )


@pytest.mark.parametrize(("starts_at", "ends_at", "dates", "duration"), DST_WINDOWS)
def test_a_listed_auth_reads_back_as_the_instants_it_was_given(
    starts_at: datetime, ends_at: datetime, dates: tuple[str, str], duration: timedelta
):
    auth = SmartlockAuth(
        id="a1",
        smartlock_id=1,
        type=13,
        name="Guest",
        code=345678,
        allowed_from_date=dates[0],
        allowed_until_date=dates[1],
        allowed_week_days=127,
        allowed_from_time=0,
        allowed_until_time=0,
    )
    seen = mapping.observed(auth)

    assert (in_utc(seen.starts_at), in_utc(seen.ends_at)) == (in_utc(starts_at), in_utc(ends_at))
    assert in_utc(seen.ends_at) - in_utc(seen.starts_at) == duration
    assert seen.starts_at is not None and seen.starts_at.utcoffset() == timedelta(0)
    assert mapping.restriction(auth) is None


def test_the_lock_time_zone_is_reported_unknown_not_guessed():
    """Nuki's `timezoneId` has no documented IANA table: the device has no zone and a warning says so."""
    lock = msgspec.convert(
        {"smartlockId": 4, "type": 4, "name": "Front door", "config": {"timezoneId": 37, "keypadPaired": True}},
        mapping.Smartlock,
    )
    device = mapping.to_device(lock)

    assert device.timezone is None and device.metadata["timezone_id"] == 37
    assert [issue.error_code for issue in device.warnings] == ["time_zone_unknown"]


def restricted(**fields: object) -> SmartlockAuth:
    return msgspec.convert(
        {"id": "a1", "smartlockId": 1, "type": 13, "name": "Guest", "code": 345678, **fields}, SmartlockAuth
    )


@pytest.mark.parametrize(
    ("fields", "described"),
    [
        ({}, None),
        ({"allowedWeekDays": 127, "allowedFromTime": 0, "allowedUntilTime": 0}, None),
        ({"allowedWeekDays": 126}, "only on Mon, Tue, Wed, Thu, Fri, Sat"),
        ({"allowedWeekDays": 65}, "only on Mon, Sun"),
        ({"allowedWeekDays": 0}, "on no weekday"),
        ({"allowedFromTime": 600, "allowedUntilTime": 840}, "only 10:00-14:00 lock time"),
        ({"allowedFromTime": 1320, "allowedUntilTime": 360}, "only 22:00-06:00 lock time"),
        ({"allowedFromTime": 0, "allowedUntilTime": 90}, "only 00:00-01:30 lock time"),
        ({"enabled": False}, "disabled"),
        (
            {"enabled": False, "allowedWeekDays": 4, "allowedFromTime": 480, "allowedUntilTime": 1020},
            "disabled; only on Fri; only 08:00-17:00 lock time",
        ),
    ],
)
def test_a_restriction_set_in_the_nuki_app_is_recognised(fields: dict[str, object], described: str | None):
    assert mapping.restriction(restricted(**fields)) == described


def test_a_restricted_auth_does_not_read_as_the_unrestricted_code():
    """What the reconcile compares must differ, or it never puts the wanted code back (see
    tests/aggregator/reconcile/test_time_zones.py); `restriction` already tells them apart.
    """
    plain = restricted(allowedFromDate="2026-10-24T23:30:00.000Z", allowedUntilDate="2026-10-25T02:30:00.000Z")
    narrowed = msgspec.structs.replace(plain, allowed_week_days=64, allowed_from_time=600, allowed_until_time=840)

    assert (mapping.restriction(plain), mapping.restriction(narrowed)) == (
        None,
        "only on Mon; only 10:00-14:00 lock time",
    )
    assert mapping.observed(plain) != mapping.observed(narrowed)
