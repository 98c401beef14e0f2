"""A provider's typed error as the API answers it: a stable code, a clear status, `Retry-After` where it helps."""

from __future__ import annotations

import math

from aggregator.http import errors
from aggregator.http.errors import CATALOGUE, ApiError
from providers.errors import (
    CapabilityNotSupported,
    DeviceOffline,
    ProviderAuthError,
    ProviderError,
    ProviderRateLimited,
    ProviderRejected,
    ProviderUnavailable,
)


def api_error(exc: ProviderError) -> ApiError:
    if isinstance(exc, CapabilityNotSupported):
        return ApiError(errors.CAPABILITY_NOT_SUPPORTED, f"{exc.message} (capability: {exc.capability})")
    if isinstance(exc, ProviderRateLimited):
        wait = max(1, math.ceil(exc.retry_after or 1))
        return ApiError(errors.PROVIDER_RATE_LIMITED, exc.message, headers={"Retry-After": str(wait)})
    for kind, error in (
        (ProviderAuthError, errors.PROVIDER_AUTH_FAILED),
        (ProviderUnavailable, errors.PROVIDER_UNAVAILABLE),
        (DeviceOffline, errors.DEVICE_OFFLINE),
    ):
        if isinstance(exc, kind):
            return ApiError(error, exc.message)
    if isinstance(exc, ProviderRejected) and exc.code in CATALOGUE:
        return ApiError(CATALOGUE[exc.code], exc.message)
    return ApiError(errors.PROVIDER_REJECTED, exc.message)
