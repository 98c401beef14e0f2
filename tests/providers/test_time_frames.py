"""The window an offline code gets: taken as asked when an option fits it, widened only when rounding is allowed,
refused with what would fit otherwise; edges placed in the lock's zone, across daylight-saving changes too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from providers.time_frames import NoFit, fit
from schemas import TimeFrameOption

BERLIN = ZoneInfo("Europe/Berlin")
H, D = timedelta(hours=1), timedelta(days=1)
HOURLY = TimeFrameOption(display_name="Hourly", min_duration=H, max_duration=672 * H, time_zone="Europe/Berlin")
DAILY = TimeFrameOption(
    display_name="Daily",
    min_duration=29 * D,
    max_duration=367 * D,
    matching_start_end_time=True,
    time_zone="Europe/Berlin",
    must_be_used_within=24 * H,
)
ONE_TIME = TimeFrameOption(
    display_name="One-time", min_duration=24 * H, max_duration=24 * H, is_one_time_use=True, time_zone="Europe/Berlin"
)
PERMANENT = TimeFrameOption(display_name="Permanent", granularity=H)
OPTIONS = [HOURLY, DAILY, ONE_TIME, PERMANENT]
NOW = datetime(2026, 3, 20, 9, 17, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def fitted(
    starts_at: datetime | None, ends_at: datetime | None, *, one_time: bool = False, rounding: str | None = None
):  # type: ignore[no-untyped-def]
    return fit(OPTIONS, starts_at=starts_at, ends_at=ends_at, one_time=one_time, rounding=rounding, now=NOW)


def test_a_stay_on_whole_hours_is_an_hourly_code_as_asked() -> None:
    result = fitted(at(21, 15), at(24, 11))
    assert (result.option.display_name, result.starts_at, result.ends_at, result.adjusted) == (
        "Hourly",
        at(21, 15),
        at(24, 11),
        False,
    )


def test_a_long_stay_is_a_daily_code_when_it_starts_and_ends_at_the_same_time_of_day() -> None:
    result = fitted(at(1, 14, month=4), at(15, 14, month=5))
    assert result.option is DAILY and not result.adjusted


def test_minutes_are_refused_with_what_would_fit_unless_rounding_is_allowed() -> None:
    with pytest.raises(NoFit) as refused:
        fitted(at(21, 15, 30), at(24, 10, 45))
    assert "Hourly: 1 h to 28 days, starting and ending on the hour" in str(refused.value)
    assert "max_time_rounding" in str(refused.value)
    rounded = fitted(at(21, 15, 30), at(24, 10, 45), rounding="1h")
    assert (rounded.starts_at, rounded.ends_at, rounded.adjusted) == (at(21, 15), at(24, 11), True)


def test_a_daily_window_needs_day_rounding_to_move_its_end_to_the_start_time() -> None:
    asked = (at(1, 15, month=4), at(10, 11, month=5))  # 39 days: too long for hourly, ends at another time of day
    with pytest.raises(NoFit):
        fitted(*asked, rounding="1h")
    rounded = fitted(*asked, rounding="1d")
    assert (rounded.option, rounded.starts_at, rounded.ends_at) == (DAILY, at(1, 15, month=4), at(10, 15, month=5))


def test_edges_are_on_the_hour_of_the_lock_even_across_a_daylight_saving_change() -> None:
    result = fitted(at(28, 22), at(29, 10))  # Berlin springs forward on 29 March: 11 hours, not 12
    assert result.ends_at - result.starts_at == 11 * H
    daily = fitted(at(10, 16), at(20, 16, month=4))
    assert daily.option is DAILY and daily.ends_at.astimezone(BERLIN).hour == 16


def test_a_one_time_code_lasts_its_fixed_span_from_an_hour() -> None:
    result = fitted(at(21, 8), None, one_time=True)
    assert (result.option, result.ends_at) == (ONE_TIME, at(22, 8))
    with pytest.raises(NoFit):
        fitted(at(21, 8), at(23, 8), one_time=True, rounding="1d")  # longer than one use may last


def test_no_window_is_a_permanent_code_and_no_start_means_from_this_hour() -> None:
    assert fitted(None, None).option is PERMANENT
    result = fitted(None, at(22, 18))
    assert (result.starts_at, result.adjusted) == (datetime(2026, 3, 20, 9, tzinfo=UTC), True)


def test_a_device_without_permanent_codes_wants_a_window() -> None:
    with pytest.raises(NoFit) as refused:
        fit([HOURLY], starts_at=None, ends_at=None, one_time=False, rounding=None, now=NOW)
    assert "needs a window" in str(refused.value)


def test_too_long_for_every_option_is_refused_even_rounded() -> None:
    with pytest.raises(NoFit) as refused:
        fitted(at(1, 15, month=4), at(1, 15, month=4) + 400 * D, rounding="1d")
    assert "even rounded" in str(refused.value)
