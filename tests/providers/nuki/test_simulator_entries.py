"""The Nuki simulator's logs (order, filters, paging, accounts) and keypad entries judged in the lock's own time zone
(DST included).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas import EventMethod, EventType

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`nuki`, `sim`, ...)
from tests.providers.nuki.locks_support import (
    START,
    Clock,
    World,
    clock_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
    world_fixture,  # noqa: F401
)

# -- logs -----------------------------------------------------------------------------------------------------


async def test_logs_are_newest_first_filtered_and_limited(world: World, clock: Clock):
    for minute in range(55):
        clock.at(f"2024-03-01T12:{minute:02d}:00+00:00")
        world.sim.manual_action(world.front, 1 if minute % 2 else 2)
    default = await world.logs()
    assert len(default) == 20 and default[0]["date"] == "2024-03-01T12:54:00.000Z"
    assert [log["date"] for log in default] == sorted((log["date"] for log in default), reverse=True)
    assert len(await world.logs(limit=500)) == 50
    window = await world.logs(fromDate="2024-03-01T12:10:00Z", toDate="2024-03-01T13:12:00+01:00", limit=50)
    assert [log["date"][11:16] for log in window] == ["12:12", "12:11", "12:10"]
    older = await world.logs(id=default[-1]["id"], limit=5)
    assert older[0]["date"] == "2024-03-01T12:34:00.000Z" and len(older) == 5
    assert (await world.call("GET", "/smartlock/log", params={"fromDate": "yesterday"})).status_code == 400
    assert (await world.call("GET", "/smartlock/log", params={"limit": 0})).status_code == 400


async def test_the_adapter_pages_back_through_more_than_one_page_of_logs(world: World, clock: Clock):
    for second in range(120):
        clock.at(f"2024-03-01T12:{second // 60:02d}:{second % 60:02d}+00:00")
        world.sim.manual_action(world.front, 1 + second % 2)
    events = await world.adapter.fetch_events(datetime(2024, 3, 1, 12, 0, 30, tzinfo=UTC))
    assert len(events) == 90 and len({event.provider_event_id for event in events}) == 90
    assert events[0].occurred_at == datetime(2024, 3, 1, 12, 0, 30, tzinfo=UTC)
    assert [event.type for event in events[:2]] == [EventType.LOCK_UNLOCKED, EventType.LOCK_LOCKED]


async def test_per_lock_logs_and_account_logs_stay_within_the_account(world: World):
    world.sim.manual_action(world.front)
    world.sim.manual_action(world.cellar)
    world.sim.manual_action(world.foreign)
    assert {log["smartlockId"] for log in await world.logs()} == {world.front, world.cellar}
    assert {log["smartlockId"] for log in await world.logs(f"/smartlock/{world.cellar}/log")} == {world.cellar}
    [log] = await world.logs(f"/smartlock/{world.cellar}/log")
    assert (log["deviceType"], log["trigger"], log["accountUserId"]) == (0, 1, world.account * 10)


# -- keypad entries -------------------------------------------------------------------------------------------


async def test_a_keypad_entry_unlocks_with_a_valid_code_and_logs_who(world: World):
    auth_id = world.sim.external_add_code(world.front, "Guest Anna", 245796)
    assert world.sim.keypad_entry(world.front, "245796") is True
    assert await world.state(world.front) == 3
    [log] = await world.logs()
    assert (log["action"], log["trigger"], log["source"], log["state"]) == (1, 255, 1, 0)
    assert (log["name"], log["authId"]) == ("Guest Anna", auth_id) and "accountUserId" not in log
    [code] = await world.codes(world.front)
    assert code["lastActiveDate"] == "2024-03-01T12:00:00.000Z"


async def test_a_wrong_code_logs_224_and_the_lock_stays_locked(world: World):
    world.sim.external_add_code(world.front, "Guest", 245796)
    assert world.sim.keypad_entry(world.front, 245797) is False
    assert await world.state(world.front) == 1
    [log] = await world.logs()
    assert (log["action"], log["trigger"], log["source"], log["state"]) == (1, 255, 1, 224)
    [event] = await world.adapter.fetch_events(START - timedelta(minutes=1))
    assert (event.type, event.method) == (EventType.LOCK_ACCESS_DENIED, EventMethod.KEYCODE)


async def test_a_disabled_code_is_refused(world: World):
    auth_id = world.sim.external_add_code(world.front, "Guest", 245796)
    path = f"/smartlock/{world.front}/auth/{auth_id}"
    await world.call("POST", path, json={"name": "Guest", "enabled": False})
    await world.sim.settle()
    assert world.sim.keypad_entry(world.front, 245796) is False


async def test_a_jammed_lock_refuses_even_a_valid_code(world: World):
    world.sim.external_add_code(world.front, "Guest", 245796)
    world.sim.jam(world.front)
    assert world.sim.keypad_entry(world.front, 245796) is False
    assert [(log["state"], log["trigger"]) for log in await world.logs()] == [(1, 255)]


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ("2024-03-01T13:59:59+00:00", False),  # before allowedFromDate (an instant, 15:00 in Berlin)
        ("2024-03-01T14:00:00+00:00", True),
        ("2024-03-05T09:59:59+00:00", True),
        ("2024-03-05T10:00:00+00:00", False),  # allowedUntilDate has passed
    ],
)
async def test_dates_are_compared_as_instants(world: World, clock: Clock, now: str, opens: bool):
    window = {"allowedFromDate": "2024-03-01T15:00:00+01:00", "allowedUntilDate": "2024-03-05T10:00:00.000Z"}
    world.sim.external_add_code(world.front, "Guest", 245796, **window)
    clock.at(now)
    assert world.sim.keypad_entry(world.front, 245796) is opens


@pytest.mark.parametrize(
    ("timezone", "now", "opens"),
    [
        ("Europe/Berlin", "2024-01-07T23:30:00+00:00", True),  # Sunday in UTC, Monday 00:30 in Berlin
        ("Europe/Berlin", "2024-01-07T22:30:00+00:00", False),  # Sunday 23:30 in Berlin
        ("America/New_York", "2024-01-08T03:30:00+00:00", False),  # Monday in UTC, Sunday 22:30 in New York
        ("America/New_York", "2024-01-08T05:30:00+00:00", True),  # Monday 00:30 in New York
    ],
)
async def test_weekdays_are_the_locks_weekdays(world: World, clock: Clock, timezone: str, now: str, opens: bool):
    lock_id = world.sim.add_smartlock(world.account, name="Door", timezone=timezone)
    world.sim.external_add_code(lock_id, "Mondays", 245796, allowedWeekDays=64)
    clock.at(now)
    assert world.sim.keypad_entry(lock_id, 245796) is opens


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ("2024-03-30T08:30:00+00:00", False),  # Saturday 09:30 CET (UTC+1)
        ("2024-03-30T09:30:00+00:00", True),  # Saturday 10:30 CET
        ("2024-03-30T10:59:00+00:00", True),  # Saturday 11:59 CET
        ("2024-03-31T08:30:00+00:00", True),  # Sunday 10:30 CEST (UTC+2): a fixed +1 offset would say 09:30
        ("2024-03-31T10:30:00+00:00", False),  # Sunday 12:30 CEST: a fixed +1 offset would say 11:30
        ("2024-10-27T09:30:00+00:00", True),  # back to CET: 10:30
        ("2024-10-27T08:30:00+00:00", False),  # 09:30 CET
    ],
)
async def test_minutes_of_the_day_follow_the_locks_daylight_saving_time(
    world: World, clock: Clock, now: str, opens: bool
):
    world.sim.external_add_code(world.front, "Mornings", 245796, allowedFromTime=600, allowedUntilTime=720)
    clock.at(now)
    assert world.sim.keypad_entry(world.front, 245796) is opens


@pytest.mark.parametrize(
    ("local_time", "opens"), [("21:59", False), ("22:00", True), ("23:59", True), ("05:59", True), ("06:00", False)]
)
async def test_a_night_window_runs_across_midnight(world: World, clock: Clock, local_time: str, opens: bool):
    lock_id = world.sim.add_smartlock(world.account, name="Night door", timezone="UTC")
    world.sim.external_add_code(lock_id, "Night shift", 245796, allowedFromTime=22 * 60, allowedUntilTime=6 * 60)
    clock.at(f"2024-03-02T{local_time}:00+00:00")
    assert world.sim.keypad_entry(lock_id, 245796) is opens
