"""The simulated Home Assistant's REST API (`/api/...`) and the answers it shares with the other routes: bearer
tokens (`401: Unauthorized`), aiohttp's plain-text errors, `{"message": ...}` errors, and blocking service calls that
answer with the states written under their context (and the service response with `?return_response`).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from litestar import MediaType, Request, Response, get, post
from litestar.params import FromPath

from providers.home_assistant import simulator_payloads as payloads
from providers.home_assistant.simulator_calls import call_service, supports_response
from providers.home_assistant.simulator_core import StateChanged
from providers.home_assistant.simulator_services import NONE, ONLY, describe
from providers.home_assistant.simulator_state import HAError, Invalid, MatterError, ServiceNotFound, State

if TYPE_CHECKING:
    from providers.home_assistant.simulator import HomeAssistantSimulator

Req = Request[Any, Any, Any]
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
}
HA_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Server": "",
    "X-Frame-Options": "SAMEORIGIN",
}
SERVER_ERROR = "500 Internal Server Error\n\nServer got itself in trouble"
NO_RESPONSE = "Service does not support responses. Remove return_response from request."
NEEDS_RESPONSE = (
    "Service call requires responses but caller did not ask for responses. Add ?return_response to query parameters."
)


class Answer(Exception):
    """Stop handling the request and send this response (the app's exception handler sends it)."""

    def __init__(self, response: Response[Any]) -> None:
        super().__init__(response.status_code)
        self.response = response


def sim_of(request: Req) -> HomeAssistantSimulator:
    simulator: HomeAssistantSimulator = request.app.state["sim"]
    return simulator


def payload(content: Any, status: int = 200) -> Response[Any]:
    """A JSON answer with the headers Home Assistant's middlewares add."""
    return Response(content, status_code=status, media_type=MediaType.JSON, headers=dict(HA_HEADERS))


def text(status: int, body: str | None = None, headers: dict[str, str] | None = None) -> Response[Any]:
    """Aiohttp's plain-text answer: `401: Unauthorized` and the like."""
    content = body if body is not None else f"{status}: {REASONS.get(status, 'Error')}"
    return Response(content, status_code=status, media_type=MediaType.TEXT, headers=HA_HEADERS | (headers or {}))


def message(content: str, status: int = 200) -> Response[Any]:
    return payload({"message": content}, status)


def server_error() -> Response[Any]:
    """An exception inside Home Assistant: aiohttp's own 500, without Home Assistant's headers."""
    headers = {"Server": "Python/3.11 aiohttp/3.9.3", "Connection": "close"}
    return Response(SERVER_ERROR, status_code=500, media_type=MediaType.TEXT, headers=headers)


def user_of(request: Req) -> str:
    """The user whose token the request carries; `401: Unauthorized` without a valid one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    user = sim_of(request).user_for(token) if scheme.lower() == "bearer" else None
    if user is None:
        raise Answer(text(401))
    return user


def states_json(states: list[State], sim: HomeAssistantSimulator) -> list[dict[str, Any]]:
    return [state.as_dict(reported=sim.reported) for state in states]


@get("/api/")
async def api_root(request: Req) -> Response[Any]:
    user_of(request)
    return message("API running.")


@get("/api/config")
async def api_config(request: Req) -> Response[Any]:
    user_of(request)
    return payload(payloads.config(sim_of(request)))


@get("/api/states")
async def api_states(request: Req) -> Response[Any]:
    user_of(request)
    sim = sim_of(request)
    return payload(states_json(list(sim.states.values()), sim))


@get("/api/states/{entity_id:str}")
async def api_state(request: Req, entity_id: FromPath[str]) -> Response[Any]:
    user_of(request)
    sim = sim_of(request)
    state = sim.states.get(entity_id.lower())
    if state is None:
        return message("Entity not found.", 404)
    return payload(state.as_dict(reported=sim.reported))


@get("/api/services")
async def api_services(request: Req) -> Response[Any]:
    user_of(request)
    domains = describe(sim_of(request).matter_actions)
    return payload([{"domain": d, "services": s} for d, s in domains.items()])


def _response_wanted(request: Req, domain: str, service: str, data: Any) -> tuple[bool, Any]:
    """(return_response asked for, data without the flag); `?return_response` exists from 2024.8 on, and a
    response-only service called without it (or a service without responses called with it) is refused.
    """
    sim = sim_of(request)
    if not sim.at_least(2024, 8):
        return False, data
    wanted = "return_response" in request.query_params
    if isinstance(data, dict) and "return_response" in data:
        wanted = wanted or data["return_response"] is True
        data = {key: value for key, value in data.items() if key != "return_response"}
    try:
        supports = supports_response(sim, domain, service)
    except ServiceNotFound:
        raise Answer(text(400)) from None
    if wanted and supports == NONE:
        raise Answer(message(NO_RESPONSE, 400))
    if not wanted and supports == ONLY:
        raise Answer(message(NEEDS_RESPONSE, 400))
    return wanted, data


@post("/api/services/{domain:str}/{service:str}", status_code=200)
async def api_call_service(request: Req, domain: FromPath[str], service: FromPath[str]) -> Response[Any]:
    """Blocks until the entities are done; answers with every state written under the call's context."""
    sim, user = sim_of(request), user_of(request)
    raw = await request.body()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return message("Data should be valid JSON.", 400)
    wanted, data = _response_wanted(request, domain, service, data)
    context, changed = sim.context(user), []

    def collect(event: StateChanged) -> None:
        if event.context == context:
            changed.append(event.new_state)

    stop = sim.listen(collect)
    try:
        response = await call_service(sim, domain, service, data, context, return_response=wanted)
    except (Invalid, ServiceNotFound):
        return text(400)
    except MatterError as exc:
        return message(exc.message, 400)
    except HAError:
        return server_error()
    finally:
        stop()
    if wanted:
        body = {"changed_states": states_json(changed, sim), "service_response": response}
        return payload(body)
    return payload(states_json(changed, sim))


REST_ROUTES = (api_root, api_config, api_states, api_state, api_services, api_call_service)
