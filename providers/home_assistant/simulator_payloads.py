"""Payloads the simulated Home Assistant builds besides states: `/api/config` (= `get_config`), the device and entity
registries (Home Assistant 2024.3.3's shapes), `auth/current_user`, and `subscribe_entities`' compressed states.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from providers.home_assistant.simulator_state import Lock, State

if TYPE_CHECKING:
    from providers.home_assistant.simulator import HomeAssistantSimulator

UNIT_SYSTEM = {
    "length": "km",
    "accumulated_precipitation": "mm",
    "mass": "g",
    "pressure": "Pa",
    "temperature": "°C",
    "volume": "L",
    "wind_speed": "m/s",
}
BASE_COMPONENTS = (
    "homeassistant",
    "http",
    "api",
    "auth",
    "config",
    "frontend",
    "websocket_api",
    "onboarding",
    "recorder",
    "history",
    "person",
    "zone",
    "lock",
)


def components(sim: HomeAssistantSimulator) -> list[str]:
    """Loaded integrations and platforms (`matter`, `matter.lock`, ... for the locks' integrations)."""
    found = list(BASE_COMPONENTS)
    platforms = [lock.platform for lock in sim.locks.values()] + (["matter"] if sim.matter_actions else [])
    for platform in platforms:
        found += [name for name in (platform, f"{platform}.lock") if name not in found]
    return found


def config(sim: HomeAssistantSimulator) -> dict[str, Any]:
    return {
        "latitude": 52.52,
        "longitude": 13.405,
        "elevation": 34,
        "unit_system": dict(UNIT_SYSTEM),
        "location_name": sim.location_name,
        "time_zone": sim.time_zone,
        "components": components(sim),
        "config_dir": "/config",
        "whitelist_external_dirs": ["/config/www", "/media"],
        "allowlist_external_dirs": ["/config/www", "/media"],
        "allowlist_external_urls": [],
        "version": sim.version,
        "config_source": "storage",
        "recovery_mode": False,
        "state": "RUNNING",
        "external_url": None,
        "internal_url": None,
        "currency": "EUR",
        "country": "DE",
        "language": "en",
        "safe_mode": False,
    }


def _identifier(lock: Lock) -> list[str]:
    if lock.matter is not None:
        return ["matter", f"deviceid_{lock.unique_id[:16]}-{lock.unique_id[16:32]}-MatterNodeDevice"]
    return ["zwave_js", f"{int(lock.unique_id[:8], 16)}-{int(lock.unique_id[8:10], 16)}"]


def device_entry(lock: Lock) -> dict[str, Any]:
    return {
        "area_id": None,
        "configuration_url": None,
        "config_entries": [lock.config_entry_id],
        "connections": [],
        "disabled_by": None,
        "entry_type": None,
        "hw_version": None,
        "id": lock.device_id,
        "identifiers": [_identifier(lock)],
        "manufacturer": lock.manufacturer,
        "model": lock.model,
        "name_by_user": None,
        "name": lock.name,
        "serial_number": None,
        "sw_version": None,
        "via_device_id": None,
    }


def entity_entry(lock: Lock) -> dict[str, Any]:
    return {
        "area_id": None,
        "config_entry_id": lock.config_entry_id,
        "device_id": lock.device_id,
        "disabled_by": None,
        "entity_category": None,
        "entity_id": lock.entity_id,
        "has_entity_name": True,
        "hidden_by": None,
        "icon": None,
        "id": lock.entry_id,
        "labels": [],
        "name": None,
        "options": {"conversation": {"should_expose": False}},
        "original_name": None,
        "platform": lock.platform,
        "translation_key": None,
        "unique_id": lock.unique_id,
    }


def entity_entry_extended(lock: Lock) -> dict[str, Any]:
    """`config/entity_registry/get`: the list entry and the fields only a single entry shows."""
    extra: dict[str, Any] = {"aliases": [], "capabilities": None, "device_class": None, "original_device_class": None}
    return entity_entry(lock) | extra | {"original_icon": None}


def current_user(sim: HomeAssistantSimulator) -> dict[str, Any]:
    return {
        "id": sim.owner_id,
        "name": "Owner",
        "is_owner": True,
        "is_admin": True,
        "credentials": [{"auth_provider_type": "homeassistant", "auth_provider_id": None}],
        "mfa_modules": [{"id": "totp", "name": "Authenticator app", "enabled": False}],
    }


# -- subscribe_entities ------------------------------------------------------------------------------------------


def compressed(state: State) -> dict[str, Any]:
    """A state in `subscribe_entities`' compressed form."""
    context = state.context
    bare = context.parent_id is None and context.user_id is None
    payload: dict[str, Any] = {
        "s": state.state,
        "a": dict(state.attributes),
        "c": context.id if bare else context.as_dict(),
        "lc": state.last_changed.timestamp(),
    }
    if state.last_updated != state.last_changed:
        payload["lu"] = state.last_updated.timestamp()
    return payload


def state_diff(old: State, new: State) -> dict[str, Any]:
    """What changed between two states, as `subscribe_entities` sends it (`+` additions, `-` removals)."""
    additions: dict[str, Any] = {}
    diff: dict[str, Any] = {"+": additions}
    if old.state != new.state:
        additions["s"] = new.state
    if old.last_changed != new.last_changed:
        additions["lc"] = new.last_changed.timestamp()
    elif old.last_updated != new.last_updated:
        additions["lu"] = new.last_updated.timestamp()
    context: dict[str, Any] = {}
    if old.context.parent_id != new.context.parent_id:
        context["parent_id"] = new.context.parent_id
    if old.context.user_id != new.context.user_id:
        context["user_id"] = new.context.user_id
    if old.context.id != new.context.id:
        additions["c"] = context | {"id": new.context.id} if context else new.context.id
    elif context:
        additions["c"] = context
    changed = {key: value for key, value in new.attributes.items() if old.attributes.get(key) != value}
    if changed:
        additions["a"] = changed
    if removed := [key for key in old.attributes if key not in new.attributes]:
        diff["-"] = {"a": removed}
    return {"c": {new.entity_id: diff}}
