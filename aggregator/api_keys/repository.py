"""All queries on API keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregator.db import Database, Row
from aggregator.db.rows import as_datetime, as_datetime_or_none, as_list, as_uuid
from aggregator.db.tables import ApiKeys
from aggregator.http.pagination import PageRequest, keyset
from schemas import ApiKey, Scope

_COLUMNS = "id, name, scopes, secret_prefix, created_at, last_used_at, revoked_at"


@dataclass(frozen=True, slots=True)
class StoredCredential:
    """What authentication needs to know about the key behind a secret hash, as the driver returns it.

    Left unconverted: the key's id, workspace and scopes never change, so authentication converts them
    once per key and remembers the result; only `revoked_at` and `last_used_at` are read every time.
    """

    raw_id: Any
    raw_workspace_id: Any
    raw_scopes: Any
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def id(self) -> uuid.UUID:
        return as_uuid(self.raw_id)

    @property
    def workspace_id(self) -> uuid.UUID:
        return as_uuid(self.raw_workspace_id)

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(as_list(self.raw_scopes))


async def insert_key(db: Database, key: ApiKey, *, workspace_id: uuid.UUID, secret_hash: str) -> None:
    await ApiKeys.insert(
        ApiKeys(
            id=key.id,
            workspace_id=workspace_id,
            name=key.name,
            secret_hash=secret_hash,
            secret_prefix=key.secret_prefix,
            scopes=[scope.value for scope in key.scopes],
            created_at=key.created_at,
        )
    ).run()


async def get_key(db: Database, workspace_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
    row = await db.fetch_one(f"SELECT {_COLUMNS} FROM api_keys WHERE id = ? AND workspace_id = ?", key_id, workspace_id)
    return _api_key(row) if row else None


async def list_keys(db: Database, workspace_id: uuid.UUID, page: PageRequest) -> list[ApiKey]:
    tail, params = keyset({"workspace_id = ?": workspace_id}, page)
    return [_api_key(row) for row in await db.fetch_all(f"SELECT {_COLUMNS} FROM api_keys {tail}", *params)]


async def revoke_key(db: Database, key_id: uuid.UUID, at: datetime) -> bool:
    """Set `revoked_at` unless it is set already; True when this call revoked the key."""
    row = await db.fetch_one(
        "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL RETURNING id", at, key_id
    )
    return row is not None


async def find_credential(db: Database, secret_hash: str) -> StoredCredential | None:
    row = await db.fetch_one(
        "SELECT id, workspace_id, scopes, revoked_at, last_used_at FROM api_keys WHERE secret_hash = ?", secret_hash
    )
    if row is None:
        return None
    return StoredCredential(row[0], row[1], row[2], as_datetime_or_none(row[3]), as_datetime_or_none(row[4]))


async def mark_used(db: Database, key_id: uuid.UUID, at: datetime) -> None:
    await db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?", at, key_id)


def _api_key(row: Row) -> ApiKey:
    return ApiKey(
        id=as_uuid(row[0]),
        name=row[1],
        scopes=[Scope(scope) for scope in as_list(row[2])],
        secret_prefix=row[3],
        created_at=as_datetime(row[4]),
        last_used_at=as_datetime_or_none(row[5]),
        revoked_at=as_datetime_or_none(row[6]),
    )
