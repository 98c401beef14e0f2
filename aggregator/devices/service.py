"""Reading devices and renaming them; an id from another workspace is simply not found. Answers are stored API
documents.
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from aggregator.audit import service as audit
from aggregator.db import Database
from aggregator.devices import repository
from aggregator.devices.discovery import overridden
from aggregator.http import errors
from aggregator.http.context import RequestContext
from aggregator.http.errors import ApiError, found
from aggregator.http.pagination import PageRequest, encode_stored_page
from schemas import DeviceUpdate


async def device_document(db: Database, workspace_id: uuid.UUID, device_id: uuid.UUID | None) -> bytes:
    return found(
        await repository.get_document(db, workspace_id, device_id) if device_id else None, errors.DEVICE_NOT_FOUND
    )


async def device_page(
    db: Database,
    workspace_id: uuid.UUID,
    page: PageRequest,
    *,
    provider: str | None,
    connected_account_id: uuid.UUID | None,
) -> bytes:
    documents = await repository.list_documents(
        db, workspace_id, page, provider=provider, connected_account_id=connected_account_id
    )
    return encode_stored_page(documents, page, id_of=repository.document_id)


async def update_device(ctx: RequestContext, device_id: uuid.UUID | None, data: DeviceUpdate) -> bytes:
    """`PATCH /v1/devices/{id}`: the gateway's own name or time zone; null gives the vendor's back."""
    timezone = data.timezone if data.timezone is msgspec.UNSET else _zone(data.timezone)
    async with ctx.db.transaction():
        stored = await repository.stored_device(ctx.db, device_id, for_update=True) if device_id else None
        if stored is None or stored.workspace_id != ctx.workspace_id:
            raise ApiError(errors.DEVICE_NOT_FOUND)
        name = stored.name_override if data.name is msgspec.UNSET else data.name
        zone = stored.timezone_override if timezone is msgspec.UNSET else timezone
        before = stored.device
        after = overridden(before, name=name, timezone=zone, now=ctx.now)
        await repository.set_overrides(ctx.db, before.id, name=name, timezone=zone)
        await repository.save_device(ctx.db, after, workspace_id=ctx.workspace_id, observed_at=stored.observed_at)
        await audit.record_change(
            ctx,
            "device.updated",
            "device",
            before.id,
            before={"name": before.name, "timezone": before.timezone},
            after={"name": after.name, "timezone": after.timezone},
        )
    return await device_document(ctx.db, ctx.workspace_id, before.id)


def _zone(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        detail = f"{name!r} is not an IANA time zone name (such as Europe/Berlin)."
        raise ApiError(
            errors.VALIDATION_ERROR, detail, field_errors=[{"field": "timezone", "message": detail}]
        ) from None
    return name
