"""All queries on connected accounts. Credentials are never selected here: they do not leave the gateway."""

from __future__ import annotations

import uuid

from aggregator.db import Database, Row
from aggregator.db.rows import as_datetime, as_uuid, from_json
from aggregator.http.pagination import PageRequest, keyset
from schemas import ConnectedAccount, ConnectedAccountStatus, ResourceIssue

_COLUMNS = "id, provider, status, display_name, errors, warnings, created_at, updated_at"
_NO_ISSUES: list[ResourceIssue] = []


async def get_account(db: Database, workspace_id: uuid.UUID, account_id: uuid.UUID) -> ConnectedAccount | None:
    row = await db.fetch_one(
        f"SELECT {_COLUMNS} FROM connected_accounts WHERE id = ? AND workspace_id = ?", account_id, workspace_id
    )
    return _account(row) if row else None


async def list_accounts(
    db: Database, workspace_id: uuid.UUID, page: PageRequest, *, provider: str | None = None
) -> list[ConnectedAccount]:
    tail, values = keyset({"workspace_id = ?": workspace_id, "provider = ?": provider}, page)
    rows = await db.fetch_all(f"SELECT {_COLUMNS} FROM connected_accounts {tail}", *values)
    return [_account(row) for row in rows]


def _account(row: Row) -> ConnectedAccount:
    return ConnectedAccount(
        id=as_uuid(row[0]),
        provider=row[1],
        status=ConnectedAccountStatus(row[2]),
        display_name=row[3],
        errors=from_json(row[4], list[ResourceIssue], _NO_ISSUES),
        warnings=from_json(row[5], list[ResourceIssue], _NO_ISSUES),
        created_at=as_datetime(row[6]),
        updated_at=as_datetime(row[7]),
    )
