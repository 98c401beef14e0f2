"""The simulated TTLock cloud's HTTP side: the Litestar app, `/oauth2/token`, every `/v3/...` path on GET or POST
(one route dispatching to the endpoint tables after the common checks), the gate that applies the fault knobs to
the vendor API, and errcodes answered with HTTP 200.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from litestar import Litestar, MediaType, Response, Router, route
from litestar.datastructures import State
from litestar.enums import HttpMethod
from litestar.params import FromPath

from providers.ttlock.simulator_api import LOCK_ROUTES
from providers.ttlock.simulator_api_codes import CODE_ROUTES
from providers.ttlock.simulator_app import APP_ROUTES, AppError, app_error
from providers.ttlock.simulator_oauth import token
from providers.ttlock.simulator_params import Handler, Req, open_call, read_params, sim_of
from providers.ttlock.simulator_state import TTLockError

if TYPE_CHECKING:
    from providers.ttlock.simulator import TTLockSimulator

V3_ROUTES: dict[str, Handler] = {**LOCK_ROUTES, **CODE_ROUTES}


def build_app(sim: TTLockSimulator) -> Litestar:
    """The vendor API behind the fault gate; in sandbox mode also the owner's app and keypad under `/app`."""
    api = Router(path="/", route_handlers=[token, v3], before_request=_gate)
    return Litestar(
        route_handlers=[api, *(APP_ROUTES if sim.sandbox else ())],
        exception_handlers={TTLockError: _errcode, AppError: app_error},
        state=State({"sim": sim}),
        openapi_config=None,
        logging_config=None,
    )


async def _gate(request: Req) -> Response[Any] | None:
    """The knobs, before any vendor route runs: latency, then the next queued fault or a random failure. A rate
    limit is TTLock's errcode 30006 with HTTP 200 (TTLock sends no 429 and no Retry-After).
    """
    sim = sim_of(request)
    if sim.latency:
        await asyncio.sleep(sim.latency)
    fault = sim.next_fault()
    if fault is None:
        return None
    if fault.hangs:
        await asyncio.sleep(sim.hang_seconds)
        return Response("Gateway Time-out", status_code=504, media_type=MediaType.TEXT)
    if fault.rate_limited:
        return Response(TTLockError(30006).body, status_code=200)
    return Response(f"Simulated failure (HTTP {fault.status})", status_code=fault.status, media_type=MediaType.TEXT)


def _errcode(request: Req, exc: TTLockError) -> Response[Any]:
    return Response(exc.body, status_code=200)


@route("/v3/{group:str}/{name:str}", http_method=[HttpMethod.GET, HttpMethod.POST], status_code=200)
async def v3(request: Req, group: FromPath[str], name: FromPath[str]) -> Response[Any]:
    """Any v3 endpoint the simulator serves; an unknown path is a plain 404, as a web server answers it. The work
    runs shielded: a client that gives up (a time-out) does not stop what the cloud and the gateway are doing.
    """
    handler = V3_ROUTES.get(f"{group}/{name}")
    if handler is None:
        return Response("Not Found", status_code=404, media_type=MediaType.TEXT)
    sim = sim_of(request)
    call = open_call(sim, await read_params(request))
    return Response(await asyncio.shield(sim.spawn(handler(call))))
