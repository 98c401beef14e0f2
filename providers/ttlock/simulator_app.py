"""The sandbox's stand-in for the TTLock app and the lock's keypad (sandbox mode only, no login): what a lock owner
or a guest does outside the gateway (codes added over Bluetooth, a gateway unplugged, a code typed at the door), so
that people trying the gateway can cause drift and test codes.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, delete, get, post
from litestar.params import FromPath

from providers.simkit_bodies import CodeBody, KeypadBody, KeypadCheckBody, OnlineBody, decode_body
from providers.ttlock.simulator_params import Req, sim_of
from providers.ttlock.simulator_state import Lock, instant


class AppError(Exception):
    """A refusal of the sandbox's app routes: a plain HTTP status with `{"detail"}` (these are not TTLock's API)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def app_error(request: Req, exc: AppError) -> Response[Any]:
    return Response({"detail": exc.detail}, status_code=exc.status)


def _lock(request: Req, lock_id: int) -> Lock:
    lock = sim_of(request).locks.get(lock_id)
    if lock is None:
        raise AppError(404, "No such lock")
    return lock


def _text(lock: Lock, utc_ms: int | None) -> str | None:
    """An instant as RFC 3339 with the lock's offset."""
    return None if utc_ms is None else instant(utc_ms).astimezone(lock.zone()).isoformat()


def _local(lock: Lock, local_ms: int | None) -> str | None:
    """A time the lock holds (on its wall clock) as RFC 3339 with the lock's offset."""
    return None if local_ms is None else _text(lock, local_ms - lock.timezone_offset_ms)


def _codes(request: Req, lock: Lock) -> list[dict[str, Any]]:
    """The lock's codes as the lock holds them, then those only the cloud knows (`on_lock` false)."""
    sim = sim_of(request)
    held = [
        {"id": code.keyboard_pwd_id, "name": code.name, "code": code.code, "on_lock": True}
        | {"start": _local(lock, code.local_start), "end": _local(lock, code.local_end)}
        for code in lock.codes.values()
    ]
    cloud_only = [
        {"id": pwd.keyboard_pwd_id, "name": pwd.name, "code": pwd.code, "on_lock": False}
        | {"start": _text(lock, pwd.start), "end": _text(lock, pwd.end or None)}
        for pwd in sim.lock_passcodes(lock.lock_id)
        if pwd.keyboard_pwd_id not in lock.codes
    ]
    return held + cloud_only


@get("/app/locks")
async def app_locks(request: Req) -> list[dict[str, Any]]:
    """Every lock with its codes, as the owner sees them in the TTLock app."""
    sim = sim_of(request)
    return [
        {
            "lockId": lock.lock_id,
            "alias": lock.alias,
            "gatewayOnline": any(sim.gateways[gateway_id].online for gateway_id in lock.gateways),
            "state": lock.state,
            "codes": _codes(request, lock),
        }
        for lock in sim.locks.values()
    ]


@post("/app/locks/{lock_id:int}/codes", status_code=201)
async def app_add_code(request: Req, lock_id: FromPath[int]) -> dict[str, int]:
    """The owner adds a permanent custom code over Bluetooth: on the lock at once (and in the cloud)."""
    body = decode_body(await request.body(), CodeBody, AppError)
    try:
        pwd_id = sim_of(request).external_add_code(_lock(request, lock_id).lock_id, body.name, body.code)
    except ValueError as exc:
        raise AppError(409, str(exc)) from None
    return {"id": pwd_id}


@delete("/app/locks/{lock_id:int}/codes/{pwd_id:int}", status_code=204)
async def app_delete_code(request: Req, lock_id: FromPath[int], pwd_id: FromPath[int]) -> None:
    try:
        sim_of(request).external_delete_code(_lock(request, lock_id).lock_id, pwd_id)
    except KeyError as exc:
        raise AppError(404, str(exc)) from None


@post("/app/locks/{lock_id:int}/keypad", status_code=200)
async def app_keypad(request: Req, lock_id: FromPath[int]) -> dict[str, Any]:
    """A guest types a code: it opens only for a code the lock holds whose window allows now."""
    body = decode_body(await request.body(), KeypadBody, AppError)
    lock = _lock(request, lock_id)
    opened = sim_of(request).keypad_entry(lock.lock_id, body.code)
    return {"opened": opened, "state": lock.state}


@post("/app/locks/{lock_id:int}/keypad/check", status_code=200)
async def app_keypad_check(request: Req, lock_id: FromPath[int]) -> dict[str, Any]:
    """Would the code open at instant `at` (past or future)? Judged on the lock's clock; nothing moves."""
    body = decode_body(await request.body(), KeypadCheckBody, AppError)
    lock = _lock(request, lock_id)
    opens = sim_of(request).would_open(lock.lock_id, body.code, at=body.at)
    return {"opens": opens, "lockLocalTime": body.at.astimezone(lock.zone()).isoformat()}


@post("/app/gateways/{gateway_id:int}/online", status_code=200)
async def app_gateway_online(request: Req, gateway_id: FromPath[int]) -> dict[str, bool]:
    """The owner plugs the gateway in or out."""
    body = decode_body(await request.body(), OnlineBody, AppError)
    sim = sim_of(request)
    if gateway_id not in sim.gateways:
        raise AppError(404, "No such gateway")
    sim.set_gateway_online(gateway_id, body.online)
    return {"online": body.online}


APP_ROUTES = (app_locks, app_add_code, app_delete_code, app_keypad, app_keypad_check, app_gateway_online)
