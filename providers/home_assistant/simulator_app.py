"""The sandbox's stand-in for the people at the locks (sandbox mode only, no login): see the locks and their users,
type a PIN at a keypad, turn a lock by hand, or cut a lock's radio link, so that people trying the gateway can see
it follow changes it did not make.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath

from providers.home_assistant.simulator_rest import Answer, Req, message, sim_of
from providers.home_assistant.simulator_state import LOCKED, UNLOCKED, Lock
from providers.simkit_bodies import KeypadBody, decode_body


class TurnBody(msgspec.Struct):
    state: str


class AvailableBody(msgspec.Struct):
    available: bool


def _refuse(status: int, detail: str) -> Answer:
    return Answer(message(detail, status))


def _lock(request: Req, entity_id: str) -> Lock:
    lock = sim_of(request).locks.get(entity_id)
    if lock is None:
        raise Answer(message(f"No lock {entity_id}", 404))
    return lock


def _shown_state(lock: Lock) -> str:
    return lock.state if lock.available else "unavailable"


def _users(lock: Lock) -> list[dict[str, Any]]:
    if lock.matter is None:
        return []
    store = lock.matter
    return [
        {
            "user_index": index,
            "user_name": user.user_name,
            "user_status": user.user_status,
            "pins": sum(pin.user_index == index for pin in store.pins.values()),
        }
        for index, user in sorted(store.users.items())
    ]


@get("/app/locks")
async def app_locks(request: Req) -> list[dict[str, Any]]:
    """Every lock as its owner sees it; PINs are not shown (Matter PINs are write-only), only how many a user has."""
    return [
        {
            "entity_id": lock.entity_id,
            "name": lock.name,
            "state": _shown_state(lock),
            "matter": lock.matter is not None,
            "users": _users(lock),
        }
        for lock in sim_of(request).locks.values()
    ]


@post("/app/locks/{entity_id:str}/keypad", status_code=200)
async def app_keypad(request: Req, entity_id: FromPath[str]) -> dict[str, Any]:
    """A guest types a PIN at the keypad: a Matter lock opens for an enabled user's PIN."""
    body = decode_body(await request.body(), KeypadBody, _refuse)
    lock = _lock(request, entity_id)
    opened = sim_of(request).keypad_entry(entity_id, body.code)
    return {"opened": opened, "state": _shown_state(lock)}


@post("/app/locks/{entity_id:str}/turn", status_code=200)
async def app_turn(request: Req, entity_id: FromPath[str]) -> Response[Any]:
    """Someone turns the lock by hand."""
    body = decode_body(await request.body(), TurnBody, _refuse)
    lock = _lock(request, entity_id)
    if body.state not in (LOCKED, UNLOCKED):
        return message(f"state is {LOCKED} or {UNLOCKED}", 400)
    sim_of(request).set_state(entity_id, body.state)
    return Response({"state": _shown_state(lock)})


@post("/app/locks/{entity_id:str}/available", status_code=200)
async def app_available(request: Req, entity_id: FromPath[str]) -> dict[str, Any]:
    """The lock drops off (or comes back to) Home Assistant's radio network."""
    body = decode_body(await request.body(), AvailableBody, _refuse)
    _lock(request, entity_id)
    sim_of(request).set_available(entity_id, body.available)
    return {"available": body.available}


APP_ROUTES = (app_locks, app_keypad, app_turn, app_available)
