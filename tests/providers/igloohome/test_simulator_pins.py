"""The simulated algoPINs: the documented window rules with igloohome's errors, deterministic PINs, per-slot
variances, and how the lock judges them at the keypad (windows, one use, first use within 24 h).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from providers.igloohome.simulator import IgloohomeSimulator
from providers.igloohome.simulator_pins import derive
from tests.providers.igloohome.simulator_support import START, Cloud, cloud_fixture, hour  # noqa: F401


async def algopin(cloud: Cloud, kind: str, **body: object) -> tuple[int, dict]:
    answer = await cloud.call("POST", f"/devices/{cloud.lock}/algopin/{kind}", json={"accessName": "Guest", **body})
    return answer.status_code, answer.json()


async def test_an_hourly_pin_is_issued_for_a_window_on_the_hour(cloud):
    status, answer = await algopin(
        cloud, "hourly", variance=1, startDate=hour(2, 15, "+01:00"), endDate=hour(4, 11, "+01:00")
    )

    assert status == 200 and answer["pin"].isdigit() and len(answer["pin"]) == 9 and answer["pinId"]


@pytest.mark.parametrize(
    ("kind", "body", "status", "message"),
    [
        (
            "hourly",
            {"startDate": "2025-03-02T15:30:00+01:00", "endDate": hour(3, 11)},
            400,
            "'startDate' must be in format",
        ),
        ("hourly", {"startDate": "2025-03-02T15:00:00Z", "endDate": hour(3, 11)}, 400, "'startDate' must be in format"),
        ("hourly", {"startDate": hour(2, 15)}, 400, "'endDate' must be in format"),
        ("hourly", {"startDate": hour(1, 8), "endDate": hour(1, 12)}, 400, "before the current hour"),
        ("hourly", {"startDate": hour(2, 15), "endDate": hour(2, 15)}, 400, "after 'startDate'"),
        ("hourly", {"startDate": hour(2, 15), "endDate": hour(30, 16)}, 422, "672 hours"),
        ("daily", {"startDate": hour(2, 15), "endDate": hour(30, 15)}, 422, "at least 29 days"),
        ("daily", {"startDate": hour(2, 15), "endDate": "2025-04-02T16:00:00+00:00"}, 422, "same time of day"),
        ("daily", {"startDate": hour(2, 15), "endDate": "2026-03-05T15:00:00+00:00"}, 422, "367 days"),
        ("hourly", {"variance": 4, "startDate": hour(2, 15), "endDate": hour(2, 16)}, 400, "between 1 and 3"),
        ("onetime", {"variance": 6, "startDate": hour(2, 15)}, 400, "between 1 and 5"),
        ("weekly", {"startDate": hour(2, 15)}, 403, "no scope igloohomeapi/algopin-weekly"),
    ],
)
async def test_windows_igloohome_refuses(cloud, kind, body, status, message):
    answer = await algopin(cloud, kind, **body)

    assert answer[0] == status and message in answer[1]["message"]


async def test_the_current_hour_may_be_the_start(cloud):
    cloud.clock.advance(minutes=40)

    assert (await algopin(cloud, "hourly", startDate=hour(1, 10), endDate=hour(1, 12)))[0] == 200


async def test_a_daily_window_keeps_its_wall_clock_time_across_a_clock_change(cloud):
    start, end = "2025-03-20T15:00:00+01:00", "2025-04-20T15:00:00+02:00"

    assert (await algopin(cloud, "daily", startDate=start, endDate=end))[0] == 200


async def test_each_variance_of_a_slot_is_issued_once(cloud):
    window = {"startDate": hour(2, 15), "endDate": hour(2, 18)}
    pins = [await algopin(cloud, "hourly", variance=variance, **window) for variance in (1, 2, 3)]
    again = await algopin(cloud, "hourly", variance=2, **window)

    assert [status for status, _ in pins] == [200, 200, 200] and len({answer["pin"] for _, answer in pins}) == 3
    assert again[0] == 409 and "variance" in again[1]["message"]


def test_the_same_lock_window_and_variance_give_the_same_pin():
    first, second = IgloohomeSimulator(seed=3), IgloohomeSimulator(seed=3)
    locks = [sim.locks[sim.add_lock("Door")] for sim in (first, second)]
    start = datetime(2025, 3, 2, 15, tzinfo=UTC)
    end = start + timedelta(hours=3)

    assert derive(locks[0].secret, "hourly", start, end, 1) == derive(locks[1].secret, "hourly", start, end, 1)
    assert derive(locks[0].secret, "hourly", start, end, 1) != derive(locks[0].secret, "hourly", start, end, 2)
    assert derive(locks[0].secret, "hourly", start, end, 1) != derive(locks[0].secret, "daily", start, end, 1)


async def test_an_hourly_pin_opens_only_inside_its_window(cloud):
    _, answer = await algopin(cloud, "hourly", startDate=hour(2, 15, "+01:00"), endDate=hour(2, 18, "+01:00"))
    pin, sim = answer["pin"], cloud.sim

    inside = [datetime(2025, 3, 2, 14, tzinfo=UTC), datetime(2025, 3, 2, 16, 59, tzinfo=UTC)]
    outside = [datetime(2025, 3, 2, 13, 59, tzinfo=UTC), datetime(2025, 3, 2, 17, tzinfo=UTC)]
    assert [sim.would_open(cloud.lock, pin, at) for at in inside] == [True, True]
    assert [sim.would_open(cloud.lock, pin, at) for at in outside] == [False, False]
    assert not sim.would_open(cloud.lock, "123456789", inside[0])


async def test_a_one_time_pin_opens_once_within_a_day_of_its_start(cloud):
    _, answer = await algopin(cloud, "onetime", variance=5, startDate=hour(2, 9))
    sim, at = cloud.sim, datetime(2025, 3, 2, 12, tzinfo=UTC)

    assert sim.would_open(cloud.lock, answer["pin"], at) and sim.would_open(cloud.lock, answer["pin"], at)
    assert not sim.would_open(cloud.lock, answer["pin"], datetime(2025, 3, 3, 9, tzinfo=UTC))
    assert sim.keypad_entry(cloud.lock, answer["pin"], at) is True
    assert sim.keypad_entry(cloud.lock, answer["pin"], at + timedelta(minutes=5)) is False


async def test_a_long_pin_dies_unless_first_used_within_a_day_of_its_start(cloud):
    window = {"startDate": hour(2, 9), "endDate": hour(6, 9)}
    _, unused = await algopin(cloud, "hourly", variance=1, **window)
    _, used = await algopin(cloud, "hourly", variance=2, **window)
    sim, day_two = cloud.sim, datetime(2025, 3, 3, 12, tzinfo=UTC)

    assert sim.keypad_entry(cloud.lock, used["pin"], datetime(2025, 3, 2, 20, tzinfo=UTC))
    assert sim.would_open(cloud.lock, used["pin"], day_two) and sim.keypad_entry(cloud.lock, used["pin"], day_two)
    assert not sim.would_open(cloud.lock, unused["pin"], day_two)


async def test_a_permanent_pin_starts_this_hour_and_has_no_end(cloud):
    status, answer = await algopin(cloud, "permanent")
    sim = cloud.sim

    assert status == 200 and len(answer["pin"]) == 8
    assert sim.keypad_entry(cloud.lock, answer["pin"], START + timedelta(hours=2))
    assert sim.would_open(cloud.lock, answer["pin"], START + timedelta(days=400))


async def test_a_lock_holds_at_most_199_pins(cloud):
    for index in range(199):
        status, _ = await algopin(
            cloud, "onetime", variance=1 + index % 5, startDate=hour(2 + index // 5 % 27, index // 135)
        )
        assert status == 200

    status, answer = await algopin(cloud, "permanent")

    assert status == 422 and answer["message"] == "Lock has reached maximum amount of codes"
