"""The TTLock simulator's callbacks as TTLock POSTs them to the application's URL: form-encoded, outer values as
strings, `records` a compact JSON array *string* of what the lock uploaded since the previous push; gateway
(notifyType 2) and Wi-Fi lock (notifyType 3) online state.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, parse_qsl, quote_plus

import pytest

from providers.ttlock.simulator import TTLockSimulator

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`sim`, `world`, ...)
from tests.providers.ttlock.test_simulator_support import (
    USERNAME,
    Clock,
    World,
    clock_fixture,  # noqa: F401
    ms,
    sim_fixture,  # noqa: F401
    world_fixture,  # noqa: F401
)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def test_a_record_callback_is_form_encoded_with_records_as_a_json_string(world: World, sim: TTLockSimulator):
    await world.add(world.front, "374912", addType=2, keyboardPwdType=2, keyboardPwdName="Anna & Bo")
    sim.keypad_entry(world.front, "374912")
    headers, body = sim.callback(world.front)
    fields = dict(parse_qsl(body.decode(), strict_parsing=True))
    mac = sim.locks[world.front].mac
    assert headers == FORM
    assert list(fields) == ["notifyType", "lockId", "lockMac", "admin", "records"]
    assert (fields["notifyType"], fields["lockId"], fields["lockMac"], fields["admin"]) == (
        "1",
        str(world.front),
        mac,
        USERNAME,
    )
    assert ", " not in fields["records"] and ": " not in fields["records"]  # compact, as TTLock sends it
    [record] = json.loads(fields["records"])
    assert record == {
        "lockId": world.front,
        "electricQuantity": 80,
        "serverDate": ms(sim.clock()),
        "recordTypeFromLock": 4,
        "recordType": 4,
        "success": 1,
        "lockMac": mac,
        "keyboardPwd": "374912",
        "lockDate": ms(sim.clock()),
        "username": "Anna & Bo",
    }


async def test_the_exact_bytes_of_a_callback(world: World, sim: TTLockSimulator):
    sim.set_battery(world.cabin, 55)
    sim.manual_action(world.cabin)
    lock = sim.locks[world.cabin]
    _, body = sim.callback(world.cabin)
    records = (
        f'[{{"lockId":{world.cabin},"electricQuantity":55,"serverDate":{ms(sim.clock())},"recordTypeFromLock":27,'
        f'"recordType":10,"success":1,"lockMac":"{lock.mac}","lockDate":{ms(sim.clock())},"username":""}}]'
    )
    mac = lock.mac.replace(":", "%3A")
    expected = f"notifyType=1&lockId={world.cabin}&lockMac={mac}&admin=host%40example.com&records={quote_plus(records)}"
    assert body.decode() == expected


async def test_each_push_carries_what_was_uploaded_since_the_previous_one(
    world: World, sim: TTLockSimulator, clock: Clock
):
    def pushed() -> list[int]:
        records = json.loads(parse_qs(sim.callback(world.front)[1].decode())["records"][0])
        return [record["recordType"] for record in records]

    await world.call("/v3/lock/unlock", lockId=world.front)
    assert pushed() == [12]
    sim.manual_action(world.front)
    clock.advance(seconds=5)
    sim.keypad_entry(world.front, "000000")
    assert pushed() == [36, 4]  # oldest first
    assert pushed() == [4]  # nothing new: the newest again


async def test_a_lock_without_records_has_nothing_to_push(world: World, sim: TTLockSimulator):
    with pytest.raises(ValueError, match="no records"):
        sim.callback(world.shed)
    with pytest.raises(ValueError, match="notifyType"):
        sim.callback(world.front, notify_type=4)


async def test_a_gateway_callback_says_whether_it_is_online(world: World, sim: TTLockSimulator):
    sim.set_gateway_online(world.hallway, False)
    headers, body = sim.gateway_callback(world.hallway)
    gateway = sim.gateways[world.hallway]
    assert headers == FORM
    assert dict(parse_qsl(body.decode())) == {
        "notifyType": "2",
        "gatewayId": str(world.hallway),
        "gatewayName": "Hallway gateway",
        "gatewayMac": gateway.mac,
        "gatewayVersion": "2",
        "networkName": gateway.network_name,
        "isOnline": "0",
    }


async def test_a_wifi_lock_callback_says_whether_it_is_online(world: World, sim: TTLockSimulator):
    wifi = sim.add_lock(world.uid, alias="Wi-Fi door", wifi=True)
    sim.set_lock_reachable(wifi, False)
    fields = dict(parse_qsl(sim.callback(wifi, notify_type=3)[1].decode()))
    assert fields == {
        "notifyType": "3",
        "lockId": str(wifi),
        "lockAlias": "Wi-Fi door",
        "lockMac": sim.locks[wifi].mac,
        "networkName": "home-wifi",
        "admin": USERNAME,
        "isOnline": "0",
    }
