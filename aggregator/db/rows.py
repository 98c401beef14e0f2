"""Turn database values into wire values the same way on SQLite (plain text) and PostgreSQL (typed objects)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def from_json(value: str | bytes | None, type_: Any, default: T) -> T:
    """Decode a JSON column into `type_` (both engines hand JSON columns back as text)."""
    if value is None:
        return default
    decoder = _decoders.get(type_)
    if decoder is None:
        decoder = _decoders[type_] = msgspec.json.Decoder(type_)
    result: T = decoder.decode(value)
    return result


def to_json(value: Any) -> str | None:
    """Encode a document for a JSON column; structs become plain JSON objects."""
    if value is None:
        return None
    return msgspec.json.encode(value).decode()


def as_uuid(value: Any) -> uuid.UUID:
    """SQLite gives text; asyncpg gives its own UUID type. Both become the standard library's."""
    return value if type(value) is uuid.UUID else uuid.UUID(str(value))


def as_uuid_or_none(value: Any) -> uuid.UUID | None:
    return None if value is None else as_uuid(value)


def as_datetime(value: Any) -> datetime:
    """SQLite gives piccolo's text form (`2026-05-01 12:00:00+00:00`); PostgreSQL an aware datetime."""
    result = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return result if result.tzinfo is not None else result.replace(tzinfo=UTC)


def as_datetime_or_none(value: Any) -> datetime | None:
    return None if value is None else as_datetime(value)


def as_bool_or_none(value: Any) -> bool | None:
    return None if value is None else bool(value)


def as_list(value: Any) -> list[Any]:
    """Piccolo's Array columns: JSON text in SQLite, an array in PostgreSQL."""
    if isinstance(value, list):
        return value
    return list(msgspec.json.decode(value)) if value else []
