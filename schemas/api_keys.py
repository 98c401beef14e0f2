"""API keys and their scopes: what a key may do inside its workspace."""

from __future__ import annotations

import enum
from typing import Annotated
from uuid import UUID

import msgspec

from schemas.base import AwareDatetime, Name, RequestStruct, WireStruct


class Scope(enum.StrEnum):
    """What an API key may do. `admin` holds every other scope; a write scope holds its read scope."""

    ADMIN = "admin"
    DEVICES_READ = "devices:read"
    DEVICES_OPERATE = "devices:operate"
    ACCESS_CODES_READ = "access_codes:read"
    ACCESS_CODES_WRITE = "access_codes:write"
    EVENTS_READ = "events:read"


class ApiKey(WireStruct):
    """An API key as listed: never its secret, only the first characters to recognise it by."""

    id: UUID
    name: str
    scopes: list[Scope]
    secret_prefix: str
    created_at: AwareDatetime
    last_used_at: AwareDatetime | None
    revoked_at: AwareDatetime | None


class ApiKeyWithSecret(ApiKey):
    """The answer to creating a key: the only time its `secret` is shown.

    `secret` is null when this answer is an `Idempotency-Key` replay: secrets are never stored, so a client
    that lost the first answer should revoke this key and create another.
    """

    secret: str | None


class ApiKeyCreate(RequestStruct):
    """Body of `POST /v1/api_keys`."""

    name: Name
    scopes: Annotated[list[Scope], msgspec.Meta(min_length=1)]
