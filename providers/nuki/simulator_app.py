"""The sandbox's stand-in for the Nuki app and the lock's keypad (sandbox mode only, no login): what a lock owner or
a guest does outside the gateway, so that people trying the gateway can cause drift and test codes at the door.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Response, delete, get, post
from litestar.params import FromPath

from providers.nuki.simulator_oauth import Req, sim_of
from providers.nuki.simulator_state import SimError
from providers.simkit_bodies import CodeBody, KeypadBody, KeypadCheckBody, OnlineBody, decode_body


def _lock_id(request: Req, smartlock_id: int) -> int:
    if smartlock_id not in sim_of(request).locks:
        raise SimError(404, "No such smart lock")
    return smartlock_id


@get("/app/smartlocks")
async def app_locks(request: Req) -> list[dict[str, Any]]:
    """Every lock with its keypad codes, as the owner sees them in the app."""
    sim = sim_of(request)
    return [
        {
            "smartlockId": lock.smartlock_id,
            "name": lock.name,
            "timezone": lock.timezone,
            "online": lock.online,
            "state": int(lock.state),
            "codes": [
                {"id": auth.id, "name": auth.name, "code": str(auth.code), "synced": auth.operation_id is None}
                for auth in sim.auths.values()
                if auth.smartlock_id == lock.smartlock_id
            ],
        }
        for lock in sim.locks.values()
    ]


@post("/app/smartlocks/{smartlock_id:int}/codes", status_code=201)
async def app_add_code(request: Req, smartlock_id: FromPath[int]) -> dict[str, str]:
    body = decode_body(await request.body(), CodeBody, SimError)
    try:
        auth_id = sim_of(request).external_add_code(_lock_id(request, smartlock_id), body.name, body.code)
    except ValueError as exc:
        raise SimError(409, str(exc)) from None
    return {"id": auth_id}


@post("/app/smartlocks/{smartlock_id:int}/codes/{auth_id:str}", status_code=200)
async def app_edit_code(request: Req, smartlock_id: FromPath[int], auth_id: FromPath[str]) -> dict[str, str]:
    """The owner changes a code in the app: any of `name`, `code`, `enabled` and Nuki's `allowed*` time fields."""
    changes = decode_body(await request.body(), dict[str, Any], SimError)
    try:
        sim_of(request).external_edit_code(_lock_id(request, smartlock_id), auth_id, **changes)
    except KeyError as exc:
        raise SimError(404, str(exc)) from None
    except ValueError as exc:
        raise SimError(400, str(exc)) from None
    return {"id": auth_id}


@delete("/app/smartlocks/{smartlock_id:int}/codes/{auth_id:str}", status_code=204)
async def app_delete_code(request: Req, smartlock_id: FromPath[int], auth_id: FromPath[str]) -> None:
    try:
        sim_of(request).external_delete_code(_lock_id(request, smartlock_id), auth_id)
    except KeyError as exc:
        raise SimError(404, str(exc)) from None


@post("/app/smartlocks/{smartlock_id:int}/keypad", status_code=200)
async def app_keypad(request: Req, smartlock_id: FromPath[int]) -> Response[dict[str, Any]]:
    """A guest types a code at the keypad: it opens only for a code the lock holds and whose window allows now."""
    body = decode_body(await request.body(), KeypadBody, SimError)
    sim = sim_of(request)
    opened = sim.keypad_entry(_lock_id(request, smartlock_id), body.code)
    return Response({"opened": opened, "state": int(sim.locks[smartlock_id].state)})


@post("/app/smartlocks/{smartlock_id:int}/keypad/check", status_code=200)
async def app_keypad_check(request: Req, smartlock_id: FromPath[int]) -> dict[str, Any]:
    """Would the code open at instant `at` (past or future)? Judged in the lock's time zone; nothing moves."""
    body = decode_body(await request.body(), KeypadCheckBody, SimError)
    sim, lock_id = sim_of(request), _lock_id(request, smartlock_id)
    local = body.at.astimezone(ZoneInfo(sim.locks[lock_id].timezone))
    return {"opens": sim.would_open(lock_id, body.code, at=body.at), "lockLocalTime": local.isoformat()}


@post("/app/smartlocks/{smartlock_id:int}/online", status_code=200)
async def app_online(request: Req, smartlock_id: FromPath[int]) -> dict[str, bool]:
    body = decode_body(await request.body(), OnlineBody, SimError)
    sim_of(request).set_online(_lock_id(request, smartlock_id), body.online)
    return {"online": body.online}


APP_ROUTES = (app_locks, app_add_code, app_edit_code, app_delete_code, app_keypad, app_keypad_check, app_online)
