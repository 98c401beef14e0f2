"""The TTLock simulator's random (algorithmic) passcodes and how the lock judges codes: whole-hour windows in the
lock's time zone, codes derived deterministically, -1026 after a delete, the 24-hour first-use rule, one-time codes,
and windows compared on the lock's own clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from providers.ttlock.simulator import TTLockSimulator

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`sim`, `world`, ...)
from tests.providers.ttlock.test_simulator_support import (
    DAY_MS,
    HOUR_MS,
    START,
    Clock,
    World,
    clock_fixture,  # noqa: F401
    errcode,
    ms,
    sim_fixture,  # noqa: F401
    world_fixture,  # noqa: F401
)

INDIA = 19_800_000
"""+05:30: whole hours on this lock's clock are half hours in UTC."""


async def fetch(world: World, lock_id: int, kind: int, start: datetime, end: datetime | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"lockId": lock_id, "keyboardPwdType": kind, "startDate": ms(start)}
    if end is not None:
        fields["endDate"] = ms(end)
    return await world.call("/v3/keyboardPwd/get", keyboardPwdName="Random guest", **fields)


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


async def test_a_period_code_is_truncated_to_whole_hours(world: World, sim: TTLockSimulator):
    answer = await fetch(world, world.front, 3, at(0.34), at(27.75))
    assert set(answer) == {"keyboardPwd", "keyboardPwdId"} and len(answer["keyboardPwd"]) == 8
    [listed] = await world.codes(world.front)
    assert (listed["startDate"], listed["endDate"]) == (ms(at(0)), ms(at(27)))
    assert (listed["isCustom"], listed["keyboardPwdType"], listed["keyboardPwdId"]) == (0, 3, answer["keyboardPwdId"])
    assert answer["keyboardPwd"] in sim.lock_codes(world.front)  # the lock derives it too: no gateway needed
    assert sim.would_open(world.front, answer["keyboardPwd"], at=at(0.01))
    assert not sim.would_open(world.front, answer["keyboardPwd"], at=at(27))


async def test_whole_hours_are_the_locks_hours(world: World, sim: TTLockSimulator):
    india = sim.add_lock(world.uid, alias="Goa", timezone_offset_ms=INDIA)
    answer = await fetch(world, india, 3, at(0.34), at(5.2))  # 17:50 and 22:42 on the lock's clock
    [listed] = await world.codes(india)
    assert (listed["startDate"], listed["endDate"]) == (ms(at(-0.5)), ms(at(4.5)))  # 17:00 and 22:00 there
    assert sim.would_open(india, answer["keyboardPwd"], at=at(-0.4))
    assert not sim.would_open(india, answer["keyboardPwd"], at=at(-0.6))


async def test_the_same_type_and_window_give_the_same_code(world: World, sim: TTLockSimulator):
    first = await fetch(world, world.front, 3, at(0.1), at(24.2))
    again = await fetch(world, world.front, 3, at(0.9), at(24.9))  # the same whole hours
    assert again == first and len(await world.codes(world.front)) == 1
    other_window = await fetch(world, world.front, 3, at(1), at(25))
    assert other_window["keyboardPwd"] != first["keyboardPwd"]
    twin = World(TTLockSimulator(clock=sim.clock, seed=7), world.http)  # set up alike, not called over HTTP
    lock = twin.sim.locks[twin.front]
    derived = twin.sim.random_passcode(lock, "twin", kind=3, name="", start=ms(at(0)), end=ms(at(24)))
    assert derived.code == first["keyboardPwd"]  # same seed, same lock secret, same code


@pytest.mark.parametrize(("kind", "digits"), [(1, 9), (2, 7), (3, 8)])
async def test_code_lengths_by_type(world: World, kind: int, digits: int):
    answer = await fetch(world, world.front, kind, at(0), at(48))
    assert len(answer["keyboardPwd"]) == digits and answer["keyboardPwd"].isdigit()


async def test_a_deleted_code_cannot_be_fetched_again_and_the_lock_still_takes_it(world: World, sim: TTLockSimulator):
    answer = await fetch(world, world.front, 3, at(0), at(24))
    await world.call("/v3/keyboardPwd/delete", lockId=world.front, keyboardPwdId=answer["keyboardPwdId"])
    assert errcode(await fetch(world, world.front, 3, at(0.5), at(24))) == -1026
    assert sim.keypad_entry(world.front, answer["keyboardPwd"])  # deleteType 1: the lock was never told
    assert (await fetch(world, world.front, 3, at(1), at(24)))["keyboardPwd"] != answer["keyboardPwd"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"keyboardPwdType": 5}, -4043),  # weekend cyclic
        ({"keyboardPwdType": 14}, -4043),  # Sunday cyclic
        ({"keyboardPwdType": 4}, -4043),  # "delete" code
        ({"keyboardPwdType": 3, "endDate": None}, -3),
        ({"keyboardPwdType": 3, "endDate": ms(at(0.5))}, -3),  # the same whole hour as the start
        ({"startDate": None}, -3),
        ({"keyboardPwdType": 0}, -3),
    ],
)
async def test_random_codes_ttlock_refuses(world: World, fields: dict[str, Any], code: int):
    body = {"lockId": world.front, "keyboardPwdType": 3, "startDate": ms(at(0)), "endDate": ms(at(24))} | fields
    body = {name: value for name, value in body.items() if value is not None}
    assert errcode(await world.call("/v3/keyboardPwd/get", **body)) == code


