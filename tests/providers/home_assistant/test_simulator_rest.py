"""The simulated Home Assistant's REST API as a current (2026.6) Home Assistant answers: reads, token checks, the
service list with the Matter actions, `?return_response` rules, and the error shapes.
"""

from __future__ import annotations

import httpx
import pytest

from providers.home_assistant.simulator import HomeAssistantSimulator
from providers.home_assistant.simulator_rest import NEEDS_RESPONSE, NO_RESPONSE
from tests.providers.home_assistant.simulator_support import (
    BASE_URL,
    FRONT,
    KITCHEN,
    MATTER,
    ZWAVE,
    clock_fixture,  # noqa: F401
    http_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
    token_fixture,  # noqa: F401
)

MATTER_SERVICES = [
    "get_lock_info",
    "get_lock_users",
    "set_lock_user",
    "clear_lock_user",
    "set_lock_credential",
    "clear_lock_credential",
    "get_lock_credential_status",
]


async def test_reads_answer_with_the_instance_and_its_states(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    assert (await http.get("/api/")).json() == {"message": "API running."}
    config = (await http.get("/api/config")).json()
    assert (config["version"], config["time_zone"], config["state"]) == ("2026.6.0", "Europe/Berlin", "RUNNING")
    assert {"lock", "matter", "matter.lock", "zwave_js", "zwave_js.lock", "history"} <= set(config["components"])
    states = (await http.get("/api/states")).json()
    assert [state["entity_id"] for state in states] == list(sim.locks)
    front = (await http.get(f"/api/states/{FRONT}")).json()
    assert list(front) == [
        "entity_id",
        "state",
        "attributes",
        "last_changed",
        "last_reported",
        "last_updated",
        "context",
    ]
    assert front["attributes"] == {"friendly_name": "Front Door", "supported_features": 0}
    assert front["context"]["user_id"] is None  # written by the integration at start-up


async def test_time_zone_and_version_are_configurable(clock):
    sim = HomeAssistantSimulator(clock=clock, version="2024.3.3", time_zone="America/New_York", matter_actions=False)
    token = sim.add_token()
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL) as http:
        config = (await http.get("/api/config", headers={"Authorization": f"Bearer {token}"})).json()
        services = (await http.get("/api/services", headers={"Authorization": f"Bearer {token}"})).json()
    assert (config["version"], config["time_zone"]) == ("2024.3.3", "America/New_York")
    assert "matter" not in config["components"]
    assert [domain["domain"] for domain in services] == ["lock"]


@pytest.mark.parametrize("path", ["/api/", "/api/config", "/api/states", f"/api/states/{FRONT}", "/api/services"])
async def test_every_api_route_wants_a_valid_token(http: httpx.AsyncClient, path: str):
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer not-a-valid-token"}, {"Authorization": "Basic x"}):
        refused = await http.get(path, headers=headers)
        assert (refused.status_code, refused.text) == (401, "401: Unauthorized")
        assert refused.headers["content-type"] == "text/plain; charset=utf-8"


async def test_tokens_look_like_home_assistants_long_lived_tokens(sim: HomeAssistantSimulator, token: str):
    assert token.startswith("eyJ") and token.count(".") == 2
    assert sim.add_token("my-own-token") == "my-own-token" and sim.user_for("my-own-token") == sim.owner_id


async def test_services_list_the_lock_and_matter_actions(http: httpx.AsyncClient):
    domains = {domain["domain"]: domain["services"] for domain in (await http.get("/api/services")).json()}
    assert list(domains) == ["lock", "matter"]
    assert list(domains["lock"]) == ["unlock", "lock", "open"]
    assert list(domains["matter"]) == MATTER_SERVICES
    responses = {name: service.get("response") for name, service in domains["matter"].items()}
    assert responses["get_lock_users"] == {"optional": False} and responses["set_lock_credential"] == {
        "optional": False
    }
    assert responses["set_lock_user"] == {"optional": True} and responses["clear_lock_user"] is None


