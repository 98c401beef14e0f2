"""The WebSocket commands the simulated Home Assistant answers (others get `unknown_command`): ping, get_config,
get_states, get_services, subscribe_events / unsubscribe_events, subscribe_entities, call_service, the device and
entity registries, auth/current_user and supported_features; each with its schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from providers.home_assistant import simulator_payloads as payloads
from providers.home_assistant.simulator_calls import call_service
from providers.home_assistant.simulator_core import StateChanged
from providers.home_assistant.simulator_services import describe
from providers.home_assistant.simulator_state import HAError

if TYPE_CHECKING:
    from providers.home_assistant.simulator_ws import Session

Handler = Callable[["Session", dict[str, Any]], None]
SCHEMAS: dict[str, tuple[dict[str, type | tuple[type, ...]], tuple[str, ...]]] = {
    "subscribe_events": ({"event_type": str}, ()),
    "unsubscribe_events": ({"subscription": int}, ("subscription",)),
    "subscribe_entities": ({"entity_ids": list}, ()),
    "call_service": (
        {"domain": str, "service": str, "service_data": dict, "target": dict, "return_response": bool},
        ("domain", "service"),
    ),
    "config/entity_registry/get": ({"entity_id": str}, ("entity_id",)),
    "supported_features": ({"features": dict}, ("features",)),
}
"""type -> (allowed keys with their types, required keys); commands not listed take no keys."""


def check_command(msg: dict[str, Any]) -> str | None:
    """Voluptuous' complaint (humanized) about the command's keys, or None."""
    allowed, required = SCHEMAS.get(msg["type"], ({}, ()))
    for key, value in msg.items():
        if key in ("id", "type"):
            continue
        if key not in allowed:
            return f"extra keys not allowed @ data[{key!r}]. Got {value!r}"
        if not isinstance(value, allowed[key]) or (allowed[key] is int and isinstance(value, bool)):
            expected = getattr(allowed[key], "__name__", "value")
            return f"expected {expected} for dictionary value @ data[{key!r}]. Got {value!r}"
    missing = [key for key in required if key not in msg]
    return f"required key not provided @ data[{missing[0]!r}]. Got None" if missing else None


def ping(session: Session, msg: dict[str, Any]) -> None:
    session.send({"id": msg["id"], "type": "pong"})


def get_config(session: Session, msg: dict[str, Any]) -> None:
    session.result(msg["id"], payloads.config(session.sim))


def get_states(session: Session, msg: dict[str, Any]) -> None:
    sim = session.sim
    session.result(msg["id"], [state.as_dict(reported=sim.reported) for state in sim.states.values()])


def get_services(session: Session, msg: dict[str, Any]) -> None:
    session.result(msg["id"], describe(session.sim.matter_actions))


def subscribe_events(session: Session, msg: dict[str, Any]) -> None:
    """Only `state_changed` happens in the simulator (`*` or no event type: every event, so these too)."""
    subscription, wanted = msg["id"], msg.get("event_type", "*")

    def forward(event: StateChanged) -> None:
        session.event(subscription, event.as_dict(reported=session.sim.reported))

    if wanted in ("state_changed", "*"):
        session.subscriptions[subscription] = session.sim.listen(forward)
    else:
        session.subscriptions[subscription] = lambda: None
    session.result(subscription, None)


def unsubscribe_events(session: Session, msg: dict[str, Any]) -> None:
    stop = session.subscriptions.pop(msg["subscription"], None)
    if stop is None:
        session.error(msg["id"], "not_found", "Subscription not found.")
        return
    stop()
    session.result(msg["id"], None)


def subscribe_entities(session: Session, msg: dict[str, Any]) -> None:
    """The compressed entity feed: every (wanted) state at once, then what changes."""
    subscription, sim = msg["id"], session.sim
    wanted = set(msg["entity_ids"]) if "entity_ids" in msg else None

    def forward(event: StateChanged) -> None:
        if wanted is not None and event.entity_id not in wanted:
            return
        if event.old_state is None:
            session.event(subscription, {"a": {event.entity_id: payloads.compressed(event.new_state)}})
        else:
            session.event(subscription, payloads.state_diff(event.old_state, event.new_state))

    session.subscriptions[subscription] = sim.listen(forward)
    session.result(subscription, None)
    states = {e: payloads.compressed(s) for e, s in sim.states.items() if wanted is None or e in wanted}
    session.send({"id": subscription, "type": "event", "event": {"a": states}})


def call_service_command(session: Session, msg: dict[str, Any]) -> None:
    """Runs as a task (the connection keeps answering meanwhile); the result comes once the call is done."""
    sim, msg_id = session.sim, msg["id"]
    data = dict(msg.get("service_data") or {}) | dict(msg.get("target") or {})
    wanted = msg.get("return_response", False)

    async def run() -> None:
        context = sim.context(session.user)
        try:
            response = await call_service(sim, msg["domain"], msg["service"], data, context, return_response=wanted)
        except HAError as exc:
            session.failed(msg_id, exc)
            return
        result: dict[str, Any] = {"context": context.as_dict()}
        if wanted:
            result["response"] = response
        session.result(msg_id, result)

    session.spawn(run())


def device_registry(session: Session, msg: dict[str, Any]) -> None:
    locks = [lock for lock in session.sim.locks.values() if lock.registry]
    session.result(msg["id"], [payloads.device_entry(lock) for lock in locks])


def entity_registry(session: Session, msg: dict[str, Any]) -> None:
    locks = [lock for lock in session.sim.locks.values() if lock.registry]
    session.result(msg["id"], [payloads.entity_entry(lock) for lock in locks])


def entity_registry_get(session: Session, msg: dict[str, Any]) -> None:
    lock = session.sim.locks.get(msg["entity_id"])
    if lock is None or not lock.registry:
        session.error(msg["id"], "not_found", "Entity not found")
        return
    session.result(msg["id"], payloads.entity_entry_extended(lock))


def current_user(session: Session, msg: dict[str, Any]) -> None:
    session.result(msg["id"], payloads.current_user(session.sim))


def supported_features(session: Session, msg: dict[str, Any]) -> None:
    """Accepted; the simulator never coalesces frames (Home Assistant may, once asked)."""
    session.result(msg["id"], None)


COMMANDS: dict[str, Handler] = {
    "ping": ping,
    "get_config": get_config,
    "get_states": get_states,
    "get_services": get_services,
    "subscribe_events": subscribe_events,
    "unsubscribe_events": unsubscribe_events,
    "subscribe_entities": subscribe_entities,
    "call_service": call_service_command,
    "config/device_registry/list": device_registry,
    "config/entity_registry/list": entity_registry,
    "config/entity_registry/get": entity_registry_get,
    "auth/current_user": current_user,
    "supported_features": supported_features,
}
