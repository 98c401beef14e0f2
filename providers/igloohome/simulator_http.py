"""The simulated igloohome cloud's HTTP side: the Litestar app, its routes for the igloohome API (the token route
is in simulator_oauth.py, the sandbox's `/app` routes in simulator_app.py) and the gate that applies the fault
knobs to every request.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Litestar, Response, get, post
from litestar.datastructures import State
from litestar.params import FromPath

from providers.igloohome import simulator_pins as pins
from providers.igloohome.simulator_app import APP_ROUTES
from providers.igloohome.simulator_oauth import Req, sim_of, token
from providers.igloohome.simulator_state import (
    Lock,
    SimError,
    bridge_payload,
    job_payload,
    keypad_payload,
    lock_payload,
    row_payload,
)

if TYPE_CHECKING:
    from providers.igloohome.simulator import IgloohomeSimulator

SCOPE = "igloohomeapi/"
PAGE_DEFAULT, PAGE_MAX = 50, 100
_JOB_SCOPES = {
    1: "lock-bridge-proxied-job",
    2: "unlock-bridge-proxied-job",
    4: "create-pin-bridge-proxied-job",
    5: "delete-pin-bridge-proxied-job",
    9: "get-battery-level-bridge-proxied-job",
    15: "get-activity-logs-bridge-proxied-job",
}


def build_app(sim: IgloohomeSimulator) -> Litestar:
    return Litestar(
        route_handlers=[
            token,
            *(list_devices, get_device, algopin, create_job, get_job, activity),
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
    fault = sim.faults.next(sim.failure_rate)
    if fault is None:
        return None
    if fault.hangs:
        await asyncio.sleep(sim.hang_seconds)
        return Response({"message": "Endpoint request timed out"}, status_code=504)
    headers = {"Retry-After": str(fault.retry_after)} if fault.rate_limited else None
    message = "Too Many Requests" if fault.status == 429 else f"Simulated failure (HTTP {fault.status})"
    return Response({"message": message}, status_code=fault.status, headers=headers)


def _error_response(request: Req, exc: SimError) -> Response[Any]:
    return Response(exc.body, status_code=exc.status)


def _account(request: Req, scope: str) -> tuple[IgloohomeSimulator, str]:
    sim = sim_of(request)
    return sim, sim.oauth.caller(request.headers.get("authorization"), SCOPE + scope)


def _lock(sim: IgloohomeSimulator, account: str, device_id: str) -> Lock:
    lock = sim.locks.get(device_id)
    if lock is None or lock.account != account:
        raise SimError(404, "Device not found")
    return lock


async def _body(request: Req) -> dict[str, Any]:
    try:
        body = msgspec.json.decode(await request.body())
    except msgspec.DecodeError as exc:
        raise SimError(400, f"Invalid request body: {exc}") from None
    if not isinstance(body, dict):
        raise SimError(400, "Invalid request body: an object is expected")
    return body


def _page(request: Req, items: list[dict[str, Any]]) -> dict[str, Any]:
    """`{payload, nextCursor}`; the cursor is where the next page starts, `""` on the last page."""
    query = request.query_params
    try:
        start = int(query.get("cursor") or 0)
        size = min(int(query.get("pageSize") or query.get("limit") or PAGE_DEFAULT), PAGE_MAX)
    except ValueError:
        raise SimError(400, "Invalid cursor or pageSize") from None
    if start < 0 or size < 1:
        raise SimError(400, "Invalid cursor or pageSize")
    end = start + size
    return {"payload": items[start:end], "nextCursor": str(end) if end < len(items) else ""}


def _device_payloads(sim: IgloohomeSimulator, account: str) -> dict[str, dict[str, Any]]:
    now = sim.clock()
    found = {lock.device_id: lock_payload(lock) for lock in sim.locks.values() if lock.account == account}
    found |= {
        bridge.device_id: bridge_payload(bridge, now) for bridge in sim.bridges.values() if bridge.account == account
    }
    found |= {keypad.device_id: keypad_payload(keypad) for keypad in sim.keypads.values() if keypad.account == account}
    return found


# -- routes ---------------------------------------------------------------------------------------------------


@get("/devices")
async def list_devices(request: Req) -> dict[str, Any]:
    sim, account = _account(request, "get-devices")
    return _page(request, list(_device_payloads(sim, account).values()))


@get("/devices/{device_id:str}")
async def get_device(request: Req, device_id: FromPath[str]) -> dict[str, Any]:
    sim, account = _account(request, "get-devices")
    found = _device_payloads(sim, account).get(device_id)
    if found is None:
        raise SimError(404, "Device not found")
    return found


@post("/devices/{device_id:str}/algopin/{kind:str}", status_code=200)
async def algopin(request: Req, device_id: FromPath[str], kind: FromPath[str]) -> dict[str, Any]:
    sim, account = _account(request, f"algopin-{kind}")
    issued = pins.issue(_lock(sim, account, device_id), kind, await _body(request), sim.clock())
    return {"pin": issued.pin, "pinId": issued.pin_id}


@post("/devices/{device_id:str}/jobs/bridges/{bridge_id:str}", status_code=200)
async def create_job(request: Req, device_id: FromPath[str], bridge_id: FromPath[str]) -> dict[str, Any]:
    body = await _body(request)
    job_type = body.get("jobType")
    scope = _JOB_SCOPES.get(job_type if isinstance(job_type, int) else 0, "get-device-status-bridge-proxied-job")
    sim, account = _account(request, scope)
    job = sim.create_job(_lock(sim, account, device_id), bridge_id, body)
    return {"jobId": job.job_id}


@get("/jobs/{job_id:str}")
async def get_job(request: Req, job_id: FromPath[str]) -> dict[str, Any]:
    sim, account = _account(request, "get-job-status")
    return job_payload(sim.job_status(job_id, account))


@get("/devices/{device_id:str}/activity")
async def activity(request: Req, device_id: FromPath[str]) -> dict[str, Any]:
    """The rows igloohome has for the lock, newest first."""
    sim, account = _account(request, "get-device-activity")
    lock = _lock(sim, account, device_id)
    rows = sorted(lock.log, key=lambda row: (row.entry_date, row.operation_id), reverse=True)
    return _page(request, [row_payload(lock, row) for row in rows])
