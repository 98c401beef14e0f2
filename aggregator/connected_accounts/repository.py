"""All queries on connected accounts. Credentials are only ever written here, sealed, and never selected for the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from aggregator.db import Database, Row
from aggregator.db.rows import as_datetime, as_datetime_or_none, as_uuid, from_json, to_json
from aggregator.http.pagination import PageRequest, keyset
from schemas import ConnectedAccount, ConnectedAccountStatus, ResourceIssue

_COLUMNS = "id, provider, status, display_name, errors, warnings, created_at, updated_at"
_NO_ISSUES: list[ResourceIssue] = []


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """What jobs need about an account, in any workspace."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    provider: str
    status: ConnectedAccountStatus
    events_synced_until: datetime | None


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


async def get_record(db: Database, account_id: uuid.UUID) -> AccountRecord | None:
    row = await db.fetch_one(
        "SELECT id, workspace_id, provider, status, events_synced_until FROM connected_accounts WHERE id = ?",
        account_id,
    )
    if row is None:
        return None
    return AccountRecord(
        as_uuid(row[0]), as_uuid(row[1]), row[2], ConnectedAccountStatus(row[3]), as_datetime_or_none(row[4])
    )


async def find_by_vendor_account(
    db: Database, workspace_id: uuid.UUID, provider: str, provider_account_id: str
) -> uuid.UUID | None:
    row = await db.fetch_one(
        "SELECT id FROM connected_accounts WHERE workspace_id = ? AND provider = ? AND provider_account_id = ?",
        workspace_id,
        provider,
        provider_account_id,
    )
    return as_uuid(row[0]) if row else None


async def insert_account(
    db: Database,
    *,
    account_id: uuid.UUID,
    workspace_id: uuid.UUID,
    provider: str,
    provider_account_id: str,
    display_name: str | None,
    sealed_credentials: str,
    at: datetime,
) -> bool:
    """A new account; False when the workspace has this vendor account already (another login just made it)."""
    row = await db.fetch_one(
        "INSERT INTO connected_accounts (id, workspace_id, provider, provider_account_id, status, display_name, "
        "credentials_ciphertext, errors, warnings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (workspace_id, provider, provider_account_id) DO NOTHING RETURNING id",
        account_id,
        workspace_id,
        provider,
        provider_account_id,
        ConnectedAccountStatus.ACTIVE.value,
        display_name,
        sealed_credentials,
        "[]",
        "[]",
        at,
        at,
    )
    return row is not None


async def replace_login(
    db: Database, account_id: uuid.UUID, *, display_name: str | None, sealed_credentials: str, at: datetime
) -> None:
    """New credentials for an existing account (a reconnect): it is active again and its errors are gone."""
    await db.execute(
        "UPDATE connected_accounts SET credentials_ciphertext = ?, display_name = ?, status = ?, errors = ?, "
        "updated_at = ? WHERE id = ?",
        sealed_credentials,
        display_name,
        ConnectedAccountStatus.ACTIVE.value,
        "[]",
        at,
        account_id,
    )


async def set_status(
    db: Database, account_id: uuid.UUID, status: ConnectedAccountStatus, errors: list[ResourceIssue], at: datetime
) -> bool:
    """Change the status; True when it was another status before (so the change is news)."""
    row = await db.fetch_one(
        "UPDATE connected_accounts SET status = ?, errors = ?, updated_at = ? WHERE id = ? AND status <> ? "
        "RETURNING id",
        status.value,
        to_json(errors),
        at,
        account_id,
        status.value,
    )
    return row is not None


async def lock_account(db: Database, account_id: uuid.UUID) -> None:
    """Inside a transaction: hold the account's row until it ends (PostgreSQL; SQLite serialises writers anyway),
    so that two syncs of one account never interleave.
    """
    if db.dialect == "postgres":
        await db.fetch_one("SELECT id FROM connected_accounts WHERE id = ? FOR UPDATE", account_id)


async def mark_synced(db: Database, account_id: uuid.UUID, *, at: datetime, events_until: datetime | None) -> None:
    await db.execute(
        "UPDATE connected_accounts SET last_synced_at = ?, events_synced_until = COALESCE(?, events_synced_until) "
        "WHERE id = ?",
        at,
        events_until,
        account_id,
    )


async def delete_account(db: Database, account_id: uuid.UUID) -> None:
    """Remove the account and, by cascade, its devices, codes and action attempts (events stay: they are history)."""
    await db.execute("DELETE FROM connected_accounts WHERE id = ?", account_id)


async def active_accounts(db: Database) -> list[uuid.UUID]:
    rows = await db.fetch_all("SELECT id FROM connected_accounts WHERE status = ? ORDER BY id", "active")
    return [as_uuid(row[0]) for row in rows]


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


def issue(code: str, message: str, at: datetime) -> ResourceIssue:
    return ResourceIssue(error_code=code, message=message, created_at=at)
