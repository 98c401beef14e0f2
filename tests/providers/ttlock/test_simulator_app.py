"""The sandbox's stand-in for the TTLock app and the keypad (`/app/...`, sandbox mode only): locks with the codes the
lock holds and those only the cloud knows, codes added and deleted over Bluetooth, typing at the door, asking about
any instant on the lock's clock, and plugging a gateway in or out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from providers.ttlock.simulator import TTLockSimulator

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`clock`, ...)
from tests.providers.ttlock.test_simulator_support import (
    BASE,
    DAY_MS,
    OK,
    Clock,
    World,
    clock_fixture,  # noqa: F401
    errcode,
    ms,
)

INDIA = 19_800_000


@pytest.fixture(name="world")
async def sandbox_world_fixture(clock: Clock) -> AsyncIterator[World]:
    sim = TTLockSimulator(clock=clock, gateway_delay=0.01, sandbox=True, seed=5)
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE, timeout=2.0) as http:
        world = World(sim, http)
        await world.login()
        yield world
    await sim.aclose()


async def test_locks_with_their_codes_as_the_lock_holds_them(world: World, clock: Clock):
    sim = world.sim
    on_lock = sim.external_add_code(world.front, "Owner", "582916")
    window = {"startDate": ms(clock()), "endDate": ms(clock()) + DAY_MS}
    cloud_only = (await world.add(world.front, "691027", keyboardPwdName="Cloud", **window))["keyboardPwdId"]
    locks = {lock["alias"]: lock for lock in (await world.http.get("/app/locks")).json()}
    assert set(locks) == {"Front door", "Garden shed", "Cabin", "Not yours"}
    front = locks["Front door"]
    assert (front["lockId"], front["gatewayOnline"], front["state"]) == (world.front, True, 0)
    assert locks["Garden shed"]["gatewayOnline"] is False
    assert front["codes"] == [
        {"id": on_lock, "name": "Owner", "code": "582916", "on_lock": True, "start": "2024-03-01T13:00:00+01:00"}
        | {"end": None},
        {"id": cloud_only, "name": "Cloud", "code": "691027", "on_lock": False, "start": "2024-03-01T13:00:00+01:00"}
        | {"end": "2024-03-02T13:00:00+01:00"},
    ]


async def test_the_owner_adds_and_deletes_codes_over_bluetooth(world: World):
    sim = world.sim
    added = await world.http.post(f"/app/locks/{world.front}/codes", json={"name": "Cleaner", "code": "582916"})
    assert added.status_code == 201
    pwd_id = added.json()["id"]
    assert sim.lock_codes(world.front) == {"582916": "Cleaner"}
    [listed] = await world.codes(world.front)  # uploaded to the cloud too
    assert (listed["keyboardPwdId"], listed["isCustom"], listed["keyboardPwdType"]) == (pwd_id, 1, 2)
    again = await world.http.post(f"/app/locks/{world.front}/codes", json={"name": "Twin", "code": "582916"})
    assert again.status_code == 409 and "-3007" in again.json()["detail"]
    simple = await world.http.post(f"/app/locks/{world.front}/codes", json={"name": "Easy", "code": "1234"})
    assert simple.status_code == 409
    assert (await world.http.delete(f"/app/locks/{world.front}/codes/{pwd_id}")).status_code == 204
    assert sim.lock_codes(world.front) == {} and await world.codes(world.front) == []
    assert (await world.http.delete(f"/app/locks/{world.front}/codes/{pwd_id}")).status_code == 404


async def test_unknown_locks_and_bad_bodies(world: World):
    assert (await world.http.post("/app/locks/1/codes", json={"name": "x", "code": "582916"})).status_code == 404
    assert (await world.http.post(f"/app/locks/{world.front}/codes", json={"name": "x"})).status_code == 400
    assert (await world.http.post(f"/app/locks/{world.front}/keypad", content=b"nope")).status_code == 400
    assert (await world.http.post("/app/gateways/1/online", json={"online": True})).status_code == 404


async def test_typing_at_the_keypad(world: World):
    await world.add(world.front, "582916", addType=2, keyboardPwdType=2)
    await world.add(world.front, "691027", keyboardPwdType=2)  # cloud only
    opened = await world.http.post(f"/app/locks/{world.front}/keypad", json={"code": "582916"})
    assert opened.json() == {"opened": True, "state": 1}
    refused = await world.http.post(f"/app/locks/{world.front}/keypad", json={"code": "691027"})
    assert refused.json() == {"opened": False, "state": 1}
    assert [record["success"] for record in await world.records(world.front)] == [0, 1]


@pytest.mark.parametrize(
    ("instant", "opens", "lock_time"),
    [
        ("2024-03-01T12:31:00Z", True, "2024-03-01T18:01:00+05:30"),
        ("2024-03-01T17:59:00+05:30", False, "2024-03-01T17:59:00+05:30"),
        ("2024-03-02T12:29:00Z", True, "2024-03-02T17:59:00+05:30"),
        ("2024-03-02T12:30:00Z", False, "2024-03-02T18:00:00+05:30"),
    ],
)
async def test_the_keypad_check_answers_for_any_instant_on_the_locks_clock(
    world: World, instant: str, opens: bool, lock_time: str
):
    goa = world.sim.add_lock(world.uid, alias="Goa", timezone_offset_ms=INDIA, gateways=[world.hallway])
    start, end = ms(world.sim.clock()) + 1_800_000, ms(world.sim.clock()) + 1_800_000 + DAY_MS  # 18:00 there
    await world.add(goa, "582916", addType=2, keyboardPwdType=3, startDate=start, endDate=end)
    answer = await world.http.post(f"/app/locks/{goa}/keypad/check", json={"code": "582916", "at": instant})
    assert answer.json() == {"opens": opens, "lockLocalTime": lock_time}
    assert await world.records(goa) == []  # a question: nothing recorded


@pytest.mark.parametrize("instant", ["tomorrow", "2024-03-01T12:00:00"])
async def test_the_keypad_check_needs_an_instant(world: World, instant: str):
    answer = await world.http.post(f"/app/locks/{world.front}/keypad/check", json={"code": "1", "at": instant})
    assert answer.status_code == 400


async def test_plugging_a_gateway_in_and_out(world: World):
    assert errcode(await world.call("/v3/lock/unlock", lockId=world.shed)) == -3002
    answer = await world.http.post(f"/app/gateways/{world.garden}/online", json={"online": True})
    assert answer.json() == {"online": True}
    assert await world.call("/v3/lock/unlock", lockId=world.shed) == OK
    await world.http.post(f"/app/gateways/{world.garden}/online", json={"online": False})
    assert errcode(await world.call("/v3/lock/unlock", lockId=world.shed)) == -3002
