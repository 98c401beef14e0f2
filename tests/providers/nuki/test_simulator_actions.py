"""The Nuki simulator's smartlocks: their payloads and ids, and actions accepted at once and carried out later, as
raw httpx and the adapter see them.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from schemas.providers import ActionKind, ActionReceipt, ActionState

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`nuki`, `sim`, ...)
from tests.providers.nuki.locks_support import (
    OBJECT_ID,
    START,
    World,
    clock_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
    world_fixture,  # noqa: F401
)

# -- smartlocks -----------------------------------------------------------------------------------------------


async def test_smartlock_ids_are_the_type_prefix_and_hex_id_read_as_hex(world: World):
    locks = {lock["smartlockId"]: lock for lock in (await world.call("GET", "/smartlock")).json()}
    assert set(locks) == {world.front, world.cellar}
    assert re.fullmatch(r"4[0-9A-F]{8}", f"{world.front:X}") and locks[world.front]["type"] == 4
    assert re.fullmatch(r"[0-9A-F]{1,8}", f"{world.cellar:X}") and world.cellar < 16**8
    front = locks[world.front]
    assert front["config"]["keypadPaired"] is True and locks[world.cellar]["config"]["keypadPaired"] is False
    assert (front["serverState"], front["state"]["state"], front["state"]["batteryCharge"]) == (0, 1, 80)
    assert (front["accountId"], front["config"]["timezoneId"]) == (world.account, 37)


async def test_other_accounts_locks_are_not_found(world: World):
    assert (await world.call("GET", f"/smartlock/{world.foreign}")).status_code == 404
    assert (await world.call("POST", f"/smartlock/{world.foreign}/action/unlock")).status_code == 404
    assert (await world.call("GET", f"/smartlock/{world.foreign}/auth")).status_code == 404


# -- actions --------------------------------------------------------------------------------------------------


async def test_an_action_is_accepted_at_once_and_carried_out_later(world: World):
    answer = await world.call("POST", f"/smartlock/{world.front}/action", json={"action": 1, "option": 0})
    assert (answer.status_code, answer.content) == (204, b"")
    assert await world.state(world.front) == 2  # unlocking
    assert await world.logs() == []
    await world.sim.settle()
    assert await world.state(world.front) == 3
    [log] = await world.logs()
    assert (log["action"], log["trigger"], log["state"], log["smartlockId"]) == (1, 4, 0, world.front)
    assert log["name"] == "Jane Host" and OBJECT_ID.match(log["id"]) and log["date"] == "2024-03-01T12:00:00.000Z"


async def test_the_simple_lock_endpoint_locks(world: World):
    world.sim.locks[world.front].state = 3
    assert (await world.call("POST", f"/smartlock/{world.front}/action/lock")).status_code == 204
    assert await world.state(world.front) == 4  # locking
    await world.sim.settle()
    assert await world.state(world.front) == 1
    assert [(log["action"], log["state"]) for log in await world.logs()] == [(2, 0)]


async def test_unlatch_passes_through_unlatched_to_unlocked(world: World):
    await world.call("POST", f"/smartlock/{world.front}/action", json={"action": 3})
    assert await world.state(world.front) == 7
    await world.sim.settle(steps=1)
    assert await world.state(world.front) == 5
    await world.sim.settle()
    assert await world.state(world.front) == 3
    assert [log["action"] for log in await world.logs()] == [3]


async def test_actions_complete_by_themselves_after_the_action_delay(world: World):
    world.sim.action_delay = 0.01
    await world.call("POST", f"/smartlock/{world.front}/action/unlock")
    await asyncio.sleep(0.05)  # the one test that lets the timer fire instead of calling settle()
    assert await world.state(world.front) == 3


async def test_a_jammed_lock_ends_motor_blocked_and_logs_it(world: World):
    world.sim.jam(world.front)
    await world.call("POST", f"/smartlock/{world.front}/action/unlock")
    await world.sim.settle()
    assert await world.state(world.front) == 254
    assert [(log["action"], log["state"]) for log in await world.logs()] == [(1, 1)]
    device = await world.adapter.get_device(str(world.front))
    receipt = ActionReceipt(confirmed=False, accepted_at=START)
    check = await world.adapter.check_action(device, ActionKind.UNLOCK, receipt)
    assert (check.state, check.error_code) == (ActionState.FAILED, "device_jammed")


async def test_an_offline_lock_accepts_commands_and_never_moves(world: World):
    world.sim.set_online(world.front, False)
    answer = await world.call("POST", f"/smartlock/{world.front}/action", json={"action": 1})
    await world.sim.settle()
    assert answer.status_code == 204
    assert await world.state(world.front) == 1 and await world.logs() == []
    assert (await world.call("GET", f"/smartlock/{world.front}")).json()["serverState"] == 4


@pytest.mark.parametrize(
    "body", [{"action": 9}, {"action": 0}, {"action": 1, "option": 8}, {"option": 0}, {"action": "unlock"}, None]
)
async def test_invalid_actions_are_400(world: World, body: Any):
    answer = await world.call("POST", f"/smartlock/{world.front}/action", json=body)
    assert answer.status_code == 400 and world.sim.locks[world.front].state == 1


async def test_the_adapter_sees_the_command_pending_then_confirmed(world: World):
    device = await world.adapter.get_device(str(world.front))
    receipt = await world.adapter.perform(device, ActionKind.UNLOCK)
    assert (await world.adapter.check_action(device, ActionKind.UNLOCK, receipt)).state is ActionState.PENDING
    await world.sim.settle()
    done = await world.adapter.check_action(device, ActionKind.UNLOCK, receipt)
    assert (done.state, done.was_confirmed_by_device) == (ActionState.SUCCEEDED, True)
