"""Offline codes (algoPINs): igloohome computes the PIN for a window without reaching the lock.

The gateway fits a requested window to the device's time frame options before it asks; here the window is only
checked, never changed: one that no option takes exactly is refused before any vendor call. A time slot has a few
distinct PINs (its variances); one igloohome says is issued already makes the next variance be tried.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

import msgspec

from providers.errors import ProviderRejected
from providers.igloohome.adapter_codes import zone_of
from providers.igloohome.client import VARIANCE_USED, AlgoPinKind, IgloohomeClient, igloo_date
from providers.igloohome.mapping import DAILY, HOURLY, NAME_LENGTH, OFFLINE_OPTIONS, ONE_TIME, PERMANENT
from providers.igloohome.models import AlgoPinBody
from providers.time_frames import NoFit, fit
from schemas import TimeFrameOption
from schemas.providers import OfflineAccessCode, OfflineCodeSpec, ProviderDevice, ProviderIssue

KINDS = {
    HOURLY.display_name: AlgoPinKind.HOURLY,
    DAILY.display_name: AlgoPinKind.DAILY,
    ONE_TIME.display_name: AlgoPinKind.ONE_TIME,
    PERMANENT.display_name: AlgoPinKind.PERMANENT,
}
VARIANCES = {AlgoPinKind.HOURLY: 3, AlgoPinKind.DAILY: 3, AlgoPinKind.ONE_TIME: 5, AlgoPinKind.PERMANENT: 3}
"""Distinct PINs per slot: 3 per hour or day slot, 5 per one-time start (Seam's igloohome guide); permanent codes
are not documented, so they get as many as hourly ones."""
USE_EARLY = "must_be_used_within_time_limit"


def fitting_option(device: ProviderDevice, spec: OfflineCodeSpec, now: datetime) -> TimeFrameOption:
    """The option that takes the window exactly as asked (edges in the device's zone), else a refusal that says
    which windows would fit.
    """
    options = [
        option if option.time_zone else msgspec.structs.replace(option, time_zone=device.timezone)
        for option in device.code_constraints.offline_time_frame_options or OFFLINE_OPTIONS
    ]
    try:
        fitted = fit(
            options,
            starts_at=spec.starts_at,
            ends_at=spec.ends_at,
            one_time=spec.is_one_time_use,
            rounding=None,
            now=now,
        )
    except NoFit as exc:
        raise ProviderRejected("time_frame_not_supported", str(exc)) from None
    if fitted.adjusted:
        raise ProviderRejected(
            "time_frame_not_supported", f"An igloohome {fitted.option.display_name} code needs its start."
        )
    return fitted.option


def _window(kind: AlgoPinKind, spec: OfflineCodeSpec, zone: tzinfo, now: datetime) -> tuple[datetime, datetime | None]:
    """The start and end to send: a one-time code lasts a day from its start; a permanent one starts this hour."""
    if kind is AlgoPinKind.PERMANENT:
        local = now.astimezone(zone)
        return local.replace(minute=0, second=0, microsecond=0), None
    assert spec.starts_at is not None
    if kind is AlgoPinKind.ONE_TIME:
        return spec.starts_at, spec.starts_at + timedelta(days=1)
    return spec.starts_at, spec.ends_at


def _body(
    kind: AlgoPinKind, name: str, variance: int, start: datetime, end: datetime | None, zone: tzinfo
) -> AlgoPinBody:
    with_end = kind in (AlgoPinKind.HOURLY, AlgoPinKind.DAILY)
    return AlgoPinBody(
        variance=variance,
        access_name=name[:NAME_LENGTH],
        start_date=igloo_date(start, zone),
        end_date=igloo_date(end, zone) if with_end and end is not None else None,
    )


async def issue(api: IgloohomeClient, device: ProviderDevice, spec: OfflineCodeSpec) -> OfflineAccessCode:
    now = api.clock()
    kind = KINDS[fitting_option(device, spec, now).display_name]
    zone = zone_of(device)
    start, end = _window(kind, spec, zone, now)
    for variance in range(1, VARIANCES[kind] + 1):
        body = _body(kind, spec.name, variance, start, end, zone)
        try:
            pin = await api.algopin(device.provider_device_id, kind, body)
        except ProviderRejected as exc:
            if exc.code != VARIANCE_USED:
                raise
            continue
        permanent = kind is AlgoPinKind.PERMANENT
        return OfflineAccessCode(
            code=str(pin.pin),
            provider_code_id=None if pin.pin_id is None else str(pin.pin_id),
            starts_at=None if permanent else start,
            ends_at=end,
            warnings=[_use_within_a_day(start)] if permanent else [],
        )
    raise ProviderRejected(
        "no_space_for_access_code_on_device",
        f"igloohome has issued all {VARIANCES[kind]} {kind} codes of the slot starting {start.isoformat()}; "
        "a code starting at another hour would get a PIN.",
    )


def _use_within_a_day(issued: datetime) -> ProviderIssue:
    by = (issued + timedelta(days=1)).isoformat()
    return ProviderIssue(
        error_code=USE_EARLY, message=f"Use the code a first time within 24 h of its issue (by {by}) or it stops."
    )
