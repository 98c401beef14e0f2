"""Codes someone added in the Nuki app (unmanaged), through the REST API on the sandbox: listed under the lock with
one `access_code.unmanaged_detected` event, never deleted or taken over by the worker (whatever else changes on the
lock), their PIN not given to another code (`duplicate_code_on_device`, `code_not_shareable`); `convert_to_managed`
makes one the gateway's to keep. Also `common_code_key`: one PIN on several doors.
"""

from __future__ import annotations

import pytest

from tests.aggregator.reconcile.world import Json, Worker, World
from tests.sandbox import lock_id, until

pytestmark = pytest.mark.sandbox
FRONT, BACK, GARDEN = "Front door", "Back door", "Garden gate"


async def found_unmanaged(world: World, door: str, name: str, pin: str) -> Json:
    """The owner adds a code in the app; a reconcile finds it: the lock's one unmanaged code."""
    await world.owner.add(door, name, pin)
    await world.api.reconcile(world.door(door))
    listed: list[Json] = []

    async def found() -> bool:
        nonlocal listed
        listed = await world.api.unmanaged(world.door(door))
        return bool(listed)

    await until(found)
    [code] = listed
    return code


async def set_code(world: World, door: str, **body: object) -> Json:
    made = await world.api.make(device_id=world.door(door), **body)
    return await world.api.until_code(made["id"], status="set")


async def test_a_code_added_in_the_app_is_listed_and_announced_once(world: World) -> None:
    code = await found_unmanaged(world, FRONT, "Cleaner", "567891")
    assert (code["name"], code["code"], code["is_managed"], code["status"]) == ("Cleaner", "567891", False, "set")
    assert (code["type"], code["device_id"], code["errors"]) == ("ongoing", world.door(FRONT), [])
    [event] = await world.api.events("access_code.unmanaged_detected", code_id=code["id"])
    assert (event["device_id"], event["data"]) == (world.door(FRONT), {"name": "Cleaner"})
    managed = await world.api.client.get(
        "/v1/access_codes", params={"device_id": world.door(FRONT)}, headers=world.api.headers
    )
    assert managed.json()["data"] == []
    drift = await world.api.drift(world.door(FRONT), refresh=True)
    assert (drift["in_sync"], drift["items"]) == (True, [])  # an unmanaged code is not drift


async def test_an_unmanaged_code_survives_every_reconcile_and_change_on_the_lock(world: World, worker: Worker) -> None:
    api, front = world.api, world.door(FRONT)
    found = await found_unmanaged(world, FRONT, "Cleaner", "567891")
    guest = await set_code(world, FRONT, name="Guest", code="345678")
    assert (await api.patch(guest["id"], name="Guest renamed", code="456789")).status_code == 200
    await until(lambda: world.owner.codes(FRONT) == {"456789": "Guest renamed", "567891": "Cleaner"})
    other = await set_code(world, FRONT, name="Other guest", code="678912")
    assert (await api.client.delete(f"/v1/access_codes/{guest['id']}", headers=api.headers)).status_code == 202
    await until(lambda: world.owner.codes(FRONT) == {"678912": "Other guest", "567891": "Cleaner"})
    for _ in range(3):
        await worker.reconciled(api, front)

    assert world.owner.codes(FRONT) == {"678912": "Other guest", "567891": "Cleaner"}
    assert [code["id"] for code in await api.unmanaged(front)] == [found["id"]]
    assert len(await api.events("access_code.unmanaged_detected")) == 1
    refused = await api.client.delete(f"/v1/access_codes/{found['id']}", headers=api.headers)
    assert (refused.status_code, refused.json()["code"]) == (404, "access_code_not_found")
    assert world.owner.codes(FRONT)["567891"] == "Cleaner"
    assert (await api.code(other["id"]) or {})["status"] == "set"


async def test_a_code_deleted_in_the_app_leaves_the_unmanaged_list(world: World, worker: Worker) -> None:
    await found_unmanaged(world, FRONT, "Cleaner", "567891")
    await world.owner.delete(FRONT, "567891")
    await worker.reconciled(world.api, world.door(FRONT))
    assert await world.api.unmanaged(world.door(FRONT)) == []


