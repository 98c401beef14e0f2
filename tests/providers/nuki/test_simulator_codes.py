"""The Nuki simulator's keypad codes with Nuki's validation: create, list, update and delete, capacity, pending
changes and the 423 quirk, raw and through the adapter.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from providers.errors import ProviderRejected, ProviderUnavailable
from schemas.providers import AccessCodeSpec

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`nuki`, `sim`, ...)
from tests.providers.nuki.locks_support import (
    OBJECT_ID,
    START,
    World,
    clock_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
    world_fixture,  # noqa: F401
)

# -- keypad codes ---------------------------------------------------------------------------------------------

WINDOW = {
    "allowedFromDate": "2024-03-04T00:00:00.000Z",
    "allowedUntilDate": "2024-06-30T22:00:00Z",
    "allowedWeekDays": 126,
    "allowedFromTime": 600,
    "allowedUntilTime": 840,
}


async def test_create_answers_204_without_id_and_the_code_is_listed_at_once(world: World):
    answer = await world.create(world.front, name="Cleaner (Mon-Sat)", code=367913, **WINDOW)
    assert (answer.status_code, answer.content) == (204, b"")
    second = await world.create(world.front, name="Family", code=135792)
    assert second.status_code == 204
    first, other = await world.codes(world.front)
    assert OBJECT_ID.match(first["id"]) and first["operationId"] and other["operationId"]
    assert (first["authId"], other["authId"]) == (1, 2)
    assert (first["type"], first["code"], first["name"], first["enabled"]) == (13, 367913, "Cleaner (Mon-Sat)", True)
    assert {key: first[key] for key in WINDOW} == WINDOW  # stored and listed back as given
    await world.sim.settle()
    assert all("operationId" not in code for code in await world.codes(world.front))


async def test_the_adapter_finds_the_new_code_by_listing(world: World):
    device = await world.adapter.get_device(str(world.front))
    spec = AccessCodeSpec(name="Guest Anna", code="245796", starts_at=START, ends_at=START + timedelta(days=3))
    created = await world.adapter.create_access_code(device, spec)
    [listed] = await world.codes(world.front)
    assert created.provider_code_id == listed["id"] and created.is_pending is True
    assert (created.starts_at, created.ends_at) == (spec.starts_at, spec.ends_at)
    await world.sim.settle()
    [observed] = await world.adapter.list_access_codes(device)
    assert (observed.code, observed.is_pending) == ("245796", False)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"code": 34567}, 400),  # 5 digits
        ({"code": 3456789}, 400),  # 7 digits
        ({"code": 345670}, 400),  # contains 0
        ({"code": 123456}, 400),  # starts with 12
        ({"code": "345678"}, 400),  # not a number
        ({"code": 345678, "name": "x" * 33}, 400),  # name longer than 32
        ({"code": 345678, "name": ""}, 400),  # name required
        ({}, 400),  # a keypad code needs a code
        ({"code": 345678, "allowedWeekDays": 128}, 400),
        ({"code": 345678, "allowedFromTime": 1440}, 400),
        ({"code": 345678, "allowedFromDate": "tomorrow"}, 400),
        ({"code": 345678, "allowedUntilDate": "2024-03-05T10:00:00"}, 400),  # no offset
        ({"code": 245796}, 409),  # taken by another auth on the lock
    ],
)
async def test_codes_nuki_refuses(world: World, body: dict[str, Any], status: int):
    world.sim.external_add_code(world.front, "Existing", 245796)
    answer = await world.create(world.front, **({"name": "Guest"} | body))
    assert answer.status_code == status
    assert [code["code"] for code in await world.codes(world.front)] == [245796]


async def test_a_lock_without_keypad_takes_no_codes(world: World):
    answer = await world.create(world.cellar, name="Guest", code=345678)
    assert answer.status_code == 400 and await world.codes(world.cellar) == []


async def test_a_code_of_32_characters_is_fine_and_the_same_code_may_be_on_another_lock(world: World):
    other = world.sim.add_smartlock(world.account, name="Back door")
    world.sim.external_add_code(other, "Elsewhere", 345678)
    assert (await world.create(world.front, name="n" * 32, code=345678)).status_code == 204


@pytest.mark.parametrize(("lock_type", "capacity"), [(4, 200), (5, 200), (0, 100), (3, 100)])
async def test_a_full_lock_is_409(world: World, lock_type: int, capacity: int):
    lock_id = world.sim.add_smartlock(world.account, name="Busy", type=lock_type)
    codes = (code for code in range(311111, 999999) if "0" not in str(code))
    for _ in range(capacity - 1):
        world.sim.external_add_code(lock_id, "Guest", next(codes))
    assert (await world.create(lock_id, name="Last", code=next(codes))).status_code == 204
    assert (await world.create(lock_id, name="One too many", code=next(codes))).status_code == 409
    assert len(await world.codes(lock_id)) == capacity


async def test_update_changes_what_is_sent_and_keeps_the_rest(world: World):
    auth_id = world.sim.external_add_code(world.front, "Cleaner", 367913, **WINDOW)
    world.sim.external_add_code(world.front, "Family", 135792)
    path = f"/smartlock/{world.front}/auth/{auth_id}"
    renamed = await world.call("POST", path, json={"name": "Cleaner Maria", "code": 367914, "allowedFromTime": 480})
    [code] = [code for code in await world.codes(world.front) if code["id"] == auth_id]
    assert renamed.status_code == 204 and (code["name"], code["code"], code["allowedFromTime"]) == (
        "Cleaner Maria",
        367914,
        480,
    )
    assert code["allowedUntilTime"] == 840 and code["operationId"]
    assert (await world.call("POST", path, json={"code": 367915})).status_code == 400  # name is required
    assert (await world.call("POST", path, json={"name": "x", "code": 135792})).status_code == 409
    assert (await world.call("POST", path, json={"name": "x", "code": 120000})).status_code == 400
    unknown = await world.call("POST", f"/smartlock/{world.front}/auth/{'0' * 24}", json={"name": "x"})
    assert unknown.status_code == 404


async def test_an_update_clears_a_date_sent_as_null(world: World):
    """Nuki: "to remove an allowedUntilDate again you have to set it to null"; left out, a date stays."""
    auth_id = world.sim.external_add_code(world.front, "Cleaner", 367913, **WINDOW)
    path = f"/smartlock/{world.front}/auth/{auth_id}"
    cleared = await world.call("POST", path, json={"name": "Cleaner", "allowedUntilDate": None})
    [code] = [code for code in await world.codes(world.front) if code["id"] == auth_id]
    assert cleared.status_code == 204 and "allowedUntilDate" not in code
    assert code["allowedFromDate"] == WINDOW["allowedFromDate"] and code["allowedWeekDays"] == 126


async def test_delete_removes_the_code_and_a_second_delete_is_404(world: World):
    auth_id = world.sim.external_add_code(world.front, "Guest", 345678)
    path = f"/smartlock/{world.front}/auth/{auth_id}"
    assert (await world.call("DELETE", path)).status_code == 204
    assert await world.codes(world.front) == []
    assert (await world.call("DELETE", path)).status_code == 404


async def test_changes_to_an_offline_lock_stay_pending_until_it_is_back(world: World):
    world.sim.set_online(world.front, False)
    await world.create(world.front, name="Guest", code=345678)
    await world.sim.settle()
    [pending] = await world.codes(world.front)
    assert pending["operationId"]
    assert world.sim.keypad_entry(world.front, 345678) is False  # not on the lock yet
    world.sim.set_online(world.front, True)
    await world.sim.settle()
    [synced] = await world.codes(world.front)
    assert "operationId" not in synced and world.sim.keypad_entry(world.front, 345678) is True


async def test_busy_auths_answer_423_when_that_quirk_is_on(world: World):
    world.sim.refuse_busy_auths = True
    await world.create(world.front, name="Guest", code=345678)
    [code] = await world.codes(world.front)
    device = await world.adapter.get_device(str(world.front))
    with pytest.raises(ProviderUnavailable, match="423"):
        await world.adapter.delete_access_code(device, code["id"])
    await world.sim.settle()
    await world.adapter.delete_access_code(device, code["id"])
    assert await world.codes(world.front) == []


async def test_account_wide_listing_covers_every_lock_of_the_account_only(world: World):
    back = world.sim.add_smartlock(world.account, name="Back door")
    world.sim.external_add_code(world.front, "Front guest", 345678)
    world.sim.external_add_code(back, "Back guest", 345679)
    world.sim.external_add_code(world.foreign, "Stranger", 345677)
    listed = (await world.call("GET", "/smartlock/auth", params={"types": 13})).json()
    assert sorted(code["name"] for code in listed) == ["Back guest", "Front guest"]
    assert (await world.call("GET", "/smartlock/auth", params={"types": "0,2"})).json() == []
    assert (await world.call("GET", "/smartlock/auth", params={"types": "x"})).status_code == 400


async def test_codes_changed_in_the_nuki_app_show_up_through_the_adapter(world: World):
    device = await world.adapter.get_device(str(world.front))
    auth_id = world.sim.external_add_code(world.front, "Added in app", 579246)
    [observed] = await world.adapter.list_access_codes(device)
    assert (observed.provider_code_id, observed.code, observed.is_pending) == (auth_id, "579246", False)
    world.sim.external_delete_code(world.front, world.sim.auths[auth_id].auth_id)  # by numeric authId
    assert await world.adapter.list_access_codes(device) == []
    with pytest.raises(ValueError, match="start with 12"):
        world.sim.external_add_code(world.front, "Bad", 123456)


async def test_the_adapter_reports_nukis_409_as_a_rejection(world: World):
    world.sim.external_add_code(world.front, "Existing", 245796)
    device = await world.adapter.get_device(str(world.front))
    with pytest.raises(ProviderRejected) as refused:
        await world.adapter.create_access_code(device, AccessCodeSpec(name="Again", code="245796"))
    assert "409" in refused.value.message
