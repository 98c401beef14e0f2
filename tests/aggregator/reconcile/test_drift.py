"""Drift for support staff, through the REST API on the sandbox, with the reconcile worker held back so that the
drift stays: `GET /v1/devices/{id}/drift` as last read and `?refresh=true` (read now) name every reason a person can
act on (missing, unexpected, differs, expired but present, waiting for the lock to be online, failed with the
vendor's message); `GET /v1/drift` lists the locks out of sync, the longest drifting first, page by page;
`POST /v1/devices/{id}/reconcile` puts the locks right.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.aggregator.reconcile.world import Json, Worker, World, later
from tests.sandbox import lock_id, until

pytestmark = pytest.mark.sandbox
FRONT, BACK, GARDEN = "Front door", "Back door", "Garden gate"
DRIFT_FIELDS = {"device_id", "device_name", "connected_account_id", "in_sync", "drift_since", "observed_at", "items"}
ITEM_FIELDS = {"reason", "message", "access_code_id", "provider_code_id", "name"}


async def set_code(world: World, door: str, **body: Any) -> Json:
    made = await world.api.make(device_id=world.door(door), **body)
    return await world.api.until_code(made["id"], status="set")


def reasons(drift: Json) -> dict[str | None, str]:
    """Each item's reason by access code id (None: about the lock)."""
    assert set(drift) == DRIFT_FIELDS
    assert all(set(item) == ITEM_FIELDS for item in drift["items"])
    return {item["access_code_id"]: item["reason"] for item in drift["items"]}


def message(drift: Json, code_id: str | None) -> str:
    return str(next(item["message"] for item in drift["items"] if item["access_code_id"] == code_id))


async def drift_everywhere(world: World, worker: Worker) -> dict[str, str]:
    """Codes that reached the front door, then (the worker held back) changed every way a lock can drift."""
    api, front = world.api, world.door(FRONT)
    codes = {
        "kept": await set_code(world, FRONT, name="Kept", code="345678"),
        "renamed": await set_code(world, FRONT, name="Renamed", code="456789"),
        "leaving": await set_code(world, FRONT, name="Leaving", code="567891"),
    }
    ends_at = later(seconds=2.5)
    codes["ending"] = await set_code(world, FRONT, name="Ending", code="678912", ends_at=ends_at)
    await api.until_in_sync(front)
    worker.paused = True
    codes["new"] = await api.make(device_id=front, name="New", code="789123")
    assert (await api.patch(codes["renamed"]["id"], name="Renamed again")).status_code == 200
    assert (await api.client.delete(f"/v1/access_codes/{codes['leaving']['id']}", headers=api.headers)).is_success
    await world.owner.delete(FRONT, "345678")
    await asyncio.sleep(max((ends_at - datetime.now(UTC)).total_seconds() + 0.1, 0))
    return {name: str(code["id"]) for name, code in codes.items()}


async def test_each_reason_is_named_as_last_read_and_as_read_now(world: World, worker: Worker) -> None:
    api, front = world.api, world.door(FRONT)
    ids = await drift_everywhere(world, worker)
    stored = await api.drift(front)
    expected = {
        ids["new"]: "missing_on_device",
        ids["renamed"]: "differs",
        ids["leaving"]: "unexpected_on_device",
        ids["ending"]: "expired_but_present",
    }
    assert reasons(stored) == expected  # as last read: the code deleted in the app was still there
    assert (stored["in_sync"], stored["device_name"], stored["device_id"]) == (False, FRONT, front)
    assert message(stored, ids["renamed"]) == "'Renamed again' differs on the lock (name); the gateway corrects it."
    assert message(stored, ids["leaving"]) == "'Leaving' was deleted but is still on the lock; the gateway removes it."
    assert message(stored, ids["ending"]) == "'Ending' has ended but is still on the lock; the gateway removes it."
    assert message(stored, ids["new"]) == "'New' should be on the lock and is not; the gateway adds it."

    now = await api.drift(front, refresh=True)
    assert reasons(now) == expected | {ids["kept"]: "missing_on_device"}
    assert message(now, ids["kept"]) == (
        "'Kept' was removed outside the gateway (in the vendor's app?); the gateway puts it back."
    )
    assert datetime.fromisoformat(now["observed_at"]) > datetime.fromisoformat(stored["observed_at"])
    assert now["drift_since"] is not None and (await api.drift(front))["items"] == now["items"]

    worker.paused = False
    answer = await api.reconcile(front)
    assert (set(answer), answer["in_sync"]) == (DRIFT_FIELDS, False)
    wanted = {"345678": "Kept", "456789": "Renamed again", "789123": "New"}
    await until(lambda: world.owner.codes(FRONT) == wanted)
    restored = await api.until_in_sync(front)
    assert (restored["items"], restored["drift_since"]) == ([], None)
    assert (await api.drift(front, refresh=True))["in_sync"] is True


