"""Codes changed or deleted outside the gateway (in the Nuki app), through the REST API on the sandbox: a managed code
is put back and the change reported (`conflicting_external_modification` until the lock holds the gateway's version
again, one `access_code.modified_external_to_seam` / `deleted_external_to_seam` event); a code that allows external
modification adopts the lock's version instead (warning `external_modification_in_effect`) and is never reverted.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from providers.nuki.client import NukiClient
from tests.aggregator.reconcile.world import Json, World, later
from tests.sandbox import lock_id, until

pytestmark = pytest.mark.sandbox
FRONT = "Front door"


async def set_code(world: World, **body: Any) -> Json:
    made = await world.api.make(device_id=world.door(FRONT), **body)
    return await world.api.until_code(made["id"], status="set")


def error_codes(code: Json) -> list[str]:
    return [issue["error_code"] for issue in code["errors"]]


async def test_a_pin_changed_in_the_app_is_put_back_and_reported(world: World) -> None:
    api, front = world.api, world.door(FRONT)
    code = await set_code(world, name="Guest Smith", code="345678")
    world.sim.set_online(lock_id(world.sim, FRONT), False)  # the correction waits at Nuki: the error stays visible
    world.owner.edit(FRONT, "345678", code=456789)
    await api.reconcile(front)

    await until(lambda: world.owner.codes(FRONT) == {"345678": "Guest Smith"})
    conflicted = await api.until_code(code["id"], status="setting")
    assert error_codes(conflicted) == ["conflicting_external_modification"]
    assert "modified outside the gateway" in conflicted["errors"][0]["message"]
    [event] = await api.events("access_code.modified_external_to_seam", code_id=code["id"])
    assert event["data"] == {"change_type": "modified", "fields": ["code"]}

    world.sim.set_online(lock_id(world.sim, FRONT), True)
    restored = await api.until_code(code["id"], status="set", errors=[])
    assert restored["code"] == "345678"
    assert world.sim.keypad_entry(lock_id(world.sim, FRONT), "345678") is True
    assert len(await api.events("access_code.modified_external_to_seam", code_id=code["id"])) == 1
    stored = await api.until_in_sync(front)
    assert (stored["drift_since"], stored["items"]) == (None, [])
    assert (await api.drifting())["data"] == []  # once restored, the lock is no longer listed as drifting


async def test_a_name_and_window_changed_in_the_app_are_put_back(world: World) -> None:
    api = world.api
    end = later(days=3).replace(microsecond=0)
    code = await set_code(world, name="Guest Jones", code="456789", ends_at=end)
    auth = world.sim.auths[world.owner.auth_of(FRONT, "456789")]
    window = {**auth.window, "allowedUntilDate": (end + timedelta(days=7)).isoformat()}
    world.owner.edit(FRONT, "456789", name="Owner's friend", window=window)
    await api.reconcile(world.door(FRONT))

    await until(lambda: world.sim.auths[auth.id].name == "Guest Jones")
    await until(lambda: world.sim.auths[auth.id].window.get("allowedUntilDate") != window["allowedUntilDate"])
    restored = await api.until_code(code["id"], status="set", errors=[])
    assert restored["name"] == "Guest Jones"
    [event] = await api.events("access_code.modified_external_to_seam", code_id=code["id"])
    assert event["data"] == {"change_type": "modified", "fields": ["name", "time_frame"]}


async def test_a_code_deleted_in_the_app_is_put_back_and_reported(world: World) -> None:
    api, front = world.api, world.door(FRONT)
    code = await set_code(world, name="Guest Smith", code="345678")
    await world.owner.delete(FRONT, "345678")
    assert world.owner.codes(FRONT) == {}
    await api.reconcile(front)

    await until(lambda: world.owner.codes(FRONT) == {"345678": "Guest Smith"})
    restored = await api.until_code(code["id"], status="set", errors=[])
    assert restored["code"] == "345678"
    [event] = await api.events("access_code.deleted_external_to_seam", code_id=code["id"])
    assert event["data"] == {"change_type": "removed", "fields": []}
    assert await api.events("access_code.modified_external_to_seam", code_id=code["id"]) == []
    drift = await api.drift(front, refresh=True)
    assert (drift["in_sync"], drift["items"]) == (True, [])


async def test_a_code_allowing_external_changes_adopts_them_and_never_reverts(world: World) -> None:
    api, front = world.api, world.door(FRONT)
    code = await set_code(world, name="Cleaner", code="345678", allow_external_modification=True)
    assert code["is_external_modification_allowed"] is True
    world.owner.edit(FRONT, "345678", code=567891, name="Cleaner (new PIN)")
    await api.reconcile(front)

    adopted = await api.until_code(code["id"], code="567891")
    assert (adopted["name"], adopted["status"], adopted["errors"]) == ("Cleaner (new PIN)", "set", [])
    assert [issue["error_code"] for issue in adopted["warnings"]] == ["external_modification_in_effect"]
    [event] = await api.events("access_code.modified_external_to_seam", code_id=code["id"])
    assert event["data"] == {"change_type": "modified", "fields": ["code", "name"]}
    for _ in range(2):  # later runs keep the lock's version
        await api.reconcile(front)
        drift = await api.drift(front, refresh=True)
        assert (drift["in_sync"], drift["items"]) == (True, [])
    assert world.owner.codes(FRONT) == {"567891": "Cleaner (new PIN)"}

    changed = await api.patch(code["id"], name="Cleaner Mo")  # the API still reaches the lock
    assert changed.status_code == 200, changed.text
    await until(lambda: world.owner.codes(FRONT) == {"567891": "Cleaner Mo"})
    assert len(await api.events("access_code.modified_external_to_seam", code_id=code["id"])) == 1


async def test_a_code_allowing_external_changes_deleted_in_the_app_is_gone(world: World) -> None:
    api = world.api
    code = await set_code(world, name="Cleaner", code="345678", allow_external_modification=True)
    await world.owner.delete(FRONT, "345678")
    await api.reconcile(world.door(FRONT))

    async def gone() -> bool:
        return await api.code(code["id"]) is None

    await until(gone)
    assert world.owner.codes(FRONT) == {}
    [event] = await api.events("access_code.deleted_external_to_seam", code_id=code["id"])
    assert event["data"] == {"change_type": "removed", "fields": []}


async def test_a_reconcile_asked_for_during_a_run_reads_the_lock_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run is busy when the owner changes a code in the app and someone (or Nuki's webhook) asks for a reconcile:
    the run goes on once more for it, and must read the lock again rather than reuse what it read before.
    """
    api, front = world.api, world.door(FRONT)
    code = await set_code(world, name="Guest Smith", code="345678")
    leaving = await set_code(world, name="Leaving", code="567891")
    busy, go_on = asyncio.Event(), asyncio.Event()
    real_delete = NukiClient.delete_auth

    async def slow_delete(client: NukiClient, *args: Any) -> None:
        busy.set()
        await go_on.wait()
        await real_delete(client, *args)

    monkeypatch.setattr(NukiClient, "delete_auth", slow_delete)
    await api.client.delete(f"/v1/access_codes/{leaving['id']}", headers=api.headers)  # a run reads, then waits
    await asyncio.wait_for(busy.wait(), 5)
    world.owner.edit(FRONT, "345678", code=456789)
    await api.reconcile(front)  # the run in progress is to go on once more
    go_on.set()

    await until(lambda: world.owner.codes(FRONT) == {"345678": "Guest Smith"})
    [event] = await api.events("access_code.modified_external_to_seam", code_id=code["id"])
    assert event["data"] == {"change_type": "modified", "fields": ["code"]}
