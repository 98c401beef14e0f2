"""The Matter lock actions on the simulated Home Assistant (2026.6): users and PIN credentials in slots, PINs that are
written but never read back, the keypad that opens for them, and the refusals (HTTP 400 with a message).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from providers.home_assistant.simulator import HomeAssistantSimulator
from tests.providers.home_assistant.simulator_support import (
    BASE_URL,
    FRONT,
    MATTER,
    ZWAVE,
    Clock,
    clock_fixture,  # noqa: F401
    http_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
    token_fixture,  # noqa: F401
)


async def act(http: httpx.AsyncClient, service: str, entity_id: str = MATTER, **data: Any) -> httpx.Response:
    return await http.post(f"/api/services/matter/{service}?return_response", json={"entity_id": entity_id, **data})


async def answer(http: httpx.AsyncClient, service: str, **data: Any) -> Any:
    response = await act(http, service, **data)
    assert response.status_code == 200, response.text
    return response.json()["service_response"][MATTER]


async def refusal(http: httpx.AsyncClient, service: str, **data: Any) -> str:
    response = await act(http, service, **data)
    assert response.status_code == 400, response.text
    return str(response.json()["message"])


async def set_pin(http: httpx.AsyncClient, pin: str, **data: Any) -> dict[str, Any]:
    result: dict[str, Any] = await answer(
        http, "set_lock_credential", credential_type="pin", credential_data=pin, **data
    )
    return result


async def test_lock_info(http: httpx.AsyncClient):
    assert await answer(http, "get_lock_info") == {
        "supports_user_management": True,
        "supported_credential_types": ["pin"],
        "max_users": 10,
        "max_pin_users": 10,
        "max_rfid_users": None,
        "max_credentials_per_user": 5,
        "min_pin_length": 4,
        "max_pin_length": 8,
        "min_rfid_length": None,
        "max_rfid_length": None,
    }


async def test_a_new_pin_makes_a_user_and_is_never_shown(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    assert await set_pin(http, "135790") == {"credential_index": 1, "user_index": 1, "next_credential_index": 2}
    assert await set_pin(http, "246802") == {"credential_index": 2, "user_index": 2, "next_credential_index": 3}
    users = await answer(http, "get_lock_users")
    assert (users["total_users"], users["max_users"]) == (2, 10)
    assert users["users"][0] == {
        "user_index": 1,
        "user_name": "",
        "user_unique_id": None,
        "user_status": "occupied_enabled",
        "user_type": "unrestricted_user",
        "credential_rule": "single",
        "credentials": [{"type": "pin", "index": 1}],
        "next_user_index": 2,
    }
    assert users["users"][1]["next_user_index"] is None
    seen = (await act(http, "get_lock_users")).text + (await http.get("/api/states")).text
    assert "135790" not in seen and "246802" not in seen
    assert sim.pins(MATTER) == {1: "135790", 2: "246802"}


async def test_an_occupied_slot_is_modified(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    await set_pin(http, "135790")
    assert await set_pin(http, "975310", credential_index=1) == {
        "credential_index": 1,
        "user_index": None,  # no user was created by this call
        "next_credential_index": 2,
    }
    assert sim.pins(MATTER) == {1: "975310"}
    assert sim.would_open(MATTER, "975310") and not sim.would_open(MATTER, "135790")


async def test_a_pin_for_a_named_user(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    user = await answer(http, "set_lock_user", user_name="Guest 7", user_type="disposable_user")
    created = await set_pin(http, "8642", user_index=user["user_index"], credential_index=5)
    assert created == {"credential_index": 5, "user_index": None, "next_credential_index": 6}
    listed = (await answer(http, "get_lock_users"))["users"]
    assert [(u["user_name"], u["user_type"], u["credentials"]) for u in listed] == [
        ("Guest 7", "disposable_user", [{"type": "pin", "index": 5}])
    ]
    assert sim.pins(MATTER) == {1: "8642"}


async def test_a_pin_already_on_the_lock_is_a_duplicate(http: httpx.AsyncClient):
    await set_pin(http, "135790")
    assert "duplicate" in await refusal(http, "set_lock_credential", credential_type="pin", credential_data="135790")


@pytest.mark.parametrize(("pin", "reason"), [("123", "PIN length must be between 4 and 8"), ("12a4", "only digits")])
async def test_a_pin_the_lock_cannot_take_is_refused(http: httpx.AsyncClient, pin: str, reason: str):
    assert reason in await refusal(http, "set_lock_credential", credential_type="pin", credential_data=pin)


async def test_credential_types_other_than_pin_are_refused(http: httpx.AsyncClient):
    message = await refusal(http, "set_lock_credential", credential_type="rfid", credential_data="a1b2c3d4")
    assert "does not support rfid" in message


async def test_a_full_lock_has_no_slot(clock: Clock):
    sim = HomeAssistantSimulator(clock=clock)
    sim.add_lock(MATTER, name="Small", matter=True, max_pin_users=2)
    headers = {"Authorization": f"Bearer {sim.add_token()}"}
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, headers=headers) as http:
        for pin in ("1111", "2222"):
            await set_pin(http, pin)
        assert "No available credential slots" in await refusal(
            http, "set_lock_credential", credential_type="pin", credential_data="3333"
        )
        assert "No available user slots" in await refusal(http, "set_lock_user", user_name="Third")
        assert "is empty" in await refusal(http, "set_lock_user", user_index=9, user_name="Nobody")


async def test_clearing_a_user_clears_its_pins(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    for pin in ("1111", "2222", "3333"):
        await set_pin(http, pin)
    cleared = await http.post("/api/services/matter/clear_lock_user", json={"entity_id": MATTER, "user_index": 2})
    assert (cleared.status_code, cleared.json()) == (200, [])
    assert sim.pins(MATTER) == {1: "1111", 3: "3333"}
    await http.post("/api/services/matter/clear_lock_user", json={"entity_id": MATTER, "user_index": 65534})
    assert sim.pins(MATTER) == {} and (await answer(http, "get_lock_users"))["users"] == []


async def test_clearing_a_users_last_pin_clears_the_user(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    await set_pin(http, "1111")
    status = await answer(http, "get_lock_credential_status", credential_type="pin", credential_index=1)
    assert status == {"credential_exists": True, "user_index": 1, "next_credential_index": None}
    data = {"entity_id": MATTER, "credential_type": "pin", "credential_index": 1}
    assert (await http.post("/api/services/matter/clear_lock_credential", json=data)).json() == []
    status = await answer(http, "get_lock_credential_status", credential_type="pin", credential_index=1)
    assert status == {"credential_exists": False, "user_index": None, "next_credential_index": None}
    assert (await answer(http, "get_lock_users"))["total_users"] == 0


async def test_only_matter_locks_take_matter_actions(http: httpx.AsyncClient):
    for entity_id in (FRONT, ZWAVE):
        refused = await act(http, "get_lock_users", entity_id)
        assert refused.status_code == 400
        assert refused.json() == {"message": f"Entity {entity_id} does not support action matter.get_lock_users."}


@pytest.mark.parametrize(
    "data",
    [
        {"credential_type": "pin"},
        {"credential_type": "pin", "credential_data": "1234", "user_index": 0},
        {"credential_type": "key", "credential_data": "1234"},
        {"credential_type": "pin", "credential_data": "1234", "user_name": "x"},
    ],
)
async def test_data_failing_the_action_schema_is_a_bad_request(http: httpx.AsyncClient, data: dict[str, Any]):
    refused = await act(http, "set_lock_credential", **data)
    assert (refused.status_code, refused.text) == (400, "400: Bad Request")


async def test_an_unavailable_matter_lock_answers_nothing(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    sim.set_available(MATTER, False)
    assert (await act(http, "get_lock_users")).status_code == 500  # the call matched no entity


async def test_the_keypad_opens_for_enabled_users_only(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    await set_pin(http, "1357")
    assert not sim.keypad_entry(MATTER, "0000") and sim.states[MATTER].state == "locked"
    assert sim.keypad_entry(MATTER, "1357")
    assert (sim.states[MATTER].state, sim.states[MATTER].attributes["changed_by"]) == ("unlocked", "Keypad")
    await answer(http, "set_lock_user", user_index=1, user_status="occupied_disabled")
    assert not sim.would_open(MATTER, "1357") and not sim.keypad_entry(MATTER, "1357")
    assert not sim.keypad_entry(FRONT, "1357")  # no PINs on a lock without Matter user management


async def test_without_matter_actions_there_is_no_matter_domain(clock: Clock):
    sim = HomeAssistantSimulator(clock=clock, version="2025.1.0", matter_actions=False)
    sim.add_lock(MATTER, name="Matter Door", matter=True)
    headers = {"Authorization": f"Bearer {sim.add_token()}"}
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, headers=headers) as http:
        refused = await act(http, "get_lock_users")
        config = (await http.get("/api/config")).json()
    assert (refused.status_code, refused.text) == (400, "400: Bad Request")
    assert "matter" in config["components"]  # the integration is there, its lock actions are not
