"""What a simulated Matter lock does with Home Assistant's Matter lock actions (DoorLock cluster with the USR and PIN
features, as `matter/lock_helpers.py` drives it): users and PIN credentials in slots, PINs write-only, DlStatus
refusals (duplicate, occupied) and the validation errors Home Assistant raises before the lock is asked.
"""

from __future__ import annotations

from typing import Any

from providers.home_assistant.simulator_state import MatterCredential, MatterError, MatterStore, MatterUser

CLEAR_ALL = 0xFFFE
"""`user_index` / `credential_index` that clears every user / credential."""
USER_STATUSES = ("occupied_enabled", "occupied_disabled")
USER_TYPES = (
    "unrestricted_user",
    "year_day_schedule_user",
    "week_day_schedule_user",
    "programming_user",
    "non_access_user",
    "forced_user",
    "disposable_user",
    "expiring_user",
    "schedule_restricted_user",
    "remote_only_user",
)
CREDENTIAL_RULES = ("single", "dual", "tri")
CREDENTIAL_TYPES = ("pin", "rfid", "fingerprint", "finger_vein", "face")
NO_KEYPAD_ACCESS = frozenset({"non_access_user", "remote_only_user"})
INVALID_FIELD, RESOURCE_EXHAUSTED = "unknown(133)", "unknown(137)"
"""DlStatus values Home Assistant has no name for (kInvalidField 0x85, kResourceExhausted 0x89)."""


def _translated(message: str, key: str, **placeholders: str) -> MatterError:
    return MatterError(message, translation_key=key, translation_placeholders=placeholders, translation_domain="matter")


def _failed(status: str) -> MatterError:
    """SetCredential answered a DlStatus other than success (a `HomeAssistantError` in Home Assistant)."""
    message = f"Failed to set credential, the lock returned status: {status}"
    return MatterError(
        message,
        device=True,
        translation_key="set_credential_failed",
        translation_placeholders={"status": status},
        translation_domain="matter",
    )


def _first_free(taken: set[int] | dict[int, Any], last: int, *, after: int = 0) -> int | None:
    return next((index for index in range(after + 1, last + 1) if index not in taken), None)


def lock_info(store: MatterStore) -> dict[str, Any]:
    return {
        "supports_user_management": True,
        "supported_credential_types": ["pin"],
        "max_users": store.max_users,
        "max_pin_users": store.max_pin_users,
        "max_rfid_users": None,
        "max_credentials_per_user": store.max_credentials_per_user,
        "min_pin_length": store.min_pin_length,
        "max_pin_length": store.max_pin_length,
        "min_rfid_length": None,
        "max_rfid_length": None,
    }


def _user_payload(store: MatterStore, user: MatterUser) -> dict[str, Any]:
    credentials = [
        {"type": "pin", "index": index}
        for index, pin in sorted(store.pins.items())
        if pin.user_index == user.user_index
    ]
    return {
        "user_index": user.user_index,
        "user_name": user.user_name,
        "user_unique_id": user.user_unique_id,
        "user_status": user.user_status,
        "user_type": user.user_type,
        "credential_rule": user.credential_rule,
        "credentials": credentials,
        "next_user_index": min((index for index in store.users if index > user.user_index), default=None),
    }


def lock_users(store: MatterStore) -> dict[str, Any]:
    """Every occupied user slot with its credential slots; PINs are never part of it."""
    users = [_user_payload(store, store.users[index]) for index in sorted(store.users)]
    return {"total_users": len(users), "max_users": store.max_users, "users": users}


def set_user(store: MatterStore, fields: dict[str, Any]) -> dict[str, Any]:
    """SetUser: kAdd at the first free slot when `user_index` is left out, else kModify of an occupied slot
    (fields left out keep their value).
    """
    index = fields.get("user_index")
    if index is None:
        index = _first_free(store.users, store.max_users)
        if index is None:
            raise MatterError("No available user slots on the lock")
        store.users[index] = _new_user(index, fields)
        return {"user_index": index}
    user = store.users.get(index)
    if user is None:
        raise MatterError(f"User slot {index} is empty")
    for name in ("user_name", "user_unique_id", "user_status", "user_type", "credential_rule"):
        if fields.get(name) is not None:
            setattr(user, name, fields[name])
    return {"user_index": index}


def _new_user(index: int, fields: dict[str, Any]) -> MatterUser:
    return MatterUser(
        user_index=index,
        user_name=fields.get("user_name") or "",
        user_unique_id=fields.get("user_unique_id"),
        user_status=fields.get("user_status") or "occupied_enabled",
        user_type=fields.get("user_type") or "unrestricted_user",
        credential_rule=fields.get("credential_rule") or "single",
    )


def clear_user(store: MatterStore, index: int) -> None:
    """ClearUser: the user and its credentials (65534: every user)."""
    if index == CLEAR_ALL:
        store.users.clear()
        store.pins.clear()
        return
    if index > store.max_users:
        raise MatterError(f"User index {index} is out of range (1..{store.max_users})", device=True)
    store.users.pop(index, None)
    for credential_index in [i for i, pin in store.pins.items() if pin.user_index == index]:
        del store.pins[credential_index]


