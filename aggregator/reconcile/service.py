"""Drift through the API and the command line: one lock's differences, the workspace's drifting locks (longest
first), and a reconcile asked for by a person.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from datetime import datetime

import msgspec

from aggregator.access_codes import repository as codes
from aggregator.connected_accounts import repository as accounts
from aggregator.db import Database
from aggregator.devices import repository as devices
from aggregator.devices.discovery import as_provider_device
from aggregator.devices.repository import StoredDevice
from aggregator.http import errors
from aggregator.http.context import RequestContext
from aggregator.http.errors import ApiError
from aggregator.http.provider_errors import api_error
from aggregator.reconcile import repository as reconciles
from aggregator.reconcile.drift import drift_items
from aggregator.reconcile.run import terms_for
from aggregator.reconcile.triggers import request_reconcile
from providers.errors import ProviderError
from providers.manifest import ProviderManifest
from schemas import DeviceDrift, Page

ManifestOf = Callable[[str], ProviderManifest]


async def drift_of(db: Database, stored: StoredDevice, manifest_of: ManifestOf, now: datetime) -> DeviceDrift:
    device = stored.device
    state = await reconciles.get_state(db, device.id)
    records = await codes.device_records(db, device.id)
    terms = terms_for(device, manifest_of(device.provider))
    items = drift_items(
        records,
        state.observed if state else None,
        now,
        terms,
        online=device.properties.online,
        last_error=state.last_error if state else None,
    )
    return DeviceDrift(
        device_id=device.id,
        device_name=device.name,
        connected_account_id=device.connected_account_id,
        in_sync=not items,
        drift_since=state.drift_since if state and items else None,
        observed_at=state.observed_at if state else None,
        items=items,
    )


async def device_drift(ctx: RequestContext, device_id: uuid.UUID | None, *, refresh: bool = False) -> DeviceDrift:
    """As last read from the lock, or (`refresh`) read from it now: one vendor call, nothing changed on the lock."""
    stored = await _stored(ctx, device_id)
    if refresh:
        await _read_lock(ctx, stored)
    return await drift_of(ctx.db, stored, _manifests(ctx), ctx.now)


async def _read_lock(ctx: RequestContext, stored: StoredDevice) -> None:
    device = stored.device
    account = await accounts.get_record(ctx.db, device.connected_account_id)
    if account is None or not device.capabilities.can_list_access_codes:
        return
    try:
        observed = await ctx.vendors.adapter(account.provider, account.id).list_access_codes(as_provider_device(device))
    except ProviderError as exc:
        raise api_error(exc) from exc
    await reconciles.ensure(ctx.db, device.id, ctx.workspace_id)
    records = await codes.device_records(ctx.db, device.id)
    terms = terms_for(device, ctx.vendors.provider(device.provider).manifest)
    items = drift_items(records, observed, ctx.now, terms, online=device.properties.online, last_error=None)
    await reconciles.note_observation(ctx.db, device.id, observed=observed, at=ctx.now, in_sync=not items)


async def reconcile_now(ctx: RequestContext, device_id: uuid.UUID | None) -> DeviceDrift:
    """`POST /v1/devices/{id}/reconcile`: a reconcile is queued; the answer is the drift as known before it runs."""
    stored = await _stored(ctx, device_id)
    await request_reconcile(ctx.db, ctx.jobs, stored.device.id, ctx.workspace_id)
    return await drift_of(ctx.db, stored, _manifests(ctx), ctx.now)


async def workspace_drift(
    db: Database, workspace_id: uuid.UUID, manifest_of: ManifestOf, now: datetime, *, limit: int, cursor: str | None
) -> Page[DeviceDrift]:
    """Locks out of sync, the longest drifting first."""
    rows = await reconciles.drifting(db, workspace_id, limit + 1, _decode(cursor) if cursor else None)
    page: list[DeviceDrift] = []
    for state in rows[:limit]:
        stored = await devices.stored_device(db, state.device_id)
        drift = await drift_of(db, stored, manifest_of, now) if stored is not None else None
        if drift is not None and not drift.in_sync:  # a change that leaves the lock as it is: nothing to show
            page.append(drift)
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = _encode(last.drift_since, last.device_id) if last and last.drift_since else None
    return Page(data=page, next_cursor=next_cursor)


def _manifests(ctx: RequestContext) -> ManifestOf:
    return lambda slug: ctx.vendors.provider(slug).manifest


async def _stored(ctx: RequestContext, device_id: uuid.UUID | None) -> StoredDevice:
    stored = await devices.stored_device(ctx.db, device_id) if device_id else None
    if stored is None or stored.workspace_id != ctx.workspace_id:
        raise ApiError(errors.DEVICE_NOT_FOUND)
    return stored


class _Cursor(msgspec.Struct, array_like=True):
    since: datetime
    device_id: uuid.UUID


def _encode(since: datetime, device_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(_Cursor(since, device_id))).rstrip(b"=").decode()


def _decode(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        decoded = msgspec.json.decode(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)), type=_Cursor)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise ApiError(
            errors.INVALID_CURSOR, "Pass back a next_cursor exactly as a previous page returned it."
        ) from None
    return decoded.since, decoded.device_id
