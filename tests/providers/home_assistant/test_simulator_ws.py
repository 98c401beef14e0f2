"""The simulated Home Assistant's WebSocket API through httpx-ws over `sim.transport()`: handshake and refused logins,
id rules, events, service calls (blocking, with responses and errors), the registries, and the entity feed.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from httpx_ws import WebSocketDisconnect, aconnect_ws

from providers.home_assistant.simulator import HomeAssistantSimulator
from tests.providers.home_assistant.simulator_support import (
    FRONT,
    KITCHEN,
    MATTER,
    POORLY,
    WS_URL,
    ZWAVE,
    clock_fixture,  # noqa: F401
    connected,
    http_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
    token_fixture,  # noqa: F401
    until_result,
)


async def test_handshake_names_the_version(http: httpx.AsyncClient, token: str):
    async with aconnect_ws(WS_URL, http) as ws:
        assert await ws.receive_json() == {"type": "auth_required", "ha_version": "2026.6.0"}
        await ws.send_json({"type": "auth", "access_token": token})
        assert await ws.receive_json() == {"type": "auth_ok", "ha_version": "2026.6.0"}


@pytest.mark.parametrize(
    ("first", "reason"),
    [
        ({"type": "auth", "access_token": "nope"}, "Invalid access token or password"),
        ({"type": "auth"}, "Invalid access token or password"),
        (
            {"access_token": "x"},
            "Auth message incorrectly formatted: required key not provided @ data['type']. Got None",
        ),
    ],
)
async def test_a_refused_login_is_closed(http: httpx.AsyncClient, first: dict[str, str], reason: str):
    async with aconnect_ws(WS_URL, http) as ws:
        await ws.receive_json()
        await ws.send_json(first)
        assert await ws.receive_json() == {"type": "auth_invalid", "message": reason}
        with pytest.raises(WebSocketDisconnect) as closed:
            await ws.receive_json(timeout=2)
    assert closed.value.code == 1000


async def test_ids_must_increase_and_commands_must_exist(http: httpx.AsyncClient, token: str):
    async with connected(http, token) as ws:
        await ws.send_json({"id": 5, "type": "ping"})
        assert await ws.receive_json() == {"id": 5, "type": "pong"}
        await ws.send_json({"id": 5, "type": "ping"})
        reused = await ws.receive_json()
        assert reused["error"] == {"code": "id_reuse", "message": "Identifier values have to increase."}
        await ws.send_json({"id": 6, "type": "nope"})
        assert (await ws.receive_json())["error"] == {"code": "unknown_command", "message": "Unknown command."}
        await ws.send_json({"type": "ping"})
        assert (await ws.receive_json())["error"]["code"] == "invalid_format"
        await ws.send_json({"id": 7, "type": "get_states", "extra": 1})
        assert (await ws.receive_json())["error"] == {
            "code": "invalid_format",
            "message": "extra keys not allowed @ data['extra']. Got 1",
        }
        await ws.send_json([{"id": 8, "type": "ping"}, {"id": 9, "type": "ping"}])  # several messages in one frame
        assert [await ws.receive_json(), await ws.receive_json()] == [
            {"id": 8, "type": "pong"},
            {"id": 9, "type": "pong"},
        ]


async def test_events_follow_changes_made_anywhere(http: httpx.AsyncClient, sim: HomeAssistantSimulator, token: str):
    async with connected(http, token) as ws:
        await ws.send_json({"id": 1, "type": "subscribe_events", "event_type": "state_changed"})
        assert await ws.receive_json() == {"id": 1, "type": "result", "success": True, "result": None}
        await http.post("/api/services/lock/lock", json={"entity_id": KITCHEN})
        sim.set_state(FRONT, "unlocked")
        frames = [await ws.receive_json(timeout=2) for _ in range(3)]
        assert [list(frame) for frame in frames] == [["type", "event", "id"]] * 3
        events = [frame["event"] for frame in frames]
        assert list(events[0]) == ["event_type", "data", "origin", "time_fired", "context"]
        assert [(e["data"]["entity_id"], e["data"]["new_state"]["state"]) for e in events] == [
            (KITCHEN, "locking"),
            (KITCHEN, "locked"),
            (FRONT, "unlocked"),
        ]
        assert events[1]["data"]["old_state"]["state"] == "locking" and events[2]["context"]["user_id"] is None
        await ws.send_json({"id": 2, "type": "unsubscribe_events", "subscription": 1})
        assert (await ws.receive_json())["success"] is True
        await ws.send_json({"id": 3, "type": "unsubscribe_events", "subscription": 1})
        assert (await ws.receive_json())["error"] == {"code": "not_found", "message": "Subscription not found."}
        sim.set_state(FRONT, "locked")
        await ws.send_json({"id": 4, "type": "ping"})
        assert await ws.receive_json() == {"id": 4, "type": "pong"}  # no event in between


async def test_call_service_blocks_until_the_lock_is_done(
    http: httpx.AsyncClient, sim: HomeAssistantSimulator, token: str
):
    sim.action_delay = 0.2
    async with connected(http, token) as ws:
        await ws.send_json({"id": 1, "type": "subscribe_events"})
        await ws.receive_json()
        await ws.send_json(
            {"id": 2, "type": "call_service", "domain": "lock", "service": "lock", "target": {"entity_id": POORLY}}
        )
        await ws.send_json({"id": 3, "type": "ping"})  # answered while the call runs
        before, result = await until_result(ws, 2)
        states = [frame["event"]["data"]["new_state"]["state"] for frame in before if frame["type"] == "event"]
        assert states == ["locking", "jammed"] and {"id": 3, "type": "pong"} in before
        assert result["result"] == {
            "context": {"id": result["result"]["context"]["id"], "parent_id": None, "user_id": sim.owner_id}
        }


async def test_call_service_with_a_response(http: httpx.AsyncClient, token: str):
    async with connected(http, token) as ws:
        data = {"credential_type": "pin", "credential_data": "4321"}
        await ws.send_json(
            {
                "id": 1,
                "type": "call_service",
                "domain": "matter",
                "service": "set_lock_credential",
                "service_data": data,
                "target": {"entity_id": MATTER},
                "return_response": True,
            }
        )
        _, result = await until_result(ws, 1)
        assert list(result["result"]) == ["context", "response"]
        assert result["result"]["response"] == {
            MATTER: {"credential_index": 1, "user_index": 1, "next_credential_index": 2}
        }


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            {"domain": "lock", "service": "lock", "target": {"entity_id": KITCHEN}, "return_response": True},
            {
                "code": "unknown_error",
                "message": "Invalid argument return_response=True when handler does not support responses",
            },
        ),
        (
            {"domain": "matter", "service": "get_lock_users", "target": {"entity_id": MATTER}},
            {
                "code": "service_validation_error",
                "message": "Validation error: Service call requires responses but caller did not ask for responses",
            },
        ),
        (
            {"domain": "lock", "service": "unlock", "service_data": {"entity_id": FRONT, "bogus": 1}},
            {"code": "invalid_format", "message": "extra keys not allowed @ data['bogus']"},
        ),
        (
            {"domain": "lock", "service": "open", "target": {"entity_id": FRONT}},
            {"code": "home_assistant_error", "message": "Entity lock.front_door does not support this service."},
        ),
    ],
)
async def test_call_service_errors(http: httpx.AsyncClient, token: str, call: dict[str, object], error: dict[str, str]):
    async with connected(http, token) as ws:
        await ws.send_json({"id": 1, "type": "call_service", **call})
        assert await ws.receive_json(timeout=2) == {"id": 1, "type": "result", "success": False, "error": error}


async def test_matter_refusals_keep_their_translation(http: httpx.AsyncClient, token: str):
    async with connected(http, token) as ws:
        base = {
            "type": "call_service",
            "domain": "matter",
            "service": "set_lock_credential",
            "target": {"entity_id": MATTER},
            "return_response": True,
        }
        await ws.send_json({"id": 1, **base, "service_data": {"credential_type": "pin", "credential_data": "12"}})
        short = (await ws.receive_json(timeout=2))["error"]
        assert short["code"] == "service_validation_error" and short["translation_key"] == "invalid_credential_data"
        assert short["message"] == "Validation error: Invalid credential data: PIN length must be between 4 and 8"
        for msg_id in (2, 3):
            await ws.send_json(
                {"id": msg_id, **base, "service_data": {"credential_type": "pin", "credential_data": "1234"}}
            )
            last = await ws.receive_json(timeout=2)
        assert last["error"]["code"] == "home_assistant_error"  # the lock itself answered `duplicate`
        assert last["error"]["translation_placeholders"] == {"status": "duplicate"}


async def test_registries_describe_the_locks(http: httpx.AsyncClient, sim: HomeAssistantSimulator, token: str):
    async with connected(http, token) as ws:
        await ws.send_json({"id": 1, "type": "config/device_registry/list"})
        await ws.send_json({"id": 2, "type": "config/entity_registry/list"})
        await ws.send_json({"id": 3, "type": "config/entity_registry/get", "entity_id": ZWAVE})
        devices, entities, entry = [(await ws.receive_json(timeout=2))["result"] for _ in range(3)]
    assert [(d["name"], d["manufacturer"], d["model"], d["identifiers"][0][0]) for d in devices] == [
        ("Matter Door", "Acme", "Matter Lock", "matter"),
        ("Back Door", "Yale", "YRD256", "zwave_js"),
    ]
    assert [(e["entity_id"], e["platform"], e["device_id"]) for e in entities] == [
        (MATTER, "matter", sim.locks[MATTER].device_id),
        (ZWAVE, "zwave_js", sim.locks[ZWAVE].device_id),
    ]
    assert entry["entity_id"] == ZWAVE and entry["aliases"] == []


async def test_reads_over_the_socket(http: httpx.AsyncClient, sim: HomeAssistantSimulator, token: str):
    async with connected(http, token) as ws:
        for msg_id, command in enumerate(("get_config", "get_states", "get_services", "auth/current_user"), 1):
            await ws.send_json({"id": msg_id, "type": command})
        config, states, services, user = [(await ws.receive_json(timeout=2))["result"] for _ in range(4)]
    assert config == (await http.get("/api/config")).json()
    assert states == (await http.get("/api/states")).json()
    assert list(services) == ["lock", "matter"] and "set_lock_credential" in services["matter"]
    assert (user["id"], user["is_admin"]) == (sim.owner_id, True)


async def test_the_entity_feed_sends_states_then_differences(
    http: httpx.AsyncClient, sim: HomeAssistantSimulator, token: str
):
    async with connected(http, token) as ws:
        await ws.send_json({"id": 1, "type": "subscribe_entities", "entity_ids": [FRONT]})
        assert (await ws.receive_json())["success"] is True
        initial = await ws.receive_json()
        assert list(initial) == ["id", "type", "event"]
        assert (
            initial["event"]["a"][FRONT]["s"] == "locked"
            and initial["event"]["a"][FRONT]["c"] == sim.states[FRONT].context.id
        )
        sim.set_state(KITCHEN, "locked")
        sim.set_state(FRONT, "unlocked")
        change = await ws.receive_json(timeout=2)
        assert list(change) == ["type", "event", "id"]
        assert change["event"]["c"][FRONT]["+"] == {"s": "unlocked", "c": sim.states[FRONT].context.id}


async def test_revoked_tokens_close_open_sockets(http: httpx.AsyncClient, sim: HomeAssistantSimulator, token: str):
    async with connected(http, token) as ws:
        sim.revoke_credentials()
        with pytest.raises(WebSocketDisconnect):
            await ws.receive_json(timeout=2)
    async with aconnect_ws(WS_URL, http) as ws:
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": token})
        assert (await ws.receive_json())["type"] == "auth_invalid"
    fresh = sim.add_token()
    async with connected(http, fresh):
        await asyncio.sleep(0)
