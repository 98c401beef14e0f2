"""TTLock's errcodes (answered with HTTP 200) as the typed provider errors: the documented table, each code mapped to
what the gateway does about it: log in again, slow down, wait for the lock, retry, or report a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

from providers.errors import (
    DeviceOffline,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderUnavailable,
)

VENDOR = "TTLock"
BEIJING = timezone(timedelta(hours=8))

AUTH = {10000, 10001, 10003, 10004, 10007, 10011, 30005, 30008}
"""Unknown or wrong client, token missing, invalid or revoked, wrong account or password, refresh token invalid,
password not MD5, wrong region's host."""
OFFLINE = {-2012, -3002, -3034, -3035, -3036}
"""No gateway near the lock, gateway offline, Wi-Fi not configured, Wi-Fi lock saving power, lock offline."""
TRANSIENT = {1, 90000, 80000, 80002, -3003, -3037}
"""Failed (unspecified), server error, our clock off by 5 minutes, bad JSON, gateway busy, lock busy."""
REFUSALS = {
    -3: "invalid_request",
    -1003: "device_not_found",
    -4037: "device_not_found",
    -2009: "access_code_not_found",
    -3006: "code_constraint_violated",
    -2032: "code_constraint_violated",
    -3007: "duplicate_code_on_device",
    -3009: "no_space_for_access_code_on_device",
    -4056: "no_space_for_access_code_on_device",
    -4043: "capability_not_supported",
    -2018: "insufficient_permissions",
    20002: "insufficient_permissions",
    -2025: "device_frozen",
    -3008: "invalid_request",
    -1026: "time_frame_not_supported",
    -1007: "provider_rejected",
}
HINTS = {
    -4043: "Turn on 'Remote unlock' in the lock's settings in the TTLock app, or the lock lacks the feature.",
    -1026: "A code for this window was issued and deleted before: pick another whole hour.",
    -1007: "The lock has no passcode data: reset its passcodes in the TTLock app.",
    30008: "The account lives in another region: use https://cnapi.ttlock.com for mainland China.",
}


def error_for(errcode: int, errmsg: str, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ProviderError:
    """The typed error for a non-zero `errcode` (an unknown one is a refusal that keeps the vendor's words)."""
    message = f"{VENDOR} refused the request (errcode {errcode}): {errmsg or 'no message'}"
    if hint := HINTS.get(errcode):
        message = f"{message}. {hint}"
    if errcode in AUTH:
        return ProviderAuthError(message)
    if errcode == 30006:
        return ProviderRateLimited(message)
    if errcode == 30007:  # the developer account's monthly quota: it resets on the 1st, Beijing time
        return ProviderRateLimited(message, retry_after=_until_next_month(now()))
    if errcode in OFFLINE:
        return DeviceOffline(message)
    if errcode in TRANSIENT:
        return ProviderUnavailable(message)
    return ProviderRejected(REFUSALS.get(errcode, "provider_rejected"), message)


def _until_next_month(moment: datetime) -> float:
    local = moment.astimezone(BEIJING)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return (datetime(year, month, 1, tzinfo=BEIJING) - local).total_seconds()