def _check_pin(store: MatterStore, credential_type: str, data: str) -> None:
    if credential_type != "pin":
        message = f"The lock does not support {credential_type} credentials"
        raise _translated(message, "credential_type_not_supported", credential_type=credential_type)
    if not data.isdigit():
        reason = "PIN must contain only digits"
        raise _translated(f"Invalid credential data: {reason}", "invalid_credential_data", reason=reason)
    if not store.min_pin_length <= len(data) <= store.max_pin_length:
        reason = f"PIN length must be between {store.min_pin_length} and {store.max_pin_length}"
        raise _translated(f"Invalid credential data: {reason}", "invalid_credential_data", reason=reason)


def set_credential(store: MatterStore, fields: dict[str, Any]) -> dict[str, Any]:
    """SetCredential: kModify if the slot holds a PIN, kAdd otherwise (a free slot is found when none is given;
    a new user is made when `user_index` is left out). `user_index` in the answer: the user this call created.
    """
    _check_pin(store, fields["credential_type"], fields["credential_data"])
    index, pin = fields.get("credential_index"), fields["credential_data"]
    if index is None:
        index = _first_free(store.pins, store.max_pin_users)
        if index is None:
            raise MatterError("No available credential slots on the lock")
    elif not 1 <= index <= store.max_pin_users:
        raise _failed(INVALID_FIELD)
    if any(held.data == pin for slot, held in store.pins.items() if slot != index):
        raise _failed("duplicate")
    created: int | None = None
    if index in store.pins:
        _modify(store, store.pins[index], fields)
    else:
        created = _add(store, index, fields)
    store.pins[index].data = pin
    next_free = _first_free(store.pins, store.max_pin_users, after=index)
    return {"credential_index": index, "user_index": created, "next_credential_index": next_free}


def _modify(store: MatterStore, existing: MatterCredential, fields: dict[str, Any]) -> None:
    user_index = fields.get("user_index")
    if user_index is not None and user_index != existing.user_index:
        raise _failed(INVALID_FIELD)
    _update_user(store.users[existing.user_index], fields)


def _add(store: MatterStore, index: int, fields: dict[str, Any]) -> int | None:
    """The user the new PIN belongs to: the given one, or a new one (returned when this call created it)."""
    user_index = fields.get("user_index")
    if user_index is not None and user_index in store.users:
        if sum(pin.user_index == user_index for pin in store.pins.values()) >= store.max_credentials_per_user:
            raise _failed(RESOURCE_EXHAUSTED)
        _update_user(store.users[user_index], fields)
        store.pins[index] = MatterCredential(index, user_index, "")
        return None
    if user_index is None:
        user_index = _first_free(store.users, store.max_users)
        if user_index is None:
            raise MatterError("No available user slots on the lock")
    elif not 1 <= user_index <= store.max_users:
        raise _failed(INVALID_FIELD)
    store.users[user_index] = _new_user(user_index, {k: v for k, v in fields.items() if k != "user_name"})
    store.pins[index] = MatterCredential(index, user_index, "")
    return user_index


def _update_user(user: MatterUser, fields: dict[str, Any]) -> None:
    for name in ("user_status", "user_type"):
        if fields.get(name) is not None:
            setattr(user, name, fields[name])


def clear_credential(store: MatterStore, credential_type: str, index: int) -> None:
    """ClearCredential (65534: every credential of the type); a user left without credentials is cleared too."""
    if credential_type != "pin":
        return
    cleared = list(store.pins) if index == CLEAR_ALL else [index] if index in store.pins else []
    for credential_index in cleared:
        user_index = store.pins.pop(credential_index).user_index
        if not any(pin.user_index == user_index for pin in store.pins.values()):
            store.users.pop(user_index, None)


def credential_status(store: MatterStore, credential_type: str, index: int) -> dict[str, Any]:
    held = store.pins.get(index) if credential_type == "pin" else None
    later = [slot for slot in store.pins if slot > index] if credential_type == "pin" else []
    return {
        "credential_exists": held is not None,
        "user_index": held.user_index if held else None,
        "next_credential_index": min(later, default=None),
    }


def admitting(store: MatterStore, pin: str) -> MatterUser | None:
    """The enabled user (allowed at the keypad) one of whose PINs `pin` is."""
    for held in store.pins.values():
        user = store.users.get(held.user_index)
        if (
            held.data == pin
            and user
            and user.user_status == "occupied_enabled"
            and user.user_type not in NO_KEYPAD_ACCESS
        ):
            return user
    return None


def pins(store: MatterStore) -> dict[int, str]:
    """user_index -> the user's PIN (the one in the lowest slot)."""
    found: dict[int, str] = {}
    for index in sorted(store.pins):
        found.setdefault(store.pins[index].user_index, store.pins[index].data)
    return found
