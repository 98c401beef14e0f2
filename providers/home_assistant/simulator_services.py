"""The simulated Home Assistant's service registry: the `lock` services (described as Home Assistant 2024.3.3 describes
them) and, when enabled, the Matter lock user/credential actions; which of them answer with data; and their schemas,
checked with voluptuous' messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from providers.home_assistant.simulator_matter import CREDENTIAL_RULES, CREDENTIAL_TYPES, USER_STATUSES, USER_TYPES
from providers.home_assistant.simulator_state import ENTITY_ID, Invalid

NONE, OPTIONAL, ONLY = "none", "optional", "only"
"""`SupportsResponse`."""
TARGET_KEYS = ("entity_id", "device_id", "area_id", "floor_id", "label_id")
Check = Callable[[Any], Any]


def _lock_service(name: str, verb: str, features: list[int] | None = None) -> dict[str, Any]:
    code = {
        "example": 1234,
        "selector": {"text": None},
        "name": "Code",
        "description": f"Code used to {verb} the lock.",
    }
    entity: dict[str, Any] = {"domain": ["lock"]} | ({"supported_features": features} if features else {})
    return {
        "name": name,
        "description": f"{verb.capitalize()}s a lock.",
        "fields": {"code": code},
        "target": {"entity": [entity]},
    }


LOCK_SERVICES = {
    "unlock": _lock_service("Unlock", "unlock"),
    "lock": _lock_service("Lock", "lock"),
    "open": _lock_service("Open", "open", [1]),
}


def _field(name: str, description: str, selector: dict[str, Any], *, required: bool = False) -> dict[str, Any]:
    return {"required": required, "selector": selector, "name": name, "description": description}


def _select(options: tuple[str, ...]) -> dict[str, Any]:
    return {"select": {"options": list(options), "translation_key": None}}


_INDEX = {"number": {"min": 1, "max": 65534, "mode": "box", "step": 1}}
_SLOT = {"number": {"min": 0, "max": 65534, "mode": "box", "step": 1}}
_USER_FIELDS = {
    "user_status": _field("User status", "Whether the user may use the lock.", _select(USER_STATUSES)),
    "user_type": _field("User type", "The kind of user.", _select(USER_TYPES)),
}
_CREDENTIAL_TYPE = _field("Credential type", "The type of credential.", _select(CREDENTIAL_TYPES), required=True)
MATTER_FIELDS: dict[str, dict[str, Any]] = {
    "get_lock_info": {},
    "get_lock_users": {},
    "set_lock_user": {
        "user_index": _field("User index", "The user slot; leave out to use the first free one.", _INDEX),
        "user_name": _field("User name", "The name of the user.", {"text": None}),
        **_USER_FIELDS,
        "credential_rule": _field("Credential rule", "How many credentials open.", _select(CREDENTIAL_RULES)),
    },
    "clear_lock_user": {
        "user_index": _field("User index", "The user slot to clear (65534 clears every user).", _INDEX, required=True),
    },
    "set_lock_credential": {
        "credential_type": _CREDENTIAL_TYPE,
        "credential_data": _field("Credential data", "The PIN code.", {"text": None}, required=True),
        "credential_index": _field("Credential index", "The slot; leave out to use the first free one.", _SLOT),
        "user_index": _field("User index", "The user; leave out to create one.", _INDEX),
        **_USER_FIELDS,
    },
    "clear_lock_credential": {
        "credential_type": _CREDENTIAL_TYPE,
        "credential_index": _field("Credential index", "The slot to clear.", _SLOT, required=True),
    },
    "get_lock_credential_status": {
        "credential_type": _CREDENTIAL_TYPE,
        "credential_index": _field("Credential index", "The slot to look at.", _SLOT, required=True),
    },
}
MATTER_RESPONSES = {
    "get_lock_info": ONLY,
    "get_lock_users": ONLY,
    "set_lock_user": OPTIONAL,
    "clear_lock_user": NONE,
    "set_lock_credential": ONLY,
    "clear_lock_credential": NONE,
    "get_lock_credential_status": ONLY,
}


def describe(matter: bool) -> dict[str, dict[str, Any]]:
    """Domain -> service -> description (`get_services`; `/api/services` lists the same per domain)."""
    domains: dict[str, dict[str, Any]] = {"lock": dict(LOCK_SERVICES)}
    if matter:
        domains["matter"] = {name: _matter_description(name) for name in MATTER_FIELDS}
    return domains


def _matter_description(service: str) -> dict[str, Any]:
    title = service.replace("_", " ").capitalize()
    description: dict[str, Any] = {
        "name": title,
        "description": f"{title} of a Matter lock.",
        "fields": MATTER_FIELDS[service],
        "target": {"entity": [{"integration": "matter", "domain": ["lock"]}]},
    }
    if MATTER_RESPONSES[service] != NONE:
        description["response"] = {"optional": MATTER_RESPONSES[service] == OPTIONAL}
    return description


# -- schemas ---------------------------------------------------------------------------------------------------


def _integer(low: int) -> Check:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).lstrip("-").isdigit():
            raise ValueError("expected int")
        if int(value) < low:
            raise ValueError(f"value must be at least {low}")
        return int(value)

    return check


def _string(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("expected str")
    return str(value)


def _name(value: Any) -> str | None:
    return None if value is None else _string(value)


def _one_of(options: tuple[str, ...]) -> Check:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"value must be one of {sorted(options)}")
        return str(value)

    return check


def _entity_ids(value: Any) -> list[str]:
    """`cv.comp_entity_ids`: one id, a comma-separated string or a list (also "all" / "none")."""
    ids = [part.strip().lower() for part in value.split(",")] if isinstance(value, str) else value
    if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
        raise ValueError("not a valid value")
    for item in ids:
        if item not in ("all", "none") and not ENTITY_ID.match(item):
            raise ValueError(f"Entity ID {item} is an invalid entity ID")
    return ids


def _ids(value: Any) -> list[str]:
    ids = [value] if isinstance(value, str) else value
    if not isinstance(ids, list) or not all(isinstance(item, str) for item in ids):
        raise ValueError("not a valid value")
    return ids


_USER_CHECKS: dict[str, Check] = {"user_status": _one_of(USER_STATUSES), "user_type": _one_of(USER_TYPES)}
_CREDENTIAL = {"credential_type": _one_of(CREDENTIAL_TYPES), "credential_index": _integer(0)}
SCHEMAS: dict[str, dict[str, Check]] = {
    "lock": {"code": _string},
    "get_lock_info": {},
    "get_lock_users": {},
    "set_lock_user": {
        "user_index": _integer(1),
        "user_name": _name,
        "user_unique_id": _integer(0),
        "credential_rule": _one_of(CREDENTIAL_RULES),
        **_USER_CHECKS,
    },
    "clear_lock_user": {"user_index": _integer(1)},
    "set_lock_credential": {
        **_CREDENTIAL,
        "credential_data": _string,
        "user_index": _integer(1),
        **_USER_CHECKS,
    },
    "clear_lock_credential": dict(_CREDENTIAL),
    "get_lock_credential_status": dict(_CREDENTIAL),
}
REQUIRED = {
    "clear_lock_user": ("user_index",),
    "set_lock_credential": ("credential_type", "credential_data"),
    "clear_lock_credential": ("credential_type", "credential_index"),
    "get_lock_credential_status": ("credential_type", "credential_index"),
}
_TARGET_CHECKS: dict[str, Check] = {"entity_id": _entity_ids} | {key: _ids for key in TARGET_KEYS[1:]}


def validate(domain: str, service: str, data: Any) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """(target, fields) of a call's data, or `Invalid` with voluptuous' message for the first fault."""
    if not isinstance(data, dict):
        raise Invalid("expected a dictionary")
    schema = SCHEMAS["lock" if domain == "lock" else service]
    target: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for key, value in data.items():
        check = _TARGET_CHECKS.get(key) or schema.get(key)
        if check is None:
            raise Invalid(f"extra keys not allowed @ data[{key!r}]")
        try:
            checked = check(value)
        except ValueError as exc:
            raise Invalid(f"{exc} for dictionary value @ data[{key!r}]") from None
        (target if key in _TARGET_CHECKS else fields)[key] = checked
    for key in REQUIRED.get(service, ()) if domain == "matter" else ():
        if key not in fields:
            raise Invalid(f"required key not provided @ data[{key!r}]")
    return target, fields
