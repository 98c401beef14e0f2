"""All queries on devices. A device is stored as its API document, so reads serve stored JSON as it is.

`GET /v1/devices/{id}` and the device list are the gateway's hottest reads; decoding a row into a struct and
encoding it again cost more than the query. The document is written in one place (`save_device`) from the
`Device` struct, and carries `DOCUMENT_VERSION`: a document written by an older `Device` is re-rendered
on read, so a new field never goes missing (tests/aggregator/devices pins the version to the schema).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec

from aggregator.db import Database, Row
from aggregator.db.rows import as_datetime_or_none, as_uuid
from aggregator.http.pagination import PageRequest, keyset
from schemas import Device

DOCUMENT_VERSION = 3
"""Bump when `schemas.Device` changes shape."""

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Device)


_STORED = "document, document_version, workspace_id, name_override, timezone_override, observed_at"


class _IdOnly(msgspec.Struct):
    id: str


_UPSERT = (
    "INSERT INTO devices (id, workspace_id, connected_account_id, provider, provider_device_id, document, "
    "document_version, created_at, updated_at, observed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET connected_account_id = excluded.connected_account_id, "
    "provider = excluded.provider, provider_device_id = excluded.provider_device_id, document = excluded.document, "
    "document_version = excluded.document_version, updated_at = excluded.updated_at, "
    "observed_at = COALESCE(excluded.observed_at, devices.observed_at) "
    "WHERE devices.observed_at IS NULL OR excluded.observed_at IS NULL OR excluded.observed_at >= devices.observed_at"
)


async def save_device(
    db: Database, device: Device, *, workspace_id: uuid.UUID, observed_at: datetime | None = None
) -> None:
    """Insert or replace the device and its document (the only writer of device documents). `observed_at` is when
    the vendor state in it was read: a read older than the stored one is dropped (a slow sync never undoes the
    state an action just read back).
    """
    device = _in_utc(device)
    await db.execute(
        _UPSERT,
        device.id,
        workspace_id,
        device.connected_account_id,
        device.provider,
        device.provider_device_id,
        _encoder.encode(device),
        DOCUMENT_VERSION,
        device.created_at,
        device.updated_at,
        observed_at,
    )


@dataclass(frozen=True, slots=True)
class StoredDevice:
    """A device with what people set on it in the gateway (kept apart from what the vendor reports)."""

    device: Device
    workspace_id: uuid.UUID
    name_override: str | None
    timezone_override: str | None
    observed_at: datetime | None = None


async def account_devices(db: Database, account_id: uuid.UUID) -> dict[str, StoredDevice]:
    """The account's devices by vendor id (locked for the transaction on PostgreSQL: a sync and a rename of one
    device never interleave).
    """
    sql = f"SELECT {_STORED} FROM devices WHERE connected_account_id = ? ORDER BY id{_for_update(db)}"
    rows = await db.fetch_all(sql, account_id)
    return {stored.device.provider_device_id: stored for stored in map(_stored, rows)}


async def stored_device(db: Database, device_id: uuid.UUID, *, for_update: bool = False) -> StoredDevice | None:
    """A device in any workspace (for jobs, which carry ids only); `for_update` inside a transaction locks its row."""
    lock = _for_update(db) if for_update else ""
    row = await db.fetch_one(f"SELECT {_STORED} FROM devices WHERE id = ?{lock}", device_id)
    return _stored(row) if row else None


def _for_update(db: Database) -> str:
    """SQLite serialises write transactions already; PostgreSQL needs the row lock."""
    return " FOR UPDATE" if db.dialect == "postgres" else ""


async def set_overrides(db: Database, device_id: uuid.UUID, *, name: str | None, timezone: str | None) -> None:
    await db.execute(
        "UPDATE devices SET name_override = ?, timezone_override = ? WHERE id = ?", name, timezone, device_id
    )


def _stored(row: Row) -> StoredDevice:
    device = _decoder.decode(_current(row[0], row[1]))
    return StoredDevice(device, as_uuid(row[2]), row[3], row[4], as_datetime_or_none(row[5]))


async def get_device(db: Database, workspace_id: uuid.UUID, device_id: uuid.UUID) -> Device | None:
    document = await get_document(db, workspace_id, device_id)
    return _decoder.decode(document) if document is not None else None


async def get_document(db: Database, workspace_id: uuid.UUID, device_id: uuid.UUID) -> bytes | None:
    """The device's API JSON, ready to send."""
    row = await db.fetch_one(
        "SELECT document, document_version FROM devices WHERE id = ? AND workspace_id = ?", device_id, workspace_id
    )
    return _current(row[0], row[1]) if row else None


async def list_documents(
    db: Database,
    workspace_id: uuid.UUID,
    page: PageRequest,
    *,
    provider: str | None = None,
    connected_account_id: uuid.UUID | None = None,
) -> list[bytes]:
    """The API JSON of a page of devices (plus one, to tell whether another page follows), in id order."""
    conditions = {
        "workspace_id = ?": workspace_id,
        "provider = ?": provider,
        "connected_account_id = ?": connected_account_id,
    }
    tail, values = keyset(conditions, page)
    rows = await db.fetch_all(f"SELECT document, document_version FROM devices {tail}", *values)
    return [document if version == DOCUMENT_VERSION else _current(document, version) for document, version in rows]


def document_id(document: bytes) -> uuid.UUID:
    """The id inside a device document (what a page's cursor is made of)."""
    return uuid.UUID(msgspec.json.decode(document, type=_IdOnly).id)


def _in_utc(device: Device) -> Device:
    """Documents are sent as stored, and the API promises UTC: normalise every timestamp before storing."""
    return msgspec.structs.replace(
        device,
        created_at=device.created_at.astimezone(UTC),
        updated_at=device.updated_at.astimezone(UTC),
        errors=[msgspec.structs.replace(issue, created_at=issue.created_at.astimezone(UTC)) for issue in device.errors],
        warnings=[
            msgspec.structs.replace(issue, created_at=issue.created_at.astimezone(UTC)) for issue in device.warnings
        ],
    )


def _current(document: bytes, version: int) -> bytes:
    """The stored document, re-rendered through today's `Device` when an older one wrote it."""
    document = bytes(document)
    if version == DOCUMENT_VERSION:
        return document
    return _encoder.encode(_decoder.decode(document))


async def by_vendor_ids(
    db: Database, provider: str, provider_device_ids: list[str], account_id: uuid.UUID | None
) -> list[StoredDevice]:
    """The devices a vendor names by its own ids: within one account, or in any account (`account_id` None)."""
    found = []
    for vendor_id in dict.fromkeys(provider_device_ids):
        sql = f"SELECT {_STORED} FROM devices WHERE provider = ? AND provider_device_id = ?"
        args: list[object] = [provider, vendor_id]
        if account_id is not None:
            sql, args = sql + " AND connected_account_id = ?", [*args, account_id]
        found += [_stored(row) for row in await db.fetch_all(sql, *args)]
    return found
