"""The sandbox's `/app` routes on the simulated Home Assistant: the locks with their users, a PIN at the keypad, a lock
turned by hand and a lock dropping off the network, each seen through Home Assistant's API as a change of its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from providers.home_assistant.simulator import HomeAssistantSimulator
from tests.providers.home_assistant.simulator_support import BASE_URL, DELAY, FRONT, MATTER, Clock, seed


@pytest.fixture(name="sandbox")
async def sandbox_fixture() -> AsyncIterator[tuple[HomeAssistantSimulator, httpx.AsyncClient]]:
    sim = HomeAssistantSimulator(clock=Clock(), action_delay=DELAY, sandbox=True, seed=11)
    token = seed(sim)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, headers=headers) as http:
        yield sim, http
    sim.close()


async def add_pin(http: httpx.AsyncClient, pin: str, name: str) -> None:
    user = await http.post(
        "/api/services/matter/set_lock_user?return_response", json={"entity_id": MATTER, "user_name": name}
    )
    user_index = user.json()["service_response"][MATTER]["user_index"]
    data = {"entity_id": MATTER, "credential_type": "pin", "credential_data": pin, "user_index": user_index}
    assert (await http.post("/api/services/matter/set_lock_credential?return_response", json=data)).status_code == 200


async def test_the_app_is_served_in_sandbox_mode_only():
    sim = HomeAssistantSimulator(clock=Clock())
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL) as http:
        assert (await http.get("/app/locks")).status_code == 404


async def test_locks_are_listed_with_their_users_but_no_pins(sandbox: tuple[HomeAssistantSimulator, httpx.AsyncClient]):
    sim, http = sandbox
    await add_pin(http, "2468", "Cleaner")
    listed = (await http.get("/app/locks", headers={"Authorization": ""})).json()  # no login
    assert [lock["entity_id"] for lock in listed] == list(sim.locks)
    matter = next(lock for lock in listed if lock["entity_id"] == MATTER)
    assert matter == {
        "entity_id": MATTER,
        "name": "Matter Door",
        "state": "locked",
        "matter": True,
        "users": [{"user_index": 1, "user_name": "Cleaner", "user_status": "occupied_enabled", "pins": 1}],
    }
    assert "2468" not in str(listed)


async def test_a_pin_at_the_keypad(sandbox: tuple[HomeAssistantSimulator, httpx.AsyncClient]):
    _, http = sandbox
    await add_pin(http, "2468", "Cleaner")
    wrong = await http.post(f"/app/locks/{MATTER}/keypad", json={"code": "1111"})
    assert wrong.json() == {"opened": False, "state": "locked"}
    right = await http.post(f"/app/locks/{MATTER}/keypad", json={"code": "2468"})
    assert right.json() == {"opened": True, "state": "unlocked"}
    state = (await http.get(f"/api/states/{MATTER}")).json()
    assert (state["state"], state["attributes"]["changed_by"], state["context"]["user_id"]) == (
        "unlocked",
        "Keypad",
        None,
    )


async def test_a_lock_turned_by_hand(sandbox: tuple[HomeAssistantSimulator, httpx.AsyncClient]):
    _, http = sandbox
    turned = await http.post(f"/app/locks/{FRONT}/turn", json={"state": "unlocked"})
    assert turned.json() == {"state": "unlocked"}
    assert (await http.get(f"/api/states/{FRONT}")).json()["state"] == "unlocked"
    assert (await http.post(f"/app/locks/{FRONT}/turn", json={"state": "jammed"})).status_code == 400
    assert (await http.post("/app/locks/lock.nowhere/turn", json={"state": "locked"})).status_code == 404
    assert (await http.post(f"/app/locks/{FRONT}/turn", content=b"{")).status_code == 400


async def test_a_lock_dropping_off_the_network(sandbox: tuple[HomeAssistantSimulator, httpx.AsyncClient]):
    _, http = sandbox
    assert (await http.post(f"/app/locks/{FRONT}/available", json={"available": False})).json() == {"available": False}
    assert (await http.get(f"/api/states/{FRONT}")).json()["state"] == "unavailable"
    assert (
        next(lock for lock in (await http.get("/app/locks")).json() if lock["entity_id"] == FRONT)["state"]
        == "unavailable"
    )
    await http.post(f"/app/locks/{FRONT}/available", json={"available": True})
    assert (await http.get(f"/api/states/{FRONT}")).json()["state"] == "locked"