async def test_unknown_things_are_answered_like_home_assistant(http: httpx.AsyncClient):
    missing = await http.get("/api/states/lock.nowhere")
    assert (missing.status_code, missing.json()) == (404, {"message": "Entity not found."})
    nowhere = await http.get("/api/nowhere")
    assert (nowhere.status_code, nowhere.text) == (404, "404: Not Found")
    wrong_method = await http.get("/api/services/lock/unlock")
    assert (wrong_method.status_code, wrong_method.headers["allow"]) == (405, "OPTIONS,POST")
    for domain, service in (("lock", "frobnicate"), ("light", "turn_on")):
        refused = await http.post(f"/api/services/{domain}/{service}", json={"entity_id": FRONT})
        assert (refused.status_code, refused.text) == (400, "400: Bad Request")


@pytest.mark.parametrize(
    "body",
    [{"entity_id": "front_door"}, {"entity_id": FRONT, "bogus": 1}, {"entity_id": FRONT, "code": ["1"]}, [FRONT]],
)
async def test_data_failing_the_schema_is_a_bad_request(http: httpx.AsyncClient, body: object):
    refused = await http.post("/api/services/lock/unlock", json=body)
    assert (refused.status_code, refused.text) == (400, "400: Bad Request")


async def test_invalid_json_and_no_body(http: httpx.AsyncClient):
    broken = await http.post("/api/services/lock/unlock", content=b"{not json")
    assert (broken.status_code, broken.json()) == (400, {"message": "Data should be valid JSON."})
    empty = await http.post("/api/services/lock/unlock")
    assert (empty.status_code, empty.text) == (400, "400: Bad Request")


async def test_return_response_is_refused_on_a_service_without_response(http: httpx.AsyncClient, sim):
    for path, body in (
        ("/api/services/lock/unlock?return_response", {"entity_id": KITCHEN}),
        ("/api/services/lock/unlock", {"entity_id": KITCHEN, "return_response": True}),
    ):
        refused = await http.post(path, json=body)
        assert (refused.status_code, refused.json()) == (400, {"message": NO_RESPONSE})
    assert sim.states[KITCHEN].state == "unlocked" and len(sim.history) == len(sim.locks)  # nothing was done


async def test_a_response_only_service_needs_return_response(http: httpx.AsyncClient):
    refused = await http.post("/api/services/matter/get_lock_info", json={"entity_id": MATTER})
    assert (refused.status_code, refused.json()) == (400, {"message": NEEDS_RESPONSE})
    for path, body in (
        ("/api/services/matter/get_lock_info?return_response", {"entity_id": MATTER}),
        ("/api/services/matter/get_lock_info", {"entity_id": MATTER, "return_response": True}),
    ):
        answer = (await http.post(path, json=body)).json()
        assert list(answer) == ["changed_states", "service_response"]
        assert answer["changed_states"] == [] and list(answer["service_response"]) == [MATTER]


async def test_an_optional_response_comes_only_when_asked_for(http: httpx.AsyncClient):
    plain = await http.post("/api/services/matter/set_lock_user", json={"entity_id": MATTER, "user_name": "Ann"})
    assert (plain.status_code, plain.json()) == (200, [])
    asked = await http.post("/api/services/matter/set_lock_user?return_response", json={"entity_id": MATTER})
    assert asked.json() == {"changed_states": [], "service_response": {MATTER: {"user_index": 2}}}


async def test_a_lock_is_reached_through_its_device_too(http: httpx.AsyncClient, sim: HomeAssistantSimulator):
    changed = await http.post("/api/services/lock/unlock", json={"device_id": sim.locks[ZWAVE].device_id})
    assert [(state["entity_id"], state["state"]) for state in changed.json()] == [
        (ZWAVE, "unlocking"),
        (ZWAVE, "unlocked"),
    ]


async def test_answers_carry_home_assistants_headers(http: httpx.AsyncClient):
    for answer in (await http.get("/api/"), await http.get("/api/", headers={"Authorization": ""})):
        assert answer.headers["x-frame-options"] == "SAMEORIGIN" and answer.headers["referrer-policy"] == "no-referrer"
    crashed = await http.post("/api/services/lock/open", json={"entity_id": FRONT})
    assert crashed.status_code == 500 and "x-frame-options" not in crashed.headers