async def test_an_offline_lock_says_changes_wait_for_it(world: World) -> None:
    api, gate = world.api, world.door(GARDEN)
    assert world.doors[GARDEN]["properties"]["online"] is False
    code = await api.make(device_id=gate, name="Gate guest", code="345678")
    await until(lambda: world.owner.codes(GARDEN) == {"345678": "Gate guest"})  # Nuki has it, the lock not yet

    async def waiting() -> bool:
        return bool((await api.drift(gate))["items"])

    await until(waiting)
    drift = await api.drift(gate)
    [lock_item, code_item] = drift["items"]
    assert (lock_item["reason"], lock_item["access_code_id"]) == ("waiting_for_device_online", None)
    assert lock_item["message"] == "The lock is offline: changes reach it when it is back online."
    assert (code_item["reason"], code_item["access_code_id"]) == ("waiting_for_device_online", code["id"])
    assert code_item["message"] == "The vendor has 'Gate guest' but the lock has not taken it yet."
    assert (await api.code(code["id"]) or {})["status"] == "setting"

    world.sim.set_online(lock_id(world.sim, GARDEN), True)
    await api.until_code(code["id"], status="set")
    assert (await api.until_in_sync(gate))["items"] == []
    assert world.sim.keypad_entry(lock_id(world.sim, GARDEN), "345678") is True


async def test_a_vendor_outage_shows_as_a_failed_reconcile_with_its_message(world: World) -> None:
    api, front = world.api, world.door(FRONT)
    world.sim.failure_rate = 1.0
    code = await api.make(device_id=front, name="Guest", code="345678")

    async def stopped() -> bool:
        return any(item["reason"] == "failed" for item in (await api.drift(front))["items"])

    await until(stopped)
    drift = await api.drift(front)
    assert reasons(drift) == {None: "failed", code["id"]: "missing_on_device"}
    assert message(drift, None).startswith("The last reconcile stopped: ")
    assert "503" in message(drift, None)
    assert [lock["device_id"] for lock in (await api.drifting())["data"]] == [front]
    refresh = await api.client.get(f"/v1/devices/{front}/drift?refresh=true", headers=api.headers)
    assert (refresh.status_code, refresh.json()["code"]) == (502, "provider_unavailable")

    world.sim.failure_rate = 0.0
    await api.reconcile(front)
    await api.until_code(code["id"], status="set")
    assert (await api.until_in_sync(front))["items"] == []
    assert (await api.drifting())["data"] == []


async def test_the_workspace_list_is_longest_drifting_first_page_by_page(world: World, worker: Worker) -> None:
    api = world.api
    worker.paused = True
    for door in (BACK, GARDEN, FRONT):  # each noticed in this order, moments apart
        await api.make(device_id=world.door(door), name=f"Guest at {door}", code="345678")
        assert (await api.drift(world.door(door), refresh=True))["in_sync"] is False
        await asyncio.sleep(0.01)
    whole = await api.drifting()
    assert [lock["device_name"] for lock in whole["data"]] == [BACK, GARDEN, FRONT]
    assert whole["next_cursor"] is None
    since = [datetime.fromisoformat(lock["drift_since"]) for lock in whole["data"]]
    assert since == sorted(since)

    first = await api.drifting(limit=2)
    assert [lock["device_name"] for lock in first["data"]] == [BACK, GARDEN]
    rest = await api.drifting(limit=2, cursor=first["next_cursor"])
    assert ([lock["device_name"] for lock in rest["data"]], rest["next_cursor"]) == ([FRONT], None)

    worker.paused = False
    world.sim.set_online(lock_id(world.sim, GARDEN), True)
    for door in (BACK, GARDEN, FRONT):
        await api.reconcile(world.door(door))
    for door in (BACK, GARDEN, FRONT):
        await api.until_in_sync(world.door(door))
    assert await api.drifting() == {"data": [], "next_cursor": None}


async def test_a_change_the_worker_has_not_carried_out_yet_is_drift_at_once(world: World, worker: Worker) -> None:
    api = world.api
    worker.paused = True  # no worker has got to the lock: the stored view of it is all there is
    before = datetime.now(UTC)
    made = await api.make(device_id=world.door(FRONT), name="Guest at dawn", code="345678")

    listed = (await api.drifting())["data"]
    assert [lock["device_name"] for lock in listed] == [FRONT]
    assert datetime.fromisoformat(listed[0]["drift_since"]) >= before.replace(microsecond=0)
    [item] = listed[0]["items"]
    assert (item["reason"], item["access_code_id"]) == ("missing_on_device", made["id"])

    worker.paused = False
    await api.reconcile(world.door(FRONT))
    await api.until_in_sync(world.door(FRONT))
    assert (await api.drifting())["data"] == []
