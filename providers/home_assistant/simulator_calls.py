"""How the simulated Home Assistant carries out a service call (`hass.services.async_call` with `blocking=True`): the
service must exist, `return_response` must suit it, the data must pass its schema; then the targeted lock entities
act (unavailable ones are passed by, unknown ones ignored) and Matter actions answer per entity.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from providers.home_assistant import simulator_matter as matter
from providers.home_assistant.simulator_services import MATTER_RESPONSES, NONE, ONLY, describe, validate
from providers.home_assistant.simulator_state import (
    Context,
    HAError,
    Lock,
    MatterError,
    MatterStore,
    ServiceNotFound,
    ServiceValidationError,
    UnknownError,
)

if TYPE_CHECKING:
    from providers.home_assistant.simulator import HomeAssistantSimulator


def supports_response(sim: HomeAssistantSimulator, domain: str, service: str) -> str:
    if service not in describe(sim.matter_actions).get(domain, {}):
        raise ServiceNotFound(domain, service)
    return NONE if domain == "lock" else MATTER_RESPONSES[service]


async def call_service(
    sim: HomeAssistantSimulator, domain: str, service: str, data: Any, context: Context, *, return_response: bool
) -> dict[str, Any] | None:
    """Carry out the call; its response (entity_id -> data) when asked for, else None. Raises `HAError`s."""
    supports = supports_response(sim, domain, service)
    if return_response and supports == NONE:
        raise UnknownError("Invalid argument return_response=True when handler does not support responses")
    if not return_response and supports == ONLY:
        raise ServiceValidationError("Service call requires responses but caller did not ask for responses")
    target, fields = validate(domain, service, data)
    explicit = [entity_id for entity_id in target.get("entity_id", []) if entity_id in sim.locks]
    locks = [sim.locks[entity_id] for entity_id in _referenced(sim, target)]
    if domain == "lock":
        await _lock_call(sim, service, locks, explicit, context)
        return None
    return _matter_call(service, fields, locks, explicit, return_response=return_response)


def _referenced(sim: HomeAssistantSimulator, target: dict[str, list[str]]) -> list[str]:
    """The lock entities the target names (by entity id, "all", or device id); others are ignored (HA logs them)."""
    wanted = target.get("entity_id", [])
    if "all" in wanted:
        return list(sim.locks)
    devices = set(target.get("device_id", []))
    return [
        entity_id
        for entity_id, lock in sim.locks.items()
        if entity_id in wanted or (lock.registry and lock.device_id in devices)
    ]


async def _lock_call(
    sim: HomeAssistantSimulator, service: str, locks: list[Lock], explicit: list[str], context: Context
) -> None:
    candidates = []
    for lock in locks:
        if not lock.available:
            continue
        if service == "open" and not lock.openable and lock.entity_id not in explicit:
            continue  # reached through its device: passed by; named: refused
        sim.check_action(lock, service)
        candidates.append(lock)
    await asyncio.gather(*(sim.act(lock, service, context) for lock in candidates))


def _matter_call(
    service: str, fields: dict[str, Any], locks: list[Lock], explicit: list[str], *, return_response: bool
) -> dict[str, Any] | None:
    for lock in locks:
        if lock.matter is None and lock.entity_id in explicit:
            raise MatterError(
                f"Entity {lock.entity_id} does not support action matter.{service}.",
                translation_key="service_not_supported",
                translation_placeholders={"entity_id": lock.entity_id, "domain": "matter", "service": service},
                translation_domain="homeassistant",
            )
    stores = {lock.entity_id: lock.matter for lock in locks if lock.matter is not None and lock.available}
    if not stores:
        if return_response:
            raise HAError("Service call requested response data but did not match any entities")
        return None
    responses = {entity_id: _run(store, service, fields) for entity_id, store in stores.items()}
    return responses if return_response else None


def _run(store: MatterStore, service: str, fields: dict[str, Any]) -> dict[str, Any] | None:
    if service == "get_lock_info":
        return matter.lock_info(store)
    if service == "get_lock_users":
        return matter.lock_users(store)
    if service == "set_lock_user":
        return matter.set_user(store, fields)
    if service == "clear_lock_user":
        matter.clear_user(store, fields["user_index"])
        return None
    if service == "set_lock_credential":
        return matter.set_credential(store, fields)
    if service == "clear_lock_credential":
        matter.clear_credential(store, fields["credential_type"], fields["credential_index"])
        return None
    return matter.credential_status(store, fields["credential_type"], fields["credential_index"])
