"""The simulated Home Assistant's Litestar app: its routes, the gate that applies the fault knobs to every API request
(a reverse proxy in front of Home Assistant would be the one answering 429), and aiohttp's plain-text 404/405.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Response
from litestar.datastructures import State
from litestar.exceptions import MethodNotAllowedException, NotFoundException

from providers.home_assistant.simulator_app import APP_ROUTES
from providers.home_assistant.simulator_history import HISTORY_ROUTES
from providers.home_assistant.simulator_rest import REST_ROUTES, Answer, Req, sim_of, text
from providers.home_assistant.simulator_ws import api_websocket

if TYPE_CHECKING:
    from providers.home_assistant.simulator import HomeAssistantSimulator


def build_app(sim: HomeAssistantSimulator) -> Litestar:
    return Litestar(
        route_handlers=[*REST_ROUTES, *HISTORY_ROUTES, api_websocket, *(APP_ROUTES if sim.sandbox else ())],
        before_request=_gate,
        exception_handlers={
            Answer: _answer,
            NotFoundException: _not_found,
            MethodNotAllowedException: _not_allowed,
        },
        state=State({"sim": sim}),
        openapi_config=None,
        logging_config=None,
    )


async def _gate(request: Req) -> Response[Any] | None:
    """The knobs, before any API route runs: latency, then the next queued fault or a random failure."""
    if request.url.path.startswith("/app/"):
        return None
    sim = sim_of(request)
    if sim.latency:
        await asyncio.sleep(sim.latency)
    fault = sim.next_fault()
    if fault is None:
        return None
    if fault.hangs:
        await asyncio.sleep(sim.hang_seconds)
        return text(504, "504: Gateway Timeout")
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
    reason = "Too Many Requests" if fault.rate_limited else "Simulated failure"
    return text(fault.status, f"{fault.status}: {reason}", headers=headers)


def _answer(request: Req, exc: Answer) -> Response[Any]:
    return exc.response


def _not_found(request: Req, exc: NotFoundException) -> Response[Any]:
    return text(404)


def _not_allowed(request: Req, exc: MethodNotAllowedException) -> Response[Any]:
    allowed = sorted({"OPTIONS", *(exc.headers or {}).get("allow", "").replace(" ", "").split(",")} - {"", "HEAD"})
    return text(405, headers={"Allow": ",".join(allowed)})
