"""The sandbox's stand-in for the igloohome app and the locks' keypads (sandbox mode only, no login): what an owner
or a guest does outside the gateway, so that people trying the gateway can test PINs at the door, sync a lock's
logs by Bluetooth, and take a bridge offline.
"""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath

from providers.igloohome.simulator_oauth import Req, sim_of
from providers.igloohome.simulator_state import AlgoPin, CustomPin, Lock, SimError, stamp
from providers.simkit_bodies import KeypadBody, KeypadCheckBody, OnlineBody, decode_body


def _lock_id(request: Req, device_id: str) -> str:
    if device_id not in sim_of(request).locks:
        raise SimError(404, "No such lock")
    return device_id


def _pin(pin: CustomPin | AlgoPin) -> dict[str, Any]:
    if isinstance(pin, CustomPin):
        return {
            "kind": "custom",
            "pin": pin.pin,
            "name": pin.name,
            "from": stamp(pin.starts_at),
            "until": stamp(pin.ends_at),
        }
    return {
        "kind": pin.kind,
        "pinId": pin.pin_id,
        "pin": pin.pin,
        "name": pin.name,
        "variance": pin.variance,
        "from": stamp(pin.starts_at),
        "until": stamp(pin.ends_at) if pin.ends_at else None,
        "uses": pin.uses,
    }


def _lock_view(request: Req, lock: Lock) -> dict[str, Any]:
    bridge = sim_of(request).bridge_of(lock.device_id)
    return {
        "deviceId": lock.device_id,
        "name": lock.name,
        "batteryLevel": lock.battery,
        "bridgeId": bridge.device_id if bridge else None,
        "bridgeOnline": bridge.online if bridge else None,
        "unsyncedLogs": len(lock.unsynced),
        "pins": [*map(_pin, lock.custom_pins.values()), *map(_pin, lock.algopins)],
    }


@get("/app/locks")
async def app_locks(request: Req) -> list[dict[str, Any]]:
    """Every lock with the PINs it holds (custom PINs from bridge jobs, algoPINs issued for it)."""
    return [_lock_view(request, lock) for lock in sim_of(request).locks.values()]


@post("/app/locks/{device_id:str}/keypad", status_code=200)
async def app_keypad(request: Req, device_id: FromPath[str]) -> dict[str, bool]:
    """A guest types a code at the lock now: it opens only for a PIN the lock takes at this moment."""
    body = decode_body(await request.body(), KeypadBody, SimError)
    return {"opened": sim_of(request).keypad_entry(_lock_id(request, device_id), body.code)}


@post("/app/locks/{device_id:str}/keypad/check", status_code=200)
async def app_keypad_check(request: Req, device_id: FromPath[str]) -> dict[str, bool]:
    """Would the code open at instant `at` (past or future), as the lock's PINs stand now? Nothing is used."""
    body = decode_body(await request.body(), KeypadCheckBody, SimError)
    return {"opens": sim_of(request).would_open(_lock_id(request, device_id), body.code, body.at)}


@post("/app/locks/{device_id:str}/sync", status_code=200)
async def app_sync(request: Req, device_id: FromPath[str]) -> dict[str, int]:
    """The owner syncs the lock's logs by Bluetooth (how logs of a lock without a bridge reach igloohome)."""
    return {"synced": sim_of(request).sync_logs(_lock_id(request, device_id))}


@post("/app/bridges/{bridge_id:str}/online", status_code=200)
async def app_bridge_online(request: Req, bridge_id: FromPath[str]) -> dict[str, bool]:
    body = decode_body(await request.body(), OnlineBody, SimError)
    sim = sim_of(request)
    if bridge_id not in sim.bridges:
        raise SimError(404, "No such bridge")
    sim.set_bridge_online(bridge_id, body.online)
    return {"online": body.online}


APP_ROUTES = (app_locks, app_keypad, app_keypad_check, app_sync, app_bridge_online)
