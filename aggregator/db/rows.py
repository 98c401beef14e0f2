"""Helpers that turn database values into wire values the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def from_json(value: str | bytes | None, type_: type[T], default: T) -> T:
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
    """Asyncpg returns its own UUID type; normalise to the standard library's."""
    return value if type(value) is uuid.UUID else uuid.UUID(str(value))


def as_uuid_or_none(value: Any) -> uuid.UUID | None:
    return None if value is None else as_uuid(value)
