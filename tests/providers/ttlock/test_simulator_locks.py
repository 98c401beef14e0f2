"""The TTLock simulator's lock and gateway listings: paging as TTLock pages, lock details with every documented
field, featureValue bits, gateways with their online state, and which gateway sees which lock.
"""

from __future__ import annotations

import pytest

from providers.ttlock.simulator import TTLockSimulator

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`sim`, `world`, ...)
from tests.providers.ttlock.test_simulator_support import (
    World,
    clock_fixture,  # noqa: F401
    errcode,
    ms,
    sim_fixture,  # noqa: F401
    world_fixture,  # noqa: F401
)

DETAIL_FIELDS = {
    "lockId", "lockName", "lockAlias", "lockMac", "date", "noKeyPwd", "adminPwd", "electricQuantity", "featureValue",
    "timezoneRawOffset", "modelNum", "hardwareRevision", "firmwareRevision", "autoLockTime", "lockSound", "soundVolume",
    "hasGateway", "privacyLock", "tamperAlert", "resetButton", "openDirection", "passageMode", "passageModeAutoUnlock",
    "keyboardPwdVersion", "isFrozen",
}  # fmt: skip


def bit(feature_value: str, n: int) -> bool:
    return bool(int(feature_value, 16) >> n & 1)


async def test_lock_list_pages_the_accounts_own_locks(world: World, sim: TTLockSimulator):
    for number in range(4):
        sim.add_lock(world.uid, alias=f"Room {number}")
    first = await world.call("/v3/lock/list", method="GET", pageNo=1, pageSize=3)
    last = await world.call("/v3/lock/list", method="GET", pageNo=3, pageSize=3)
    assert {key: first[key] for key in ("pageNo", "pageSize", "pages", "total")} == {
        "pageNo": 1,
        "pageSize": 3,
        "pages": 3,
        "total": 7,
    }
    assert [lock["lockAlias"] for lock in first["list"]] == ["Front door", "Garden shed", "Cabin"]
    assert [lock["lockAlias"] for lock in last["list"]] == ["Room 3"]
    beyond = await world.call("/v3/lock/list", pageNo=9, pageSize=3)
    assert beyond["list"] == [] and beyond["total"] == 7
    assert world.foreign not in {lock["lockId"] for lock in first["list"] + last["list"]}


async def test_lock_list_items_and_alias_search(world: World, sim: TTLockSimulator):
    listed = await world.call("/v3/lock/list", lockAlias="front")
    [item] = listed["list"]
    assert set(item) == {
        "lockId", "lockName", "lockAlias", "lockMac", "electricQuantity", "featureValue", "hasGateway", "lockData",
        "date",
    }  # fmt: skip
    assert (item["lockId"], item["lockAlias"], item["electricQuantity"], item["hasGateway"]) == (
        world.front,
        "Front door",
        80,
        1,
    )
    assert item["lockName"].startswith("S202F_") and item["lockMac"].count(":") == 5
    assert item["date"] == ms(sim.clock())


@pytest.mark.parametrize("size", [0, 1001])
async def test_lock_list_page_size_is_1_to_1000(world: World, size: int):
    assert errcode(await world.call("/v3/lock/list", pageSize=size)) == -3


async def test_lock_detail_has_every_documented_field(world: World, sim: TTLockSimulator):
    back = sim.add_lock(world.uid, alias="Back door", battery=12, timezone_offset_ms=19_800_000)
    detail = await world.call("/v3/lock/detail", method="GET", lockId=back)
    assert set(detail) == DETAIL_FIELDS
    assert (detail["timezoneRawOffset"], detail["electricQuantity"], detail["hasGateway"]) == (19_800_000, 12, 0)
    assert detail["noKeyPwd"].isdigit() and len(detail["noKeyPwd"]) == 7
    assert detail["featureValue"] == detail["featureValue"].upper() and detail["isFrozen"] == 2
    assert detail["autoLockTime"] == -1 and detail["keyboardPwdVersion"] == 4


async def test_feature_value_bits_follow_the_lock(world: World, sim: TTLockSimulator):
    wifi = sim.add_lock(world.uid, alias="Wi-Fi", wifi=True)
    values = {
        lock_id: (await world.call("/v3/lock/detail", lockId=lock_id))["featureValue"]
        for lock_id in (world.front, world.cabin, wifi)
    }
    assert [bit(values[world.front], n) for n in (0, 1, 2, 8, 10, 14, 56)] == [True] * 6 + [False]
    assert not bit(values[world.cabin], 0) and bit(values[world.cabin], 8)  # no keypad, no passcodes
    assert bit(values[wifi], 56) and not bit(values[wifi], 10)
    assert not any(bit(value, 12) for value in values.values())  # no cyclic passcodes


async def test_someone_elses_lock_is_refused_and_an_unknown_one_does_not_exist(world: World):
    assert errcode(await world.call("/v3/lock/detail", lockId=world.foreign)) == -2018
    assert errcode(await world.call("/v3/lock/detail", lockId=99)) == -1003
    assert errcode(await world.call("/v3/lock/detail")) == -3
    assert errcode(await world.call("/v3/lock/detail", lockId="front")) == -3


async def test_battery_knob_shows_in_list_and_detail(world: World, sim: TTLockSimulator):
    sim.set_battery(world.front, 7)
    assert (await world.call("/v3/lock/detail", lockId=world.front))["electricQuantity"] == 7
    listed = await world.call("/v3/lock/list", lockAlias="Front")
    assert listed["list"][0]["electricQuantity"] == 7


async def test_gateway_list_with_online_state_lock_count_and_order(world: World, sim: TTLockSimulator):
    sim.add_lock(world.uid, alias="Back door", gateways=[world.hallway])
    by_name = await world.call("/v3/gateway/list", method="GET", pageNo=1, pageSize=20, orderBy=0)
    assert [(item["gatewayName"], item["isOnline"], item["lockNum"]) for item in by_name["list"]] == [
        ("Garden gateway", 0, 1),
        ("Hallway gateway", 1, 2),
    ]
    item = by_name["list"][1]
    assert set(item) == {
        "gatewayId", "gatewayMac", "gatewayName", "gatewayVersion", "networkName", "networkMac", "lockNum", "isOnline",
    }  # fmt: skip
    descending = await world.call("/v3/gateway/list", orderBy=2)
    assert [item["gatewayId"] for item in descending["list"]] == [world.hallway, world.garden]
    assert errcode(await world.call("/v3/gateway/list", pageSize=201)) == -3
    assert errcode(await world.call("/v3/gateway/list", orderBy=7)) == -3


async def test_gateways_of_a_lock_and_locks_of_a_gateway(world: World, sim: TTLockSimulator):
    near = await world.call("/v3/gateway/listByLock", method="GET", lockId=world.front)
    assert set(near) == {"list"}
    [gateway] = near["list"]
    assert (gateway["gatewayId"], gateway["gatewayName"], gateway["rssi"]) == (world.hallway, "Hallway gateway", -65)
    assert gateway["rssiUpdateDate"] <= ms(sim.clock())
    seen = await world.call("/v3/gateway/listLock", gatewayId=world.hallway)
    assert [(lock["lockId"], lock["lockAlias"]) for lock in seen["list"]] == [(world.front, "Front door")]
    assert set(seen["list"][0]) == {"lockId", "lockMac", "lockName", "lockAlias", "rssi", "updateDate"}
    assert (await world.call("/v3/gateway/listByLock", lockId=world.cabin)) == {"list": []}
    assert errcode(await world.call("/v3/gateway/listLock", gatewayId=1)) == -4037