async def test_a_lock_without_keypad_takes_no_passcodes(world: World):
    assert errcode(await fetch(world, world.cabin, 2, at(0))) == -4043


@pytest.mark.parametrize("kind", [2, 3])
async def test_period_and_permanent_codes_die_unused_24_hours_after_their_start(world: World, kind: int):
    sim = world.sim
    late = (await fetch(world, world.front, kind, at(0), at(72)))["keyboardPwd"]
    early = (await fetch(world, world.front, kind, at(1), at(72)))["keyboardPwd"]
    assert sim.would_open(world.front, late, at=at(23.9)) and not sim.would_open(world.front, late, at=at(24))
    assert sim.keypad_entry(world.front, early, at=at(2))
    assert sim.keypad_entry(world.front, early, at=at(50))  # used in time: it keeps working
    assert sim.keypad_entry(world.front, late, at=at(25)) is False
    [failed] = [record for record in await world.records(world.front) if record["keyboardPwd"] == late]
    assert (failed["success"], failed["recordTypeFromLock"], failed["recordType"]) == (0, 11, 4)


async def test_a_one_time_code_opens_once_within_6_hours(world: World, sim: TTLockSimulator):
    answer = await fetch(world, world.front, 1, at(0.2))
    [listed] = await world.codes(world.front)
    assert (listed["startDate"], listed["endDate"]) == (ms(at(0)), ms(at(6)))
    pin = answer["keyboardPwd"]
    assert not sim.would_open(world.front, pin, at=at(6))
    assert not sim.keypad_entry(world.front, pin, at=at(-0.1))  # not yet
    assert sim.keypad_entry(world.front, pin, at=at(5.5))
    assert not sim.keypad_entry(world.front, pin, at=at(5.6))  # used up


async def test_a_random_code_never_used_cannot_be_changed(world: World, sim: TTLockSimulator):
    answer = await fetch(world, world.front, 3, at(0), at(48))
    fields = {"lockId": world.front, "keyboardPwdId": answer["keyboardPwdId"], "changeType": 2}
    window = {"startDate": ms(at(1)), "endDate": ms(at(30))}
    assert errcode(await world.call("/v3/keyboardPwd/change", **fields, **window)) == -3008
    renamed = await world.call("/v3/keyboardPwd/change", **fields, keyboardPwdName="Renamed")
    assert renamed["errcode"] == 0
    assert sim.keypad_entry(world.front, answer["keyboardPwd"], at=at(0.5))
    assert (await world.call("/v3/keyboardPwd/change", **fields, **window))["errcode"] == 0
    assert not sim.would_open(world.front, answer["keyboardPwd"], at=at(31))


async def test_would_open_changes_nothing(world: World, sim: TTLockSimulator):
    pin = (await fetch(world, world.front, 1, at(0)))["keyboardPwd"]
    assert sim.would_open(world.front, pin, at=at(1)) and sim.would_open(world.front, pin, at=at(2))
    assert await world.records(world.front) == [] and sim.locks[world.front].state == 0
    assert sim.keypad_entry(world.front, pin, at=at(1))


async def test_custom_windows_are_kept_on_the_locks_clock(world: World, sim: TTLockSimulator, clock: Clock):
    """The lock stores a window as its own wall-clock times: if its time zone is changed afterwards, the code opens at
    the same local times, i.e. at other instants.
    """
    window = {"startDate": ms(at(2)), "endDate": ms(at(4))}  # 15:00-17:00 on the front door's clock (+01:00)
    await world.add(world.front, "582916", addType=2, keyboardPwdType=3, **window)
    assert sim.would_open(world.front, "582916", at=at(2)) and not sim.would_open(world.front, "582916", at=at(4))
    sim.locks[world.front].timezone_offset_ms = 2 * HOUR_MS  # summer time set on the lock: +02:00
    assert not sim.would_open(world.front, "582916", at=at(3.5))  # 17:30 on its clock
    assert sim.would_open(world.front, "582916", at=at(1.5))  # 15:30 there
    clock.now = datetime(2024, 3, 1, 13, 30, tzinfo=UTC)
    assert sim.keypad_entry(world.front, "582916") and sim.lock_codes(world.front) == {"582916": "Guest 582916"}
    assert (await world.records(world.front))[0]["lockDate"] == ms(clock()) < ms(START) + DAY_MS


async def test_the_admin_passcode_opens_the_lock(world: World, sim: TTLockSimulator):
    admin = (await world.call("/v3/lock/detail", lockId=world.front))["noKeyPwd"]
    assert sim.keypad_entry(world.front, admin)
    assert (await world.records(world.front))[0]["recordType"] == 92
    assert not sim.keypad_entry(world.cabin, "1234567") and await world.records(world.cabin) == []
