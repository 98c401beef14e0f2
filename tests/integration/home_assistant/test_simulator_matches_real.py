"""The simulated Home Assistant answers as the real one does, asked the same things side by side (so the two cannot
drift apart): statuses, content types, plain-text errors, and the shape (keys in order, value types) of every JSON
answer, REST and WebSocket, for the demo locks the simulator is set up like.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgspec
import pytest
from httpx_ws import AsyncWebSocketSession, aconnect_ws

from providers.home_assistant.simulator import HomeAssistantSimulator
from tests.integration.home_assistant.hass_server import HomeAssistant
from tests.providers.home_assistant.simulator_support import seed_demo, shape

pytestmark = pytest.mark.slow
Server = tuple[httpx.AsyncClient, str]
"""A client on one server (real or simulated) and a valid token of it."""


@asynccontextmanager
async def both(real_home_assistant: HomeAssistant) -> AsyncIterator[tuple[Server, Server]]:
    sim = HomeAssistantSimulator(action_delay=0.05, version="2024.3.3", matter_actions=False)
    seed_demo(sim)
    token = sim.add_token()
    base = "http://homeassistant.local:8123"
    async with (
        httpx.AsyncClient(base_url=real_home_assistant.url, timeout=30) as real,
        httpx.AsyncClient(transport=sim.transport(), base_url=base, timeout=30) as simulated,
    ):
        yield (real, real_home_assistant.token), (simulated, token)
    sim.close()


def answer_of(response: httpx.Response) -> tuple[Any, ...]:
    kind = response.headers.get("content-type", "").split(";")[0]
    body = shape(response.json()) if kind == "application/json" else response.text
    return response.status_code, kind, body


PROBES: dict[str, Callable[[httpx.AsyncClient, str], Any]] = {
    "root": lambda http, token: http.get("/api/", headers=_auth(token)),
    "root without token": lambda http, token: http.get("/api/"),
    "root with a wrong token": lambda http, token: http.get("/api/", headers=_auth(token + "x")),
    "a lock": lambda http, token: http.get("/api/states/lock.front_door", headers=_auth(token)),
    "no such entity": lambda http, token: http.get("/api/states/lock.does_not_exist", headers=_auth(token)),
    "unlock": lambda http, token: _call(http, token, "unlock", "lock.kitchen_door"),
    "lock that jams": lambda http, token: _call(http, token, "lock", "lock.poorly_installed_door"),
    "open unsupported": lambda http, token: _call(http, token, "open", "lock.front_door"),
    "unlock unknown entity": lambda http, token: _call(http, token, "unlock", "lock.does_not_exist"),
    "unknown service": lambda http, token: http.post("/api/services/lock/nope", json={}, headers=_auth(token)),
    "invalid JSON": lambda http, token: http.post("/api/services/lock/lock", content=b"{", headers=_auth(token)),
}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _call(http: httpx.AsyncClient, token: str, service: str, entity_id: str) -> Any:
    return http.post(f"/api/services/lock/{service}", json={"entity_id": entity_id}, headers=_auth(token))


async def test_rest_answers_alike(real_home_assistant: HomeAssistant) -> None:
    async with both(real_home_assistant) as ((real, real_token), (simulated, sim_token)):
        for http, token in ((real, real_token), (simulated, sim_token)):  # the same door, locked by the owner
            await http.post("/api/services/lock/lock", json={"entity_id": "lock.front_door"}, headers=_auth(token))
        for name, probe in PROBES.items():
            expected, answer = await probe(real, real_token), await probe(simulated, sim_token)
            assert answer_of(answer) == answer_of(expected), name
        servers = ((real, real_token), (simulated, sim_token))
        services = [await http.get("/api/services", headers=_auth(token)) for http, token in servers]
        lock_real, lock_sim = ([entry for entry in answer.json() if entry["domain"] == "lock"] for answer in services)
        assert lock_sim == lock_real
        since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        path, params = f"/api/history/period/{since}", {"filter_entity_id": "lock.kitchen_door"}
        histories = [await http.get(path, params=params, headers=_auth(token)) for http, token in servers]
        assert shape(histories[1].json()) == shape(histories[0].json())


@asynccontextmanager
async def _session(http: httpx.AsyncClient, token: str) -> AsyncIterator[tuple[AsyncWebSocketSession, list[Any]]]:
    async with aconnect_ws("/api/websocket", http) as ws:
        frames = [msgspec.json.decode(await ws.receive_text())]
        await ws.send_json({"type": "auth", "access_token": token})
        frames.append(msgspec.json.decode(await ws.receive_text()))
        yield ws, frames


async def _socket_story(http: httpx.AsyncClient, token: str) -> list[Any]:
    """Handshake, a subscription, an unlock and the state changes it brings, as frame shapes."""
    async with _session(http, token) as (ws, frames):
        await ws.send_json({"id": 1, "type": "subscribe_events", "event_type": "state_changed"})
        frames.append(msgspec.json.decode(await ws.receive_text()))
        target = {"entity_id": "lock.front_door"}
        await ws.send_json({"id": 2, "type": "call_service", "domain": "lock", "service": "unlock", "target": target})
        while len(frames) < 6:  # two state changes of the front door and the call's result
            frame = msgspec.json.decode(await asyncio.wait_for(ws.receive_text(), 10))
            if frame.get("type") == "result" or frame["event"]["data"]["entity_id"] == "lock.front_door":
                frames.append(frame)
        await ws.send_json({"id": 2, "type": "ping"})
        frames.append(msgspec.json.decode(await ws.receive_text()))  # an id used before
        return [shape(frame) for frame in frames]


async def test_websocket_answers_alike(real_home_assistant: HomeAssistant) -> None:
    async with both(real_home_assistant) as ((real, real_token), (simulated, sim_token)):
        for http, token in ((real, real_token), (simulated, sim_token)):  # the same door, locked by the owner
            await http.post("/api/services/lock/lock", json={"entity_id": "lock.front_door"}, headers=_auth(token))
        assert await _socket_story(simulated, sim_token) == await _socket_story(real, real_token)
        refused = [await _refusal(http) for http in (real, simulated)]
        assert refused[1] == refused[0]


async def _refusal(http: httpx.AsyncClient) -> list[Any]:
    async with _session(http, "not-a-token") as (_, frames):
        return [frame["type"] for frame in frames]
