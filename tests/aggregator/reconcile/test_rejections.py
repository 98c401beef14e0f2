"""A permanent refusal by the vendor, through the REST API on the sandbox: the lock is full, or its PIN is taken by a
code added in the Nuki app. The refusal becomes an error on the code with Nuki's own message and an
`access_code.failed_to_set_on_device` event, is not sent again in a loop (vendor calls counted), shows in drift as
`failed` with that message; a PATCH that fixes it clears the error and the code reaches the lock.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from providers.nuki import client as nuki_client
from providers.nuki import simulator_state
from providers.nuki.client import NukiClient
from tests.aggregator.reconcile.world import Json, Worker, World
from tests.sandbox import until

pytestmark = pytest.mark.sandbox
FRONT = "Front door"
CAPACITY = 2
"""Keypad codes the front door holds in these tests (a Smart Lock 3.0 holds 200)."""


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Keypad-code writes the gateway sends to Nuki, by kind (`create`, `update`)."""
    sent: Counter[str] = Counter()
    for kind in ("create", "update"):
        real = getattr(NukiClient, f"{kind}_auth")

        async def counted(self: NukiClient, *args: Any, _kind: str = kind, _real: Any = real) -> None:
            sent[_kind] += 1
            await _real(self, *args)

        monkeypatch.setattr(NukiClient, f"{kind}_auth", counted)
    return sent


async def refused(world: World, code_id: str) -> Json:
    """Wait until the vendor's refusal is on the code; the code then."""

    async def has_error() -> bool:
        return bool((await world.api.code(code_id) or {}).get("errors"))

    await until(has_error)
    return await world.api.code(code_id) or {}


async def not_sent_again(world: World, worker: Worker, writes: Counter[str]) -> None:
    """Reconciles asked for and follow-ups waited for: no write of the refused code reaches Nuki again."""
    before = Counter(writes)
    for _ in range(2):
        await worker.reconciled(world.api, world.door(FRONT))
    await asyncio.sleep(1.5)  # longer than any follow-up the refusal could have scheduled
    assert writes == before


@pytest.mark.parametrize("error_code", ["code_constraint_violated", "no_space_for_access_code_on_device"])
async def test_a_full_lock_refuses_a_code_once_and_a_fix_brings_it_on(
    world: World, worker: Worker, writes: Counter[str], monkeypatch: pytest.MonkeyPatch, error_code: str
) -> None:
    """Nuki answers HTTP 409 to a full lock (`code_constraint_violated`); an adapter that can tell a full lock
    apart says `no_space_for_access_code_on_device` (here: Nuki's 409 read so), and is treated the same way.
    """
    monkeypatch.setattr(simulator_state.Lock, "capacity", property(lambda lock: CAPACITY))
    monkeypatch.setitem(nuki_client._REJECTIONS, 409, error_code)
    api, front = world.api, world.door(FRONT)
    await world.owner.add(FRONT, "Owner", "567891")
    await world.owner.add(FRONT, "Cleaner", "678912")
    guest = await api.make(device_id=front, name="Guest", code="345678")

    failed = await refused(world, guest["id"])
    [error] = failed["errors"]
    assert (failed["status"], error["error_code"]) == ("setting", error_code)
    assert f"The smartlock holds {CAPACITY} keypad codes already" in error["message"]
    [event] = await api.events("access_code.failed_to_set_on_device", code_id=guest["id"])
    assert event["data"] == {"error_code": error_code, "message": error["message"]}
    assert writes == Counter(create=1)
    await not_sent_again(world, worker, writes)

    drift = await api.drift(front, refresh=True)
    [item] = drift["items"]
    assert (item["reason"], item["access_code_id"], item["name"]) == ("failed", guest["id"], "Guest")
    assert item["message"] == f"{error_code}: {error['message']}"
    assert [lock["device_id"] for lock in (await api.drifting())["data"]] == [front]

    await world.owner.delete(FRONT, "678912")  # a slot is free again; the code's next change is tried
    changed = await api.patch(guest["id"], name="Guest Smith")
    assert (changed.status_code, changed.json()["errors"]) == (200, [])
    await api.until_code(guest["id"], status="set", errors=[])
    assert world.owner.codes(FRONT) == {"567891": "Owner", "345678": "Guest Smith"}
    assert writes == Counter(create=2)
    assert (await api.until_in_sync(front))["items"] == []


async def test_a_pin_taken_in_the_app_is_refused_until_a_patch_picks_another(
    world: World, worker: Worker, writes: Counter[str]
) -> None:
    api, front = world.api, world.door(FRONT)
    guest = await api.make(device_id=front, name="Guest", code="345678")
    await api.until_code(guest["id"], status="set")
    await world.owner.add(FRONT, "Owner", "456789")  # not read by the gateway yet
    moved = await api.patch(guest["id"], code="456789")
    assert moved.status_code == 200, moved.text

    failed = await refused(world, guest["id"])
    [error] = failed["errors"]
    assert (failed["status"], error["error_code"]) == ("set", "code_constraint_violated")
    assert "The code is already used on this smartlock" in error["message"]
    assert [mutation["mutation_code"] for mutation in failed["pending_mutations"]] == ["updating_code"]
    assert world.owner.codes(FRONT) == {"345678": "Guest", "456789": "Owner"}  # the old PIN still works
    assert writes == Counter(create=1, update=1)
    await not_sent_again(world, worker, writes)
    [item] = (await api.drift(front))["items"]
    assert (item["reason"], item["message"]) == ("failed", f"code_constraint_violated: {error['message']}")

    fixed = await api.patch(guest["id"], code="567891")
    assert (fixed.status_code, fixed.json()["errors"]) == (200, [])
    await until(lambda: world.owner.codes(FRONT) == {"567891": "Guest", "456789": "Owner"})
    await api.until_code(guest["id"], status="set", errors=[], pending_mutations=[])
    assert writes == Counter(create=1, update=2)
    assert [code["code"] for code in await api.unmanaged(front)] == ["456789"]
