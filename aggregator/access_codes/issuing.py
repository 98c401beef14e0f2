"""Offline codes through the API: the window fitted to the lock's time frame options (or refused with what would
fit), the PIN computed by the vendor at once (it works without the lock being reached), then kept like any code.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from aggregator.access_codes.repository import CodeRecord
from aggregator.connected_accounts import repository as accounts
from aggregator.devices.discovery import as_provider_device
from aggregator.http import errors
from aggregator.http.context import RequestContext
from aggregator.http.errors import ApiError
from aggregator.http.provider_errors import api_error
from aggregator.ids import new_id
from providers import time_frames as offline
from providers.errors import ProviderError
from schemas import AccessCode, AccessCodeCreate, AccessCodeStatus, AccessCodeType, Device, ResourceIssue
from schemas.providers import OfflineAccessCode, OfflineCodeSpec

DEFAULT_NAME = "Offline code"
ADJUSTED = "time_frame_adjusted"
USE_EARLY = "must_be_used_within_time_limit"


def fitted_window(device: Device, data: AccessCodeCreate, now: datetime) -> offline.Fitted:
    """The window the code will have; 422 when the request names a PIN or no option takes the window."""
    for field in ("code", "common_code_key"):
        if getattr(data, field) is not None:
            message = f"An offline code's PIN is computed by the vendor: leave out `{field}`."
            raise ApiError(errors.VALIDATION_ERROR, message, field_errors=[{"field": field, "message": message}])
    # a vendor that knows no zone leaves it to the device's (which PATCH /v1/devices may set)
    options = as_provider_device(device).code_constraints.offline_time_frame_options
    try:
        return offline.fit(
            options,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            one_time=data.is_one_time_use,
            rounding=data.max_time_rounding,
            now=now,
        )
    except offline.NoFit as exc:
        raise ApiError(errors.TIME_FRAME_NOT_SUPPORTED, str(exc)) from exc


async def issue(ctx: RequestContext, device: Device, data: AccessCodeCreate, fitted: offline.Fitted) -> CodeRecord:
    """Ask the vendor for the PIN (no transaction is held meanwhile); the record to keep, not yet stored."""
    account = await accounts.get_record(ctx.db, device.connected_account_id)
    if account is None:
        raise ApiError(errors.DEVICE_NOT_FOUND)
    spec = OfflineCodeSpec(
        name=data.name or DEFAULT_NAME,
        starts_at=fitted.starts_at,
        ends_at=fitted.ends_at,
        is_one_time_use=data.is_one_time_use,
    )
    try:
        issued = await ctx.vendors.adapter(account.provider, account.id).create_offline_access_code(
            as_provider_device(device), spec
        )
    except ProviderError as exc:
        raise api_error(exc) from exc
    return _record(ctx, device, data, spec, issued, fitted)


def _record(
    ctx: RequestContext,
    device: Device,
    data: AccessCodeCreate,
    spec: OfflineCodeSpec,
    issued: OfflineAccessCode,
    fitted: offline.Fitted,
) -> CodeRecord:
    now = ctx.now
    started = issued.starts_at is None or issued.starts_at <= now
    code = AccessCode(
        id=new_id(),
        device_id=device.id,
        name=spec.name,
        code=issued.code,
        type=AccessCodeType.TIME_BOUND if issued.ends_at or issued.starts_at else AccessCodeType.ONGOING,
        starts_at=issued.starts_at,
        ends_at=issued.ends_at,
        status=AccessCodeStatus.SET if started else AccessCodeStatus.UNSET,
        is_managed=True,
        common_code_key=None,
        is_external_modification_allowed=False,
        is_offline_access_code=True,
        is_one_time_use=data.is_one_time_use,
        is_scheduled_on_device=False,
        pending_mutations=[],
        errors=[],
        warnings=_warnings(data, issued, fitted, now),
        created_at=now,
        updated_at=now,
    )
    return CodeRecord(code=code, workspace_id=ctx.workspace_id, provider_code_id=issued.provider_code_id)


def _warnings(
    data: AccessCodeCreate, issued: OfflineAccessCode, fitted: offline.Fitted, now: datetime
) -> list[ResourceIssue]:
    found = [ResourceIssue(error_code=w.error_code, message=w.message, created_at=now) for w in issued.warnings]
    asked = (data.starts_at, data.ends_at)
    if fitted.adjusted and asked != (issued.starts_at, issued.ends_at) and data.starts_at is not None:
        message = (
            f"Asked for {_stamp(data.starts_at)} to {_stamp(data.ends_at)}; the code works "
            f"{_stamp(issued.starts_at)} to {_stamp(issued.ends_at)} ({fitted.option.display_name})."
        )
        found.append(ResourceIssue(error_code=ADJUSTED, message=message, created_at=now))
    within, start, end = fitted.option.must_be_used_within, issued.starts_at, issued.ends_at
    already = any(warning.error_code == USE_EARLY for warning in found)
    if within is not None and start is not None and (end is None or end - start > within) and not already:
        hours = int(within.total_seconds() // 3600)
        message = f"Use the code a first time within {hours} h of its start (by {_stamp(start + within)}) or it stops."
        found.append(ResourceIssue(error_code=USE_EARLY, message=message, created_at=now))
    return found


def _stamp(moment: datetime | None) -> str:
    return "(open)" if moment is None else msgspec.json.encode(moment).decode().strip('"')
