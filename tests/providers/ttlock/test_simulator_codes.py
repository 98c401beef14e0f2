"""The TTLock simulator's custom passcodes: TTLock's defaults that touch only the cloud (addType, changeType and
deleteType 1), writes through the gateway (type 2), Wi-Fi async adds (4), the passcode rules, and the cloud's list.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from providers.ttlock.simulator import TTLockSimulator

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`sim`, `world`, ...)
from tests.providers.ttlock.test_simulator_support import (
    DAY_MS,
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

PIN = "374912"
LIST_FIELDS = {
    "keyboardPwdId", "lockId", "keyboardPwd", "keyboardPwdName", "keyboardPwdType", "startDate", "endDate", "sendDate",
    "isCustom", "status", "senderUsername",
}  # fmt: skip


async def test_add_type_1_the_default_is_listed_but_never_opens_the_lock(world: World, sim: TTLockSimulator):
    added = await world.add(world.front, PIN, keyboardPwdType=2)
    [listed] = await world.codes(world.front)
    assert listed["keyboardPwdId"] == added["keyboardPwdId"] and set(added) == {"keyboardPwdId"}
    assert (listed["keyboardPwd"], listed["isCustom"], listed["status"]) == (PIN, 1, 1)
    assert sim.lock_codes(world.front) == {}
    assert sim.keypad_entry(world.front, PIN) is False
    [record] = await world.records(world.front)
    assert (record["recordType"], record["success"], record["recordTypeFromLock"]) == (4, 0, 7)


async def test_add_type_2_writes_through_the_gateway_and_opens(world: World, sim: TTLockSimulator):
    start, end = ms(sim.clock()), ms(sim.clock()) + DAY_MS
    added = await world.add(world.front, PIN, addType=2, startDate=start + 30_123, endDate=end)
    [listed] = await world.codes(world.front)
    assert set(listed) == LIST_FIELDS and listed["keyboardPwdId"] == added["keyboardPwdId"]
    assert (listed["keyboardPwdType"], listed["startDate"], listed["endDate"]) == (3, start, end)  # minutes
    assert (listed["senderUsername"], listed["keyboardPwdName"]) == (USERNAME, f"Guest {PIN}")
    assert sim.lock_codes(world.front) == {PIN: f"Guest {PIN}"}
    assert sim.keypad_entry(world.front, PIN) is True
    [record] = await world.records(world.front)
    assert (record["recordType"], record["recordTypeFromLock"], record["success"]) == (4, 4, 1)
    assert (record["keyboardPwd"], record["username"]) == (PIN, f"Guest {PIN}")


@pytest.mark.parametrize(("lock", "code"), [("cabin", -4043), ("shed", -3002), ("foreign", -2018)])
async def test_add_type_2_needs_a_keypad_and_an_online_gateway(world: World, lock: str, code: int):
    assert errcode(await world.add(getattr(world, lock), PIN, addType=2, keyboardPwdType=2)) == code


async def test_add_type_2_without_a_gateway_and_to_an_unreachable_lock(world: World, sim: TTLockSimulator):
    lonely = sim.add_lock(world.uid, alias="No gateway")
    assert errcode(await world.add(lonely, PIN, addType=2, keyboardPwdType=2)) == -2012
    sim.set_lock_reachable(world.front, False)
    assert errcode(await world.add(world.front, PIN, addType=2, keyboardPwdType=2)) == -3036
    assert await world.codes(world.front) == []  # nothing left behind


async def test_the_code_is_listed_as_adding_while_the_gateway_works(world: World, sim: TTLockSimulator):
    sim.gateway_delay = 0.1
    pending = asyncio.create_task(world.add(world.front, PIN, addType=2, keyboardPwdType=2))
    await asyncio.sleep(0.03)
    [adding] = await world.codes(world.front)
    assert adding["status"] == 4
    assert errcode(await world.add(world.front, "913572", addType=2, keyboardPwdType=2)) == -3003
    await pending
    assert [code["status"] for code in await world.codes(world.front)] == [1]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"keyboardPwd": "123"}, -3006),
        ({"keyboardPwd": "1234567890"}, -3006),
        ({"keyboardPwd": "12a456"}, -3006),
        ({"keyboardPwd": "777777"}, -2032),
        ({"keyboardPwd": "3456789"}, -2032),
        ({"keyboardPwd": "9876"}, -2032),
        ({"keyboardPwdType": 3}, -3),  # a period code needs both dates
        ({"keyboardPwdType": 1}, -3),
        ({"addType": 3}, -4043),
        ({"addType": 4}, -4043),  # only for Wi-Fi locks
        ({"addType": 9}, -3),
    ],
)
async def test_codes_ttlock_refuses(world: World, fields: dict[str, Any], code: int):
    body = {"keyboardPwdType": 2, "addType": 2} | fields
    assert errcode(await world.add(world.front, fields.get("keyboardPwd", PIN), **body)) == code


async def test_four_digits_and_leading_zeros_are_fine(world: World, sim: TTLockSimulator):
    await world.add(world.front, "0472", addType=2, keyboardPwdType=2)
    assert sim.lock_codes(world.front) == {"0472": "Guest 0472"}
    assert [code["keyboardPwd"] for code in await world.codes(world.front)] == ["0472"]


async def test_a_duplicate_code_on_the_lock_is_refused(world: World, sim: TTLockSimulator):
    await world.add(world.front, PIN, addType=2, keyboardPwdType=2)
    assert errcode(await world.add(world.front, PIN, addType=2, keyboardPwdType=2)) == -3007
    assert errcode(await world.add(world.front, PIN, keyboardPwdType=2)) == -3007
    owner_code = sim.external_add_code(world.front, "Owner", "582916")
    assert errcode(await world.add(world.front, "582916", addType=2, keyboardPwdType=2)) == -3007
    await world.call("/v3/keyboardPwd/delete", lockId=world.front, keyboardPwdId=owner_code)  # cloud only
    assert errcode(await world.add(world.front, "582916", addType=2, keyboardPwdType=2)) == -3007  # the lock has it
    assert (await world.add(world.shed, PIN, keyboardPwdType=2))["keyboardPwdId"]  # another lock: fine


async def test_a_lock_holds_250_custom_codes(world: World, sim: TTLockSimulator):
    for number in range(250):
        sim.external_add_code(world.front, f"Guest {number}", f"{100000 + number * 7:06d}")
    assert errcode(await world.add(world.front, PIN, addType=2, keyboardPwdType=2)) == -3009
    with pytest.raises(ValueError, match="-3009"):
        sim.external_add_code(world.front, "One more", PIN)


async def test_change_type_1_changes_only_the_clouds_copy(world: World, sim: TTLockSimulator):
    pwd_id = (await world.add(world.front, PIN, addType=2, keyboardPwdType=2))["keyboardPwdId"]
    changed = await world.call(
        "/v3/keyboardPwd/change", lockId=world.front, keyboardPwdId=pwd_id, newKeyboardPwd="583920"
    )
    assert changed == OK
    assert [code["keyboardPwd"] for code in await world.codes(world.front)] == ["583920"]
    assert sim.lock_codes(world.front) == {PIN: f"Guest {PIN}"}  # the lock kept the old code
    assert sim.keypad_entry(world.front, PIN) and not sim.keypad_entry(world.front, "583920")


async def test_change_type_2_changes_the_lock_too(world: World, sim: TTLockSimulator):
    pwd_id = (await world.add(world.front, PIN, addType=2, keyboardPwdType=2))["keyboardPwdId"]
    start, end = ms(sim.clock()) + DAY_MS, ms(sim.clock()) + 2 * DAY_MS
    fields = {"lockId": world.front, "keyboardPwdId": pwd_id, "changeType": 2}
    await world.call("/v3/keyboardPwd/change", **fields, newKeyboardPwd="583920", startDate=start, endDate=end)
    [listed] = await world.codes(world.front)
    assert (listed["keyboardPwd"], listed["keyboardPwdType"], listed["startDate"], listed["endDate"]) == (
        "583920",
        3,
        start,
        end,
    )
    assert sim.lock_codes(world.front) == {"583920": f"Guest {PIN}"}
    assert not sim.would_open(world.front, "583920")  # not yet valid
    sim.set_gateway_online(world.hallway, False)
    assert errcode(await world.call("/v3/keyboardPwd/change", **fields, newKeyboardPwd="692051")) == -3002


async def test_a_name_alone_needs_no_gateway_and_a_lone_end_date_changes_nothing(world: World, sim: TTLockSimulator):
    pwd_id = (await world.add(world.front, PIN, addType=2, keyboardPwdType=2))["keyboardPwdId"]
    sim.set_gateway_online(world.hallway, False)
    fields = {"lockId": world.front, "keyboardPwdId": pwd_id}
    assert await world.call("/v3/keyboardPwd/change", **fields, keyboardPwdName="Anna", changeType=2) == OK
    assert sim.lock_codes(world.front) == {PIN: "Anna"}
    before = await world.codes(world.front)
    assert await world.call("/v3/keyboardPwd/change", **fields, endDate=ms(sim.clock()) + DAY_MS) == OK
    assert await world.codes(world.front) == before and before[0]["keyboardPwdName"] == "Anna"


async def test_delete_type_1_leaves_the_code_on_the_lock(world: World, sim: TTLockSimulator):
    pwd_id = (await world.add(world.front, PIN, addType=2, keyboardPwdType=2))["keyboardPwdId"]
    assert await world.call("/v3/keyboardPwd/delete", lockId=world.front, keyboardPwdId=pwd_id) == OK
    assert await world.codes(world.front) == []
    assert sim.lock_codes(world.front) == {PIN: f"Guest {PIN}"}
    assert sim.keypad_entry(world.front, PIN) is True  # the lock still opens with it
    assert errcode(await world.call("/v3/keyboardPwd/delete", lockId=world.front, keyboardPwdId=pwd_id)) == -2009


async def test_delete_type_2_takes_it_off_the_lock(world: World, sim: TTLockSimulator):
    pwd_id = (await world.add(world.front, PIN, addType=2, keyboardPwdType=2))["keyboardPwdId"]
    fields = {"lockId": world.front, "keyboardPwdId": pwd_id, "deleteType": 2}
    sim.set_lock_reachable(world.front, False)
    assert errcode(await world.call("/v3/keyboardPwd/delete", **fields)) == -3036
    assert [code["status"] for code in await world.codes(world.front)] == [1]  # still there
    sim.set_lock_reachable(world.front, True)
    assert await world.call("/v3/keyboardPwd/delete", **fields) == OK
    assert await world.codes(world.front) == [] and sim.lock_codes(world.front) == {}
    assert sim.keypad_entry(world.front, PIN) is False


async def test_delete_by_code(world: World, sim: TTLockSimulator):
    await world.add(world.front, PIN, addType=2, keyboardPwdType=2)
    fields = {"lockId": world.front, "keyboardPwd": PIN, "deleteType": 2}
    assert await world.call("/v3/keyboardPwd/deleteByCode", **fields) == OK
    assert sim.lock_codes(world.front) == {}
    assert errcode(await world.call("/v3/keyboardPwd/deleteByCode", **fields)) == -2009


async def test_the_list_pages_orders_and_searches(world: World, clock: Clock):
    for name, code in (("Carla", "582916"), ("anna", "691027"), ("Bert", "730418")):
        await world.add(world.front, code, keyboardPwdName=name, keyboardPwdType=2)
        clock.advance(minutes=1)
    newest = await world.call("/v3/lock/listKeyboardPwd", method="GET", lockId=world.front, pageNo=1, pageSize=2)
    assert [code["keyboardPwdName"] for code in newest["list"]] == ["Bert", "anna"]
    assert (newest["pages"], newest["total"]) == (2, 3)
    by_name = await world.call("/v3/lock/listKeyboardPwd", lockId=world.front, orderBy=0)
    assert [code["keyboardPwdName"] for code in by_name["list"]] == ["anna", "Bert", "Carla"]
    found = await world.call("/v3/lock/listKeyboardPwd", lockId=world.front, searchStr="730418")
    assert [code["keyboardPwdName"] for code in found["list"]] == ["Bert"]
    assert errcode(await world.call("/v3/lock/listKeyboardPwd", lockId=world.front, pageSize=201)) == -3


async def test_add_type_4_reaches_a_wifi_lock_in_the_background(world: World, sim: TTLockSimulator):
    wifi = sim.add_lock(world.uid, alias="Wi-Fi door", wifi=True)
    sim.gateway_delay = 0.05
    added = await world.add(wifi, PIN, addType=4, keyboardPwdType=2)
    assert [code["status"] for code in await world.codes(wifi)] == [4] and sim.lock_codes(wifi) == {}
    await sim.settle()
    assert [code["status"] for code in await world.codes(wifi)] == [1] and PIN in sim.lock_codes(wifi)
    sim.set_lock_reachable(wifi, False)
    await world.add(wifi, "583920", addType=4, keyboardPwdType=2)
    await sim.settle()
    statuses = {code["keyboardPwdId"]: code["status"] for code in await world.codes(wifi)}
    assert statuses.pop(added["keyboardPwdId"]) == 1 and list(statuses.values()) == [5]
