"""A lock or unlock seen through to its end: the service call is made with a WebSocket subscription to state changes
open, so the change that ends the movement (or a jam) is seen as it happens; where the instance serves no WebSocket,
the REST call is made instead and the states it returns are read.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx

from providers.home_assistant import ws
from providers.home_assistant.client import HomeAssistantClient
from providers.home_assistant.models import JAMMED, LOCKED, OPEN, UNLOCKED, State

ENDS = frozenset({LOCKED, UNLOCKED, OPEN, JAMMED})
SETTLE_SECONDS = 5.0
"""How long to keep watching after the call answered (some integrations answer before the lock reports)."""


async def watch_movement(api: HomeAssistantClient, http: httpx.AsyncClient, entity_id: str, service: str) -> str | None:
    """The state that ended the movement (None: not seen yet). The service is called exactly once."""
    base_url, token = await api.login()
    async with AsyncExitStack() as stack:
        try:
            socket = await stack.enter_async_context(ws.connected(http, base_url, token))
            await socket.subscribe("state_changed")
        except ws.NoSocket:
            return _ended(await api.call("lock", service, {"entity_id": entity_id}), entity_id)
        await socket.command("call_service", domain="lock", service=service, target={"entity_id": entity_id})
        return await _seen_end(socket, entity_id)
    return None  # unreachable: the stack returns in both branches


async def _seen_end(socket: ws.Socket, entity_id: str) -> str | None:
    while (event := await socket.event(SETTLE_SECONDS)) is not None:
        data = event.get("data") or {}
        new_state = data.get("new_state") or {}
        if data.get("entity_id") == entity_id and new_state.get("state") in ENDS:
            return str(new_state["state"])
    return None


def _ended(states: list[State], entity_id: str) -> str | None:
    ends = [state.state for state in states if state.entity_id == entity_id and state.state in ENDS]
    return ends[-1] if ends else None
