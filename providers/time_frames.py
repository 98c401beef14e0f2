"""Which window an offline code gets: the requested one when one of the device's time frame options takes it as it
is, else (when the request allows rounding) the nearest wider one that an option takes, else a refusal that says
what would fit. Pure; edges are placed in the option's time zone (daylight saving included). The gateway fits
requests with it; adapters check with it that a window fits before any vendor call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from schemas import TimeFrameOption

HOUR, DAY = timedelta(hours=1), timedelta(days=1)
ROUNDING = {"1h": HOUR, "1hour": HOUR, "1d": DAY, "1day": DAY}


class NoFit(ValueError):
    """No option takes the window; the message says what would fit."""


@dataclass(frozen=True, slots=True)
class Fitted:
    option: TimeFrameOption
    starts_at: datetime | None
    ends_at: datetime | None
    adjusted: bool
    """The window differs from the one asked for (rounded, or the start taken as now)."""


def fit(
    options: Sequence[TimeFrameOption],
    *,
    starts_at: datetime | None,
    ends_at: datetime | None,
    one_time: bool,
    rounding: str | None,
    now: datetime,
) -> Fitted:
    # in UTC: arithmetic on two datetimes of one zone object would ignore a daylight-saving change between them
    starts_at, ends_at = _utc(starts_at), _utc(ends_at)
    kinds = [option for option in options if option.is_one_time_use == one_time]
    if not kinds:
        raise NoFit(f"This device issues no {'one-time ' if one_time else ''}offline codes. {describe(options)}")
    if starts_at is None and ends_at is None and not one_time:
        permanent = next((option for option in kinds if option.is_permanent), None)
        if permanent is None:
            raise NoFit(f"An offline code on this device needs a window. {describe(options)}")
        return Fitted(permanent, None, None, adjusted=False)
    timed = [option for option in kinds if not option.is_permanent]
    start = starts_at or floor_to_grid(now, timed[0]) if timed else starts_at
    for option in timed:
        window = _exact(option, start, ends_at)
        if window is not None:
            return Fitted(option, *window, adjusted=starts_at is None)
    step = ROUNDING.get(rounding or "")
    widened = [(option, _widened(option, start, ends_at, step)) for option in timed] if step else []
    fitting = [(option, window) for option, window in widened if window is not None]
    if fitting:
        option, (start_at, end_at) = min(fitting, key=lambda pair: _added(pair[1], start, ends_at))
        return Fitted(option, start_at, end_at, adjusted=True)
    raise NoFit(_refusal(options, start, ends_at, rounding))


def describe(options: Sequence[TimeFrameOption]) -> str:
    return "Possible: " + "; ".join(_describe(option) for option in options) + "." if options else ""


def _exact(option: TimeFrameOption, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime] | None:
    if start is None:
        return None
    if option.is_one_time_use:
        fixed = start + (option.max_duration or DAY)
        end = fixed if end is None else end
        return (start, end) if end == fixed and _on_grid(start, option) else None
    if end is None:
        return None
    return (start, end) if _takes(option, start, end) else None


def _widened(
    option: TimeFrameOption, start: datetime | None, end: datetime | None, step: timedelta
) -> tuple[datetime, datetime] | None:
    """The window `option` takes that holds [start, end] with each edge moved out by at most `step`."""
    if start is None or (end is None and not option.is_one_time_use):
        return None
    first = floor_to_grid(start, option)
    if option.is_one_time_use:
        last = first + (option.max_duration or DAY)
    else:
        assert end is not None
        last = _ceil(end, option, first if option.matching_start_end_time else None)
    end = last if end is None else end
    if start - first > step or not timedelta(0) <= last - end <= step:
        return None
    return (first, last) if _takes(option, first, last) else None


def _takes(option: TimeFrameOption, start: datetime, end: datetime) -> bool:
    length = end - start
    if option.min_duration is not None and length < option.min_duration:
        return False
    if option.max_duration is not None and length > option.max_duration:
        return False
    if not (_on_grid(start, option) and _on_grid(end, option)):
        return False
    return not option.matching_start_end_time or _local(start, option).time() == _local(end, option).time()


def _local(moment: datetime, option: TimeFrameOption) -> datetime:
    return moment.astimezone(ZoneInfo(option.time_zone) if option.time_zone else UTC)


def _on_grid(moment: datetime, option: TimeFrameOption) -> bool:
    local = _local(moment, option)
    since_midnight = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
    return since_midnight % option.granularity == timedelta(0)


def floor_to_grid(moment: datetime, option: TimeFrameOption) -> datetime:
    local = _local(moment, option)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    floored = midnight + ((local - midnight) // option.granularity) * option.granularity
    return floored.astimezone(UTC)


def _ceil(moment: datetime, option: TimeFrameOption, same_time_as: datetime | None) -> datetime:
    """The first grid instant at or after `moment` (with `same_time_as`: at that instant's local time of day)."""
    if same_time_as is None:
        floored = floor_to_grid(moment, option)
        return floored if floored == moment else floor_to_grid(moment + option.granularity, option)
    anchor = _local(same_time_as, option)
    local = _local(moment, option)
    candidate = local.replace(hour=anchor.hour, minute=anchor.minute, second=0, microsecond=0)
    while candidate < local:
        candidate = (candidate + DAY).replace(hour=anchor.hour, minute=anchor.minute)
    return candidate.astimezone(UTC)


def _added(window: tuple[datetime, datetime], start: datetime | None, end: datetime | None) -> timedelta:
    first, last = window
    return (start - first if start else timedelta(0)) + (last - end if end else timedelta(0))


def _describe(option: TimeFrameOption) -> str:
    if option.is_permanent:
        return f"{option.display_name}: no window (valid until deleted)"
    if option.is_one_time_use:
        return f"{option.display_name}: one use within {_span(option.max_duration or DAY)} from a start on the hour"
    bounds = f"{_span(option.min_duration or option.granularity)} to {_span(option.max_duration)}"
    edges = "on the hour" if option.granularity == HOUR else f"on whole {_span(option.granularity)} steps"
    same = ", starting and ending at the same time of day" if option.matching_start_end_time else ""
    zone = f" ({option.time_zone})" if option.time_zone else ""
    return f"{option.display_name}: {bounds}, starting and ending {edges}{same}{zone}"


def _span(length: timedelta | None) -> str:
    if length is None:
        return "no limit"
    if length % DAY == timedelta(0) and length >= 2 * DAY:
        return f"{length // DAY} days"
    return f"{int(length / HOUR)} h"


def _refusal(
    options: Sequence[TimeFrameOption], start: datetime | None, end: datetime | None, rounding: str | None
) -> str:
    asked = f"{_stamp(start)} to {_stamp(end)}"
    hint = "" if rounding else " Send max_time_rounding `1h` (or `1d`) to have the window widened to one that fits."
    wider = " even rounded" if rounding else ""
    return f"No offline code on this device can have the window {asked}{wider}. {describe(options)}{hint}"


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def _stamp(moment: datetime | None) -> str:
    return "(open)" if moment is None else moment.isoformat()
