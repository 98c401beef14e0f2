"""Reading devices; an id from another workspace is simply not found."""

from __future__ import annotations

import uuid

from aggregator.db import Database
from aggregator.devices import repository
from aggregator.http import errors
from aggregator.http.errors import ApiError
from aggregator.http.pagination import PageRequest, build_page
from schemas import Device, Page


async def get_device(db: Database, workspace_id: uuid.UUID, device_id: uuid.UUID | None) -> Device:
    device = await repository.get_device(db, workspace_id, device_id) if device_id else None
    if device is None:
        raise ApiError(errors.DEVICE_NOT_FOUND)
    return device


async def list_devices(
    db: Database,
    workspace_id: uuid.UUID,
    page: PageRequest,
    *,
    provider: str | None,
    connected_account_id: uuid.UUID | None,
) -> Page[Device]:
    devices = await repository.list_devices(
        db, workspace_id, page, provider=provider, connected_account_id=connected_account_id
    )
    return build_page(devices, page)
