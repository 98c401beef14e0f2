"""Wanted codes through the API: created, changed and revoked in the database at once (checked first against the
lock), then carried to the lock by a reconcile that each change asks for.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aggregator.access_codes import issuing, repository, validation
from aggregator.access_codes.repository import CodeRecord
from aggregator.access_codes.views import adopted, audit_view, changed, new_record, revoked
from aggregator.audit import service as audit
from aggregator.db import is_unique_violation
from aggregator.devices import repository as devices
from aggregator.events.repository import NewEvent, insert_event
from aggregator.http import errors
from aggregator.http.context import RequestContext
from aggregator.http.errors import ApiError, found
from aggregator.http.pagination import PageRequest, build_page
from aggregator.reconcile import repository as reconciles
from aggregator.reconcile.run import terms_for
from aggregator.reconcile.triggers import run_for
from schemas import AccessCode, AccessCodeCreate, AccessCodeUpdate, Device, EventSource, EventType, Page


async def create_code(ctx: RequestContext, data: AccessCodeCreate) -> AccessCode:
    device = found(await devices.get_device(ctx.db, ctx.workspace_id, data.device_id), errors.DEVICE_NOT_FOUND)
    validation.check_capabilities(device, offline=data.is_offline_access_code, one_time=data.is_one_time_use)
    validation.check_window(data.starts_at, data.ends_at, ctx.now)
    if data.is_offline_access_code:
        return await _issue_offline(ctx, device, data)
    terms = terms_for(device, ctx.vendors.provider(device.provider).manifest)
    async with _changing(ctx, device):
        taken = await repository.pins_on_device(ctx.db, device.id)
        pin = await _pin_for(ctx, device, data, taken)
        record = new_record(ctx.workspace_id, device, data, pin, ctx.now, terms)
        await repository.insert_code(ctx.db, record)
        await _announce(ctx, device, record, "access_code.created", EventType.ACCESS_CODE_CREATED, before=None)
    return record.code


async def _issue_offline(ctx: RequestContext, device: Device, data: AccessCodeCreate) -> AccessCode:
    """The vendor computes the PIN now (outside any transaction); the code is kept and announced as issued."""
    record = await issuing.issue(ctx, device, data, issuing.fitted_window(device, data, ctx.now))
    async with _changing(ctx, device):
        await repository.insert_code(ctx.db, record)
        await _announce(ctx, device, record, "access_code.created", EventType.ACCESS_CODE_CREATED, before=None)
        await _announce(ctx, device, record, "access_code.issued", EventType.ACCESS_CODE_ISSUED, before=None)
    return record.code


async def update_code(ctx: RequestContext, code_id: uuid.UUID | None, data: AccessCodeUpdate) -> AccessCode:
    record, device = await _managed(ctx, code_id)
    if record.revoked_at is not None:
        raise ApiError(errors.VALIDATION_ERROR, "The code is being deleted; create a new one instead.")
    if record.code.is_offline_access_code:
        validation.check_offline_change(data)
    terms = terms_for(device, ctx.vendors.provider(device.provider).manifest)
    async with _changing(ctx, device):
        taken = await repository.pins_on_device(ctx.db, device.id, except_id=record.code.id)
        updated = changed(record, data, ctx.now, terms)
        validation.check_window(updated.code.starts_at, updated.code.ends_at, ctx.now)
        if updated.code.code != record.code.code:
            validation.check_pin(updated.code.code or "", device, taken)
        await repository.save_wanted(ctx.db, updated)
        await _announce(ctx, device, updated, "access_code.changed", EventType.ACCESS_CODE_CHANGED, before=record)
    return updated.code


async def delete_code(ctx: RequestContext, code_id: uuid.UUID | None) -> AccessCode:
    """The code is `removing` until the lock no longer has it; then it is gone (a GET answers 404)."""
    record, device = await _managed(ctx, code_id)
    if record.revoked_at is not None:
        return record.code
    terms = terms_for(device, ctx.vendors.provider(device.provider).manifest)
    async with _changing(ctx, device):
        removable = not record.code.is_offline_access_code or terms.offline_removable
        gone = revoked(record, ctx.now, removable=removable)
        await repository.save_wanted(ctx.db, gone)
        if not removable:
            await repository.save_warnings(ctx.db, gone)
        await _announce(ctx, device, gone, "access_code.deleted", EventType.ACCESS_CODE_DELETED, before=record)
    return gone.code


async def get_code(ctx: RequestContext, code_id: uuid.UUID | None) -> AccessCode:
    return (await _managed(ctx, code_id))[0].code


async def list_codes(
    ctx: RequestContext, page: PageRequest, *, device_id: uuid.UUID | None, managed: bool
) -> Page[AccessCode]:
    codes = await repository.list_codes(ctx.db, ctx.workspace_id, page, device_id=device_id, managed=managed)
    return build_page(codes, page)


async def unmanaged_codes(ctx: RequestContext, device_id: uuid.UUID | None, page: PageRequest) -> Page[AccessCode]:
    """Codes found on the lock that the gateway did not set, as last read from it."""
    device = await devices.get_device(ctx.db, ctx.workspace_id, device_id) if device_id else None
    found(device, errors.DEVICE_NOT_FOUND)
    return await list_codes(ctx, page, device_id=device_id, managed=False)


async def _managed(ctx: RequestContext, code_id: uuid.UUID | None) -> tuple[CodeRecord, Device]:
    record = await repository.get_record(ctx.db, code_id, workspace_id=ctx.workspace_id) if code_id else None
    if record is None or not record.code.is_managed:
        raise ApiError(errors.ACCESS_CODE_NOT_FOUND)
    device = found(await devices.get_device(ctx.db, ctx.workspace_id, record.code.device_id), errors.DEVICE_NOT_FOUND)
    return record, device


@asynccontextmanager
async def _changing(ctx: RequestContext, device: Device) -> AsyncIterator[None]:
    """One transaction for the change, its audit entry and event, and the lock's wanted generation; a reconcile is
    asked for once it is committed. A PIN taken at the same moment by another request is a clear 409.
    """
    try:
        async with ctx.db.transaction():
            yield
            generation = await reconciles.want(ctx.db, device.id, ctx.workspace_id, ctx.now)
    except Exception as exc:
        if is_unique_violation(exc):
            raise ApiError(errors.DUPLICATE_CODE_ON_DEVICE, f"{device.name} has another code with this PIN.") from exc
        raise
    await run_for(ctx.jobs, device.id, generation)


async def _pin_for(ctx: RequestContext, device: Device, data: AccessCodeCreate, taken: set[str]) -> str:
    if data.code is not None:
        validation.check_pin(data.code, device, taken)
        return data.code
    if data.common_code_key is not None:
        shared = await repository.common_pin(ctx.db, ctx.workspace_id, data.common_code_key)
        if shared is not None:
            try:
                validation.check_pin(shared, device, taken)
            except ApiError as exc:
                detail = f"{exc.detail} (common_code_key {data.common_code_key!r})"
                raise ApiError(errors.CODE_NOT_SHAREABLE, detail) from exc
            return shared
    return validation.choose_pin(device, taken, length=data.preferred_code_length)


async def _announce(
    ctx: RequestContext, device: Device, record: CodeRecord, action: str, kind: EventType, *, before: CodeRecord | None
) -> None:
    after = audit_view(record.code)
    await audit.record_change(
        ctx, action, "access_code", record.code.id, before=audit_view(before.code) if before else None, after=after
    )
    event = NewEvent(
        type=kind,
        occurred_at=ctx.now,
        source=EventSource.GATEWAY,
        device_id=device.id,
        connected_account_id=device.connected_account_id,
        access_code_id=record.code.id,
        data={"name": record.code.name},
    )
    await insert_event(ctx.db, ctx.workspace_id, event, received_at=ctx.now)


async def convert_to_managed(ctx: RequestContext, code_id: uuid.UUID | None) -> AccessCode:
    """An unmanaged code becomes the gateway's to keep, as the lock has it now (changes made elsewhere are undone
    from then on).
    """
    record = await repository.get_record(ctx.db, code_id, workspace_id=ctx.workspace_id) if code_id else None
    if record is None:
        raise ApiError(errors.ACCESS_CODE_NOT_FOUND)
    if record.code.is_managed:
        return record.code
    device = found(await devices.get_device(ctx.db, ctx.workspace_id, record.code.device_id), errors.DEVICE_NOT_FOUND)
    async with _changing(ctx, device):
        managed = adopted(record, ctx.now)
        await repository.replace_code(ctx.db, managed)
        await _announce(
            ctx, device, managed, "access_code.converted_to_managed", EventType.ACCESS_CODE_CHANGED, before=record
        )
    return managed.code
