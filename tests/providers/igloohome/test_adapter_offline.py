"""Offline codes (algoPINs) through the adapter: a window is checked against the device's options and sent as is
(in the lock's zone, with explicit offsets), never changed; a window no option takes is refused before any
vendor call; a used variance of the slot moves on to the next one.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from providers.errors import ProviderRejected
from schemas.providers import OfflineCodeSpec

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`igloo`, `http`)
from tests.providers.igloohome.client_support import (
    FRONT_DOOR,
    adapter,
    api,
    device,
    fixture,
    http_fixture,  # noqa: F401
    igloo_fixture,  # noqa: F401
)

BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, month: int = 3, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=BERLIN)


def algopin_route(igloo, kind: str):
    return igloo.post(api(f"/devices/{FRONT_DOOR}/algopin/{kind}"))


def sent(route) -> list[dict]:
    return [json.loads(call.request.content) for call in route.calls]


async def test_an_hourly_window_is_sent_in_the_lock_s_local_time_and_kept(igloo, http):
    route = algopin_route(igloo, "hourly").respond(200, content=fixture("algopin.json"))
    spec = OfflineCodeSpec(name="Stay 42", starts_at=at(2, 15), ends_at=at(5, 11))

    issued = await adapter(http).create_offline_access_code(device(timezone="Europe/Berlin"), spec)

    window = {"startDate": "2025-03-02T15:00:00+01:00", "endDate": "2025-03-05T11:00:00+01:00"}
    assert sent(route) == [{"variance": 1, "accessName": "Stay 42", **window}]
    assert (issued.code, issued.provider_code_id) == ("123456789", "pin-0001")
    assert (issued.starts_at, issued.ends_at, issued.warnings) == (spec.starts_at, spec.ends_at, [])


async def test_without_a_zone_the_window_is_sent_in_utc(igloo, http):
    route = algopin_route(igloo, "hourly").respond(200, content=fixture("algopin.json"))
    spec = OfflineCodeSpec(name="Stay", starts_at=at(2, 15), ends_at=at(2, 18))

    await adapter(http).create_offline_access_code(device(), spec)

    assert sent(route)[0]["startDate"] == "2025-03-02T14:00:00+00:00"


async def test_a_daily_window_across_a_clock_change_keeps_its_time_of_day(igloo, http):
    route = algopin_route(igloo, "daily").respond(200, content=fixture("algopin.json"))
    spec = OfflineCodeSpec(name="Season", starts_at=at(20, 15), ends_at=at(20, 15, month=4))

    issued = await adapter(http).create_offline_access_code(device(timezone="Europe/Berlin"), spec)

    body = sent(route)[0]
    assert (body["startDate"], body["endDate"]) == ("2025-03-20T15:00:00+01:00", "2025-04-20T15:00:00+02:00")
    assert (issued.starts_at, issued.ends_at) == (spec.starts_at, spec.ends_at)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "one_time"),
    [
        (at(2, 15, minute=30), at(3, 11), False),  # not on the hour
        (at(2, 15), at(31, 3), False),  # 28 days 12 hours: too long for hourly, too short for daily
        (at(2, 15), at(2, 16, month=4), False),  # daily length, but not the same time of day
        (at(2, 15), at(3, 18), True),  # a one-time code lasts 24 h
        (None, None, True),  # a one-time code needs its start
        (None, at(3, 11), False),
    ],
)
async def test_a_window_no_option_takes_is_refused_without_a_vendor_call(igloo, http, starts_at, ends_at, one_time):
    anything = igloo.route().respond(500)
    spec = OfflineCodeSpec(name="Stay", starts_at=starts_at, ends_at=ends_at, is_one_time_use=one_time)

    with pytest.raises(ProviderRejected) as refused:
        await adapter(http).create_offline_access_code(device(timezone="Europe/Berlin"), spec)

    assert refused.value.code == "time_frame_not_supported" and not anything.called


async def test_a_refusal_says_which_windows_would_fit(igloo, http):
    spec = OfflineCodeSpec(name="Stay", starts_at=at(2, 15, minute=30), ends_at=at(3, 11))

    with pytest.raises(ProviderRejected, match="Possible: Hourly: 1 h to 28 days, starting and ending on the hour"):
        await adapter(http).create_offline_access_code(device(timezone="Europe/Berlin"), spec)


async def test_a_used_variance_moves_on_to_the_next(igloo, http):
    route = algopin_route(igloo, "hourly")
    used = httpx.Response(409, json={"message": "This variance of the time slot has been used already"})
    route.side_effect = [used, used, httpx.Response(200, json={"pin": "555666777", "pinId": "p3"})]
    spec = OfflineCodeSpec(name="Stay", starts_at=at(2, 15), ends_at=at(2, 18))

    issued = await adapter(http).create_offline_access_code(device(), spec)

    assert [body["variance"] for body in sent(route)] == [1, 2, 3]
    assert (issued.code, issued.provider_code_id) == ("555666777", "p3")


async def test_a_slot_with_every_variance_used_has_no_room(igloo, http):
    route = algopin_route(igloo, "onetime").respond(409, json={"message": "variance used"})
    spec = OfflineCodeSpec(name="Cleaner", starts_at=at(2, 15), is_one_time_use=True)

    with pytest.raises(ProviderRejected) as refused:
        await adapter(http).create_offline_access_code(device(), spec)

    assert refused.value.code == "no_space_for_access_code_on_device"
    assert [body["variance"] for body in sent(route)] == [1, 2, 3, 4, 5]


async def test_another_refusal_is_not_retried_with_another_variance(igloo, http):
    route = algopin_route(igloo, "hourly").respond(
        400, json={"message": "'startDate' must not be before the current hour"}
    )
    spec = OfflineCodeSpec(name="Stay", starts_at=at(2, 15), ends_at=at(2, 18))

    with pytest.raises(ProviderRejected) as refused:
        await adapter(http).create_offline_access_code(device(), spec)

    assert refused.value.code == "time_frame_not_supported" and route.call_count == 1


async def test_a_one_time_code_is_sent_with_its_start_and_lasts_a_day(igloo, http):
    route = algopin_route(igloo, "onetime").respond(200, content=fixture("algopin.json"))
    spec = OfflineCodeSpec(name="Cleaner", starts_at=at(2, 9), is_one_time_use=True)

    issued = await adapter(http).create_offline_access_code(device(timezone="Europe/Berlin"), spec)

    assert sent(route) == [{"variance": 1, "accessName": "Cleaner", "startDate": "2025-03-02T09:00:00+01:00"}]
    assert (issued.starts_at, issued.ends_at) == (at(2, 9), at(3, 9))


async def test_a_permanent_code_starts_this_hour_and_must_be_used_within_a_day(igloo, http):
    route = algopin_route(igloo, "permanent").respond(200, content=fixture("algopin.json"))

    issued = await adapter(http).create_offline_access_code(
        device(timezone="Europe/Berlin"), OfflineCodeSpec(name="Owner")
    )

    assert sent(route) == [{"variance": 1, "accessName": "Owner", "startDate": "2025-03-01T11:00:00+01:00"}]
    assert (issued.starts_at, issued.ends_at) == (None, None)
    assert [warning.error_code for warning in issued.warnings] == ["must_be_used_within_time_limit"]
    assert "2025-03-02T11:00:00+01:00" in issued.warnings[0].message


async def test_a_long_name_is_cut_to_what_igloohome_keeps(igloo, http):
    route = algopin_route(igloo, "hourly").respond(200, content=fixture("algopin.json"))
    spec = OfflineCodeSpec(name="x" * 80, starts_at=at(2, 15), ends_at=at(2, 16))

    await adapter(http).create_offline_access_code(device(), spec)

    assert sent(route)[0]["accessName"] == "x" * 60


async def test_a_lock_without_a_bridge_issues_offline_codes_too(igloo, http):
    route = igloo.post(api("/devices/OE1X999ccc33/algopin/hourly")).respond(200, content=fixture("algopin.json"))
    spec = OfflineCodeSpec(name="Stay", starts_at=at(2, 15), ends_at=at(2, 15) + timedelta(hours=5))

    issued = await adapter(http).create_offline_access_code(device("OE1X999ccc33"), spec)

    assert route.called and issued.code == "123456789"
