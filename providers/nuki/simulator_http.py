"""The simulated Nuki Web's HTTP side: the Litestar app, its routes for the Nuki Web API (the OAuth routes are in
simulator_oauth.py) and the gate that applies the simulator's fault knobs to every request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
from litestar import Litestar, Response, delete, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath

from providers.nuki.models import KEYPAD_CODE
from providers.nuki.simulator_app import APP_ROUTES
from providers.nuki.simulator_devices import MOVES
from providers.nuki.simulator_oauth import OAUTH_ROUTES, Req, sim_of
from providers.nuki.simulator_state import (
    Account,
    Auth,
    AuthBody,
    Lock,
    SimError,
    auth_payload,
    check_code,
    check_conflicts,
    check_name,
    log_payload,
    merge_window,
    parse_instant,
    smartlock_payload,
    window_of,
)

if TYPE_CHECKING:
    from providers.nuki.simulator import NukiSimulator

T = TypeVar("T")
LOG_LIMIT, LOG_DEFAULT = 50, 20


class ActionBody(msgspec.Struct):
    action: int
    option: int = 0


def build_app(sim: NukiSimulator) -> Litestar:
    return Litestar(
        route_handlers=[
            *OAUTH_ROUTES,
            *(get_account, list_locks, get_lock),
            *(action, lock_action, unlock_action, account_auths, lock_auths, get_auth),
            *(create_auth, update_auth, delete_auth, account_logs, lock_logs),
            *(APP_ROUTES if sim.sandbox else ()),
        ],
        before_request=_gate,
        exception_handlers={SimError: _error_response},
        state=State({"sim": sim}),
        openapi_config=None,
        logging_config=None,
    )


# -- plumbing -------------------------------------------------------------------------------------------------


async def _gate(request: Req) -> Response[Any] | None:
    """The knobs, before any route runs: latency, then the next queued fault or a random failure."""
    sim = sim_of(request)
    if sim.latency:
        await asyncio.sleep(sim.latency)
    fault = sim.next_fault()
    if fault is None:
        return None
    if fault.status == 0:
        await asyncio.sleep(sim.hang_seconds)
        return Response({"detailMessage": "Gateway timeout"}, status_code=504)
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
    body = {"detailMessage": f"Simulated failure (HTTP {fault.status})"}
    return Response(body, status_code=fault.status, headers=headers)


def _error_response(request: Req, exc: SimError) -> Response[Any]:
    return Response(exc.body, status_code=exc.status)


def _caller(request: Req) -> tuple[NukiSimulator, Account]:
    sim = sim_of(request)
    return sim, sim.accounts[sim.oauth.account_for(request.headers.get("authorization"))]


def _lock(request: Req, smartlock_id: int) -> tuple[NukiSimulator, Lock]:
    sim, account = _caller(request)
    lock = sim.locks.get(smartlock_id)
    if lock is None or lock.account_id != account.account_id:
        raise SimError(404, "Smartlock not found")
    return sim, lock


def _auth(sim: NukiSimulator, lock: Lock, auth_id: str, *, changing: bool = False) -> Auth:
    auth = sim.auths.get(auth_id)
    if auth is None or auth.smartlock_id != lock.smartlock_id:
        raise SimError(404, "Smartlock auth not found")
    if changing and sim.refuse_busy_auths and auth.operation_id:
        raise SimError(423, "The smartlock auth is locked by another operation")
    return auth


def _decode(raw: bytes, kind: type[T]) -> T:
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.DecodeError as exc:
        raise SimError(400, f"Bad parameter: {exc}") from None


def _account_ids(sim: NukiSimulator, account: Account) -> set[int]:
    return {lock.smartlock_id for lock in sim.locks.values() if lock.account_id == account.account_id}


# -- account and smartlocks -----------------------------------------------------------------------------------


@get("/account")
async def get_account(request: Req) -> dict[str, Any]:
    _, account = _caller(request)
    return {"accountId": account.account_id, "type": 0, "email": account.email, "name": account.name}


@get("/smartlock")
async def list_locks(request: Req) -> list[dict[str, Any]]:
    sim, account = _caller(request)
    wanted = request.query_params.get("type")
    locks = [lock for lock in sim.locks.values() if lock.account_id == account.account_id]
    return [smartlock_payload(lock) for lock in locks if wanted is None or str(lock.type) == wanted]


@get("/smartlock/{smartlock_id:int}")
async def get_lock(request: Req, smartlock_id: FromPath[int]) -> dict[str, Any]:
    return smartlock_payload(_lock(request, smartlock_id)[1])


@post("/smartlock/{smartlock_id:int}/action", status_code=204)
async def action(request: Req, smartlock_id: FromPath[int]) -> None:
    """Accepted is all 204 says: the lock moves later, or never (offline)."""
    sim, lock = _lock(request, smartlock_id)
    body = _decode(await request.body(), ActionBody)
    if body.action not in MOVES or not 0 <= body.option <= 7:
        raise SimError(400, "Bad parameter: action or option")
    sim.start_action(lock, body.action)


@post("/smartlock/{smartlock_id:int}/action/lock", status_code=204)
async def lock_action(request: Req, smartlock_id: FromPath[int]) -> None:
    sim, lock = _lock(request, smartlock_id)
    sim.start_action(lock, 2)


@post("/smartlock/{smartlock_id:int}/action/unlock", status_code=204)
async def unlock_action(request: Req, smartlock_id: FromPath[int]) -> None:
    sim, lock = _lock(request, smartlock_id)
    sim.start_action(lock, 1)


# -- keypad codes (auths of type 13) --------------------------------------------------------------------------


def _auth_list(sim: NukiSimulator, lock_ids: set[int], types: str | None) -> list[dict[str, Any]]:
    try:
        wanted = {int(part) for part in types.split(",") if part.strip()} if types else {KEYPAD_CODE}
    except ValueError:
        raise SimError(400, "Bad parameter: types") from None
    if KEYPAD_CODE not in wanted:
        return []
    return [auth_payload(auth) for lock_id in sorted(lock_ids) for auth in sim.auths.of_lock(lock_id)]


@get("/smartlock/auth")
async def account_auths(request: Req) -> list[dict[str, Any]]:
    sim, account = _caller(request)
    return _auth_list(sim, _account_ids(sim, account), request.query_params.get("types"))


@get("/smartlock/{smartlock_id:int}/auth")
async def lock_auths(request: Req, smartlock_id: FromPath[int]) -> list[dict[str, Any]]:
    sim, lock = _lock(request, smartlock_id)
    return _auth_list(sim, {lock.smartlock_id}, request.query_params.get("types"))


@get("/smartlock/{smartlock_id:int}/auth/{auth_id:str}")
async def get_auth(request: Req, smartlock_id: FromPath[int], auth_id: FromPath[str]) -> dict[str, Any]:
    sim, lock = _lock(request, smartlock_id)
    return auth_payload(_auth(sim, lock, auth_id))


@put("/smartlock/{smartlock_id:int}/auth", status_code=204)
async def create_auth(request: Req, smartlock_id: FromPath[int]) -> None:
    """204 with no body and no id; the auth is listed at once, busy until the lock has it."""
    sim, lock = _lock(request, smartlock_id)
    body = _decode(await request.body(), AuthBody)
    name = check_name(body.name)
    if body.type != KEYPAD_CODE:
        raise SimError(400, "Bad parameter: the simulator creates keypad codes (type 13) only")
    if not lock.keypad:
        raise SimError(400, "The smartlock has no paired keypad")
    if body.code is None:
        raise SimError(400, "Bad parameter: code is required for keypad codes")
    check_code(body.code)
    window = merge_window({}, window_of(body))
    check_conflicts(lock, sim.auths.of_lock(lock.smartlock_id), body.code)
    auth = sim.new_auth(lock, name, body.code, window)
    auth.enabled = True if body.enabled is None else body.enabled
    auth.remote_allowed = bool(body.remote_allowed)
    sim.changed(auth)


@post("/smartlock/{smartlock_id:int}/auth/{auth_id:str}", status_code=204)
async def update_auth(request: Req, smartlock_id: FromPath[int], auth_id: FromPath[str]) -> None:
    """Fields left out keep their value; `name` is required."""
    sim, lock = _lock(request, smartlock_id)
    auth = _auth(sim, lock, auth_id, changing=True)
    body = _decode(await request.body(), AuthBody)
    name, window = check_name(body.name), window_of(body)
    if body.code is not None:
        check_code(body.code)
        check_conflicts(lock, sim.auths.of_lock(lock.smartlock_id), body.code, exclude=auth.id)
        auth.code = body.code
    auth.name = name
    auth.window = merge_window(auth.window, window)
    auth.enabled = auth.enabled if body.enabled is None else body.enabled
    auth.remote_allowed = auth.remote_allowed if body.remote_allowed is None else body.remote_allowed
    sim.changed(auth)


@delete("/smartlock/{smartlock_id:int}/auth/{auth_id:str}", status_code=204)
async def delete_auth(request: Req, smartlock_id: FromPath[int], auth_id: FromPath[str]) -> None:
    sim, lock = _lock(request, smartlock_id)
    del sim.auths[_auth(sim, lock, auth_id, changing=True).id]


# -- logs -----------------------------------------------------------------------------------------------------


def _log_list(sim: NukiSimulator, lock_ids: set[int], query: Mapping[str, str]) -> list[dict[str, Any]]:
    """Newest first; `fromDate`/`toDate` inclusive, `id` pages backwards, `limit` at most 50 (default 20)."""
    since = parse_instant(query["fromDate"], "fromDate") if "fromDate" in query else None
    until = parse_instant(query["toDate"], "toDate") if "toDate" in query else None
    try:
        limit = min(int(query.get("limit", LOG_DEFAULT)), LOG_LIMIT)
        action = int(query["action"]) if "action" in query else None
    except ValueError:
        raise SimError(400, "Bad parameter: limit or action") from None
    if limit < 1:
        raise SimError(400, "Bad parameter: limit")
    older_than = next(((log.date, log.seq) for log in sim.logs if log.id == query.get("id")), None)
    if "id" in query and older_than is None:
        raise SimError(400, "Bad parameter: id")
    found = [
        log
        for log in sim.logs
        if log.smartlock_id in lock_ids
        and (since is None or log.date >= since)
        and (until is None or log.date <= until)
        and (older_than is None or (log.date, log.seq) < older_than)
        and (action is None or log.action == action)
        and query.get("authId") in (None, log.auth_id)
    ]
    found.sort(key=lambda log: (log.date, log.seq), reverse=True)
    return [log_payload(log) for log in found[:limit]]


@get("/smartlock/log")
async def account_logs(request: Req) -> list[dict[str, Any]]:
    sim, account = _caller(request)
    return _log_list(sim, _account_ids(sim, account), dict(request.query_params))


@get("/smartlock/{smartlock_id:int}/log")
async def lock_logs(request: Req, smartlock_id: FromPath[int]) -> list[dict[str, Any]]:
    sim, lock = _lock(request, smartlock_id)
    return _log_list(sim, {lock.smartlock_id}, dict(request.query_params))
