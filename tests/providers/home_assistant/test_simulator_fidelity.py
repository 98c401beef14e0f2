"""The simulator set to Home Assistant 2024.3.3 with the demo locks answers the recorded requests as the real one
did: statuses, content types, Home Assistant's headers, and bodies (times and ids blanked), REST and WebSocket.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from providers.home_assistant.simulator import HomeAssistantSimulator
from tests.providers.home_assistant.simulator_support import (
    BASE_URL,
    CAPTURE,
    DELAY,
    WS_URL,
    normalized,
    seed_demo,
    shape,
)

HEADERS = ("Content-Type", "Allow", "Referrer-Policy", "X-Content-Type-Options", "X-Frame-Options", "Server")
NOT_SIMULATED = {"config/entity_registry/list_for_display"}
"""Recorded WebSocket commands the simulator does not implement (it answers `unknown_command`)."""


@pytest.fixture(name="recorded")
async def recorded_fixture() -> AsyncIterator[tuple[HomeAssistantSimulator, httpx.AsyncClient, str]]:
    sim = HomeAssistantSimulator(action_delay=DELAY, seed=3, version="2024.3.3", matter_actions=False)  # real time
    seed_demo(sim)
    token = sim.add_token()
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, timeout=2.0) as http:
        yield sim, http, token
    sim.close()


def _request(entry: dict[str, Any], token: str) -> dict[str, Any]:
    request = entry["request"]
    auth = {None: {}, "valid": {"Authorization": f"Bearer {token}"}}.get(
        request["auth"], {"Authorization": f"Bearer {request['auth']}"}
    )
    kwargs: dict[str, Any] = {"headers": auth}
    if "json" in request:
        kwargs["json"] = request["json"]
    if "raw" in request:
        kwargs["content"] = request["raw"].encode()
        kwargs["headers"] = auth | {"Content-Type": "application/json"}
    return kwargs


async def _replay_rest(http: httpx.AsyncClient, token: str) -> AsyncIterator[tuple[str, httpx.Response]]:
    for label, entry in CAPTURE["rest"].items():
        yield label, await http.request(entry["request"]["method"], entry["request"]["path"], **_request(entry, token))


async def test_rest_answers_as_recorded(recorded: tuple[HomeAssistantSimulator, httpx.AsyncClient, str]):
    _, http, token = recorded
    async for label, answer in _replay_rest(http, token):
        entry = CAPTURE["rest"][label]
        expected = entry["response"]
        assert answer.status_code == expected["status"], label
        for name in HEADERS:
            assert answer.headers.get(name) == expected["headers"].get(name), (label, name)
        if not isinstance(expected["body"], str):
            body = answer.json()
            if label == "api_config":  # another instance: compare the shape, and the values that must agree
                assert shape(body) == shape(expected["body"])
                assert (body["state"], body["version"], body["unit_system"]) == (
                    "RUNNING",
                    "2024.3.3",
                    expected["body"]["unit_system"],
                )
                continue
            assert normalized(body) == normalized(expected["body"]), label
        else:
            assert answer.text == expected["body"], label


async def test_service_descriptions_are_the_recorded_ones(
    recorded: tuple[HomeAssistantSimulator, httpx.AsyncClient, str],
):
    _, http, token = recorded
    domains = (await http.get("/api/services", headers={"Authorization": f"Bearer {token}"})).json()
    assert [domain["domain"] for domain in domains] == ["lock"]  # no `matter` domain without the Matter actions
    assert domains == CAPTURE["services_lock"]


def _frames(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """A recorded received frame; several messages coalesced into one frame arrive one by one here."""
    frame = entry["recv"]
    return frame if isinstance(frame, list) else [frame]


async def test_websocket_session_answers_as_recorded(recorded: tuple[HomeAssistantSimulator, httpx.AsyncClient, str]):
    """The recorded main connection replayed: every recorded frame, in order (registries and states aside, as the
    recorded instance had many other entities).
    """
    from httpx_ws import aconnect_ws

    _, http, token = recorded
    async for _ in _replay_rest(http, token):  # the locks as they were when the recording's socket opened
        pass
    skipped: set[int] = set()
    async with aconnect_ws(WS_URL, http) as ws:
        for entry in CAPTURE["ws_main"]:
            if "send" in entry:
                msg = dict(entry["send"])
                if msg.get("type") == "auth":
                    msg["access_token"] = token
                if msg.get("type") in NOT_SIMULATED:
                    skipped.add(msg["id"])
                await ws.send_json(msg)
                continue
            for expected in _frames(entry):
                got = await ws.receive_json(timeout=2)
                if expected.get("id") in skipped:
                    assert got["error"]["code"] == "unknown_command"
                elif expected.get("id") in (3, 4, 5, 6, 9, 116):  # config, states, registries, services, user
                    assert (got["id"], got["success"]) == (expected["id"], True), got
                    if expected["id"] in (3, 116):  # another instance's data: the same shape
                        assert shape(got["result"]) == shape(expected["result"])
                else:
                    assert list(got) == list(expected)  # key order too (event frames put the id last)
                    assert normalized(got) == normalized(expected)


async def test_refused_websocket_logins_are_answered_as_recorded(
    recorded: tuple[HomeAssistantSimulator, httpx.AsyncClient, str],
):
    from httpx_ws import WebSocketDisconnect, aconnect_ws

    _, http, _ = recorded
    for log in (CAPTURE["ws_bad_auth"], CAPTURE["ws_command_before_auth"]):
        async with aconnect_ws(WS_URL, http) as ws:
            assert await ws.receive_json() == log[0]["recv"]
            await ws.send_json(log[1]["send"])
            assert await ws.receive_json() == log[2]["recv"]
            with pytest.raises(WebSocketDisconnect) as closed:
                await ws.receive_json(timeout=2)
            assert closed.value.code == log[3]["closed"] == 1000


async def test_demo_locks_have_no_registry_entries_as_recorded(
    recorded: tuple[HomeAssistantSimulator, httpx.AsyncClient, str],
):
    from tests.providers.home_assistant.simulator_support import connected

    _, http, token = recorded
    async with connected(http, token) as ws:
        await ws.send_json({"id": 1, "type": "config/device_registry/list"})
        await ws.send_json({"id": 2, "type": "config/entity_registry/list"})
        await ws.send_json({"id": 3, "type": "config/entity_registry/get", "entity_id": "lock.front_door"})
        answers = [await ws.receive_json(timeout=2) for _ in range(3)]
    assert [answer["result"] for answer in answers[:2]] == [[], []]
    assert answers[2]["error"] == {"code": "not_found", "message": "Entity not found"}
