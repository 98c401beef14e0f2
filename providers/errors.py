"""The typed errors every provider raises, so the gateway can tell what to retry, what to report, what to fix."""

from __future__ import annotations


class ProviderError(Exception):
    """Base of every provider failure; `code` is the stable snake_case name the API reports."""

    code = "provider_error"
    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProviderAuthError(ProviderError):
    """The vendor refuses the account's credentials (expired or revoked grant, wrong password): a person must act."""

    code = "provider_auth_failed"


class ProviderRateLimited(ProviderError):
    """The vendor asks us to slow down; retry after `retry_after` seconds when it says."""

    code = "provider_rate_limited"
    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):
    """The vendor cannot be reached or fails (timeouts, 5xx): transient."""

    code = "provider_unavailable"
    retryable = True


class DeviceOffline(ProviderError):
    """The device (or its bridge or gateway) does not answer: transient."""

    code = "device_offline"
    retryable = True


class ProviderRejected(ProviderError):
    """The vendor refuses the request itself (bad code, no slot left, no subscription): retrying will not help.

    `code` is one of the gateway's stable names (`code_constraint_violated`, `duplicate_code_on_device`,
    `no_space_for_access_code_on_device`, `subscription_required`, `device_not_found`, ...).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class CapabilityNotSupported(ProviderError):
    """The device (or the provider) cannot do this at all; `capability` names the missing flag."""

    code = "capability_not_supported"

    def __init__(self, capability: str, message: str | None = None) -> None:
        super().__init__(message or f"This device cannot do that ({capability} is false).")
        self.capability = capability