async def test_an_owners_code_with_the_same_pin_is_never_taken_over(world: World) -> None:
    """The owner adds a PIN in the app that an API client picks too before the gateway has read the lock: the
    owner's code stays theirs (not renamed, not deleted with the guest's), and the guest's code reports the clash.
    """
    api, front = world.api, world.door(FRONT)
    await world.owner.add(FRONT, "Owner's mother", "567891")
    guest = await api.make(device_id=front, name="Guest", code="567891")  # the gateway has not read the lock yet

    async def refused() -> bool:
        return bool((await api.code(guest["id"]) or {}).get("errors"))

    await until(refused)
    failed = await api.code(guest["id"]) or {}
    [error] = failed["errors"]
    assert (failed["status"], error["error_code"]) == ("setting", "code_constraint_violated")  # Nuki's 409
    assert "The code is already used on this smartlock" in error["message"]
    [owners] = await api.unmanaged(front)
    assert (owners["name"], owners["code"]) == ("Owner's mother", "567891")
    assert world.owner.codes(FRONT) == {"567891": "Owner's mother"}

    deleted = await api.client.delete(f"/v1/access_codes/{guest['id']}", headers=api.headers)
    assert deleted.status_code == 202
    await api.until_gone(guest["id"])
    assert world.owner.codes(FRONT) == {"567891": "Owner's mother"}
    assert [code["id"] for code in await api.unmanaged(front)] == [owners["id"]]


async def test_an_unmanaged_pin_is_not_given_to_another_code(world: World) -> None:
    api, front = world.api, world.door(FRONT)
    await found_unmanaged(world, FRONT, "Cleaner", "567891")
    taken = await api.client.post("/v1/access_codes", json={"device_id": front, "code": "567891"}, headers=api.headers)
    assert (taken.status_code, taken.json()["code"]) == (409, "duplicate_code_on_device")
    guest = await api.make(device_id=front, name="Guest", code="345678")
    moved = await api.patch(guest["id"], code="567891")
    assert (moved.status_code, moved.json()["code"]) == (409, "duplicate_code_on_device")
    generated = [(await api.make(device_id=front, name=f"Guest {n}"))["code"] for n in range(5)]
    assert "567891" not in generated


async def test_convert_to_managed_makes_the_gateway_keep_the_code(world: World) -> None:
    api, front = world.api, world.door(FRONT)
    found = await found_unmanaged(world, FRONT, "Cleaner", "567891")
    answer = await api.client.post(f"/v1/access_codes/{found['id']}/convert_to_managed", headers=api.headers)
    assert answer.status_code == 200, answer.text
    converted = answer.json()
    assert (converted["id"], converted["is_managed"], converted["name"], converted["code"]) == (
        found["id"],
        True,
        "Cleaner",
        "567891",
    )
    assert converted["is_external_modification_allowed"] is False
    assert await api.unmanaged(front) == []
    listed = await api.client.get("/v1/access_codes", params={"device_id": front}, headers=api.headers)
    assert [code["id"] for code in listed.json()["data"]] == [found["id"]]
    again = await api.client.post(f"/v1/access_codes/{found['id']}/convert_to_managed", headers=api.headers)
    assert (again.status_code, again.json()["is_managed"]) == (200, True)

    assert (await api.patch(found["id"], name="Cleaner Anna")).status_code == 200  # the API now reaches it
    await until(lambda: world.owner.codes(FRONT) == {"567891": "Cleaner Anna"})
    world.owner.edit(FRONT, "567891", code=678912)  # and a change in the app is undone
    await api.reconcile(front)
    await until(lambda: world.owner.codes(FRONT) == {"567891": "Cleaner Anna"})
    assert len(await api.events("access_code.modified_external_to_seam", code_id=found["id"])) == 1
    await api.until_code(found["id"], status="set", errors=[])
    assert (await api.drift(front, refresh=True))["items"] == []


async def test_a_common_code_key_puts_one_pin_on_several_doors_unless_taken(world: World) -> None:
    api = world.api
    front = await api.make(device_id=world.door(FRONT), name="Booking 7", common_code_key="booking-7")
    pin = front["code"]
    await found_unmanaged(world, BACK, "Neighbour", pin)
    refused = await api.client.post(
        "/v1/access_codes",
        json={"device_id": world.door(BACK), "common_code_key": "booking-7"},
        headers=api.headers,
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "code_not_shareable")
    assert "booking-7" in refused.json()["detail"]
    garden = await api.make(device_id=world.door(GARDEN), name="Booking 7", common_code_key="booking-7")
    assert (garden["code"], garden["common_code_key"]) == (pin, "booking-7")

    await api.until_code(front["id"], status="set")
    await until(lambda: world.owner.codes(GARDEN) == {pin: "Booking 7"})  # Nuki holds it until the gate is online
    assert world.owner.codes(FRONT) == {pin: "Booking 7"}
    assert world.owner.codes(BACK) == {pin: "Neighbour"}
    assert world.sim.keypad_entry(lock_id(world.sim, FRONT), pin) is True
