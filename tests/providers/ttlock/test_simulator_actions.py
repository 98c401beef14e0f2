"""The TTLock simulator's remote lock and unlock: synchronous round trips through an online gateway (one at a time),
the gateway errcodes, open state, knob turns, and the lock records they leave (newest first, filtered by date).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from providers.ttlock.simulator import TTLockSimulator

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`sim`, `world`, ...)
from tests.providers.ttlock.test_simulator_support import (
    OK,
    USERNAME,
    Clock,
    World,
    clock_fixture,  # noqa: F401
    errcode,
    ms,
    sim_fixture,  # noqa: F401
    world_fixture,  # noqa: F401
)


async def state(world: World, lock_id: int) -> int:
    return int((await world.call("/v3/lock/queryOpenState", method="GET", lockId=lock_id))["state"])


async def test_unlock_and_lock_move_the_lock_and_write_records(world: World, sim: TTLockSimulator):
    assert await state(world, world.front) == 0
    assert await world.call("/v3/lock/unlock", lockId=world.front) == OK
    assert await state(world, world.front) == 1
    assert await world.call("/v3/lock/lock", lockId=world.front) == OK
    assert await state(world, world.front) == 0
    locked, unlocked = await world.records(world.front)
    assert (unlocked["recordType"], unlocked["recordTypeFromLock"], unlocked["success"]) == (12, 28, 1)
    assert (locked["recordType"], locked["success"], locked["username"]) == (11, 1, USERNAME)
    assert set(unlocked) == {
        "recordId", "lockId", "recordTypeFromLock", "recordType", "success", "username", "lockDate", "serverDate",
    }  # fmt: skip
    assert unlocked["lockDate"] == ms(sim.clock()) and unlocked["lockId"] == world.front


async def test_the_call_waits_for_the_gateway_round_trip(world: World, sim: TTLockSimulator):
    sim.gateway_delay = 0.1
    loop = asyncio.get_running_loop()
    started = loop.time()
    await world.call("/v3/lock/unlock", lockId=world.front)
    assert loop.time() - started >= 0.1
    assert sim.locks[world.front].state == 1  # done when the answer comes: nothing left in flight
    await sim.settle()


@pytest.mark.parametrize(
    ("lock", "code"),
    [("cabin", -2012), ("shed", -3002), ("foreign", -2018)],
)
async def test_lock_and_unlock_need_an_online_gateway(world: World, lock: str, code: int):
    lock_id = getattr(world, lock)
    assert errcode(await world.call("/v3/lock/unlock", lockId=lock_id)) == code
    assert errcode(await world.call("/v3/lock/lock", lockId=lock_id)) == code
    assert errcode(await world.call("/v3/lock/queryOpenState", lockId=lock_id)) == code


async def test_a_gateway_back_online_works_at_once(world: World, sim: TTLockSimulator):
    sim.set_gateway_online(world.garden, True)
    assert await world.call("/v3/lock/unlock", lockId=world.shed) == OK
    sim.set_gateway_online(world.hallway, False)
    assert errcode(await world.call("/v3/lock/unlock", lockId=world.front)) == -3002


async def test_an_unreachable_lock_answers_lock_offline_after_the_round_trip(world: World, sim: TTLockSimulator):
    sim.set_lock_reachable(world.front, False)
    assert errcode(await world.call("/v3/lock/unlock", lockId=world.front)) == -3036
    assert sim.locks[world.front].state == 0 and await world.records(world.front) == []
    sim.set_lock_reachable(world.front, True)
    assert await world.call("/v3/lock/unlock", lockId=world.front) == OK


async def test_remote_unlock_switched_off_refuses_unlock_but_not_lock(world: World, sim: TTLockSimulator):
    lock_id = sim.add_lock(world.uid, alias="Strict", gateways=[world.hallway], remote_unlock=False, locked=False)
    assert errcode(await world.call("/v3/lock/unlock", lockId=lock_id)) == -4043
    assert await world.call("/v3/lock/lock", lockId=lock_id) == OK


async def test_a_frozen_lock_is_refused(world: World, sim: TTLockSimulator):
    sim.locks[world.front].frozen = True
    assert errcode(await world.call("/v3/lock/unlock", lockId=world.front)) == -2025
    assert (await world.call("/v3/lock/detail", lockId=world.front))["isFrozen"] == 1


async def test_one_operation_at_a_time_per_gateway(world: World, sim: TTLockSimulator):
    sim.gateway_delay = 0.1
    back = sim.add_lock(world.uid, alias="Back door", gateways=[world.hallway])
    first = asyncio.create_task(world.call("/v3/lock/unlock", lockId=world.front))
    await asyncio.sleep(0.02)
    assert errcode(await world.call("/v3/lock/unlock", lockId=back)) == -3003
    assert errcode(await world.call("/v3/lock/queryOpenState", lockId=world.front)) == -3003
    assert await first == OK
    assert await world.call("/v3/lock/unlock", lockId=back) == OK


async def test_a_client_that_gives_up_does_not_stop_the_gateway(world: World, sim: TTLockSimulator):
    sim.gateway_delay = 0.2
    with pytest.raises(httpx.ReadTimeout):
        await world.http.post("/v3/lock/unlock", data=world.common(lockId=world.front), timeout=0.05)
    assert errcode(await world.call("/v3/lock/lock", lockId=world.front)) == -3003  # still at work
    await sim.settle()
    assert sim.locks[world.front].state == 1 and [
        record["recordType"] for record in await world.records(world.front)
    ] == [12]


async def test_settle_waits_for_operations_in_flight(world: World, sim: TTLockSimulator):
    sim.gateway_delay = 0.05
    pending = asyncio.create_task(world.call("/v3/lock/unlock", lockId=world.front))
    await asyncio.sleep(0.01)
    await sim.settle()
    assert sim.locks[world.front].state == 1
    assert await pending == OK


async def test_a_wifi_lock_needs_no_gateway_and_is_busy_on_its_own(world: World, sim: TTLockSimulator):
    sim.gateway_delay = 0.1
    wifi = sim.add_lock(world.uid, alias="Wi-Fi door", wifi=True)
    first = asyncio.create_task(world.call("/v3/lock/unlock", lockId=wifi))
    await asyncio.sleep(0.02)
    assert errcode(await world.call("/v3/lock/lock", lockId=wifi)) == -3037
    assert await first == OK
    sim.set_lock_reachable(wifi, False)
    assert errcode(await world.call("/v3/lock/lock", lockId=wifi)) == -3036


async def test_a_knob_turn_toggles_the_lock_and_is_recorded(world: World, sim: TTLockSimulator):
    sim.manual_action(world.cabin)
    assert sim.locks[world.cabin].state == 1
    sim.manual_action(world.cabin)
    locked, unlocked = await world.records(world.cabin)
    assert (unlocked["recordType"], unlocked["recordTypeFromLock"]) == (10, 27)
    assert (locked["recordType"], locked["recordTypeFromLock"]) == (36, 36)


async def test_records_are_newest_first_filtered_by_lock_date_and_paged(
    world: World, sim: TTLockSimulator, clock: Clock
):
    moments = []
    for _ in range(5):
        moments.append(ms(clock()))
        sim.manual_action(world.front)
        clock.advance(minutes=10)
    listed = await world.records(world.front)
    assert [record["lockDate"] for record in listed] == moments[::-1]
    window = await world.records(world.front, startDate=moments[1], endDate=moments[3])
    assert [record["lockDate"] for record in window] == moments[3:0:-1]
    page = await world.call("/v3/lockRecord/list", lockId=world.front, pageNo=2, pageSize=2)
    assert [record["lockDate"] for record in page["list"]] == moments[2:0:-1]
    assert (page["pages"], page["total"]) == (3, 5)
    assert errcode(await world.call("/v3/lockRecord/list", lockId=world.front, pageSize=201)) == -3
    assert await world.records(world.shed) == []
