"""What a provider declares about itself: how accounts log in, which device models it knows and what each can do."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import timedelta

from schemas import DeviceCapabilities
from schemas.providers import AuthKind


class Capability(enum.StrEnum):
    """The device capability flags (the fields of `schemas.DeviceCapabilities`)."""

    REMOTELY_LOCK = "can_remotely_lock"
    REMOTELY_UNLOCK = "can_remotely_unlock"
    PROGRAM_ONLINE_ACCESS_CODES = "can_program_online_access_codes"
    PROGRAM_OFFLINE_ACCESS_CODES = "can_program_offline_access_codes"
    PROGRAM_TIME_BOUND_CODES_NATIVELY = "can_program_time_bound_codes_natively"
    LIST_ACCESS_CODES = "can_list_access_codes"


def capabilities_of(flags: DeviceCapabilities) -> frozenset[Capability]:
    return frozenset(capability for capability in Capability if getattr(flags, capability.value))


def flags_for(capabilities: frozenset[Capability]) -> DeviceCapabilities:
    return DeviceCapabilities(**{capability.value: True for capability in capabilities})


@dataclass(frozen=True, slots=True)
class DeviceModel:
    """One kind of device the provider reports, and the most it can ever do (a device may do less)."""

    name: str
    capabilities: frozenset[Capability]
    description: str = ""


class WebhookTrust(enum.StrEnum):
    """What vouches for a vendor's callbacks to `/v1/provider_webhooks/{provider}/{token}`."""

    NONE = "none"
    """The vendor sends none."""
    SIGNED = "signed"
    """The vendor signs each one: a verified callback may name a device of any account (one URL per application)."""
    URL_TOKEN = "url_token"
    """Only the URL's per-account token: the callback concerns that account and is a hint to read the vendor again."""


@dataclass(frozen=True, slots=True)
class ProviderManifest:
    slug: str
    display_name: str
    auth_kind: AuthKind
    models: tuple[DeviceModel, ...]
    credential_fields: tuple[str, ...] = ()
    """Fields `POST /v1/connected_accounts` takes for this provider (empty: accounts come by OAuth only)."""
    default_base_url: str = ""
    native_schedule_lead: timedelta | None = None
    """How early a time-bound code may be loaded with its native window; None: no native windows (just in time)."""
    native_window_step: timedelta = timedelta(seconds=1)
    """What native windows are precise to (TTLock: whole minutes): a window is narrowed to it, never widened."""
    action_timeout: timedelta = timedelta(seconds=30)
    """How long a lock or unlock may stay unconfirmed before the attempt fails."""
    exempt: dict[Capability, str] = field(default_factory=dict)
    """Capabilities no model of this provider has, each with the reason (the contract suite checks them)."""
    requests_per_second: float = 5.0
    """How fast the gateway calls the vendor for one account (a token bucket shared by every process)."""
    request_burst: int = 10
    says_when_to_retry: bool = True
    """The vendor's "slow down" answer carries `Retry-After` (TTLock's errcode 30006 does not)."""
    webhooks: WebhookTrust = WebhookTrust.NONE
    webhook_answer: str | None = None
    """The exact body the vendor wants back from a callback (`success` for TTLock); None: the gateway's JSON receipt."""
    offline_codes_removable: bool = False
    """A device that takes online codes can also have an offline code taken off remotely (else it lapses)."""

    def model(self, name: str) -> DeviceModel:
        for model in self.models:
            if model.name == name:
                return model
        raise LookupError(f"{self.slug} has no device model {name!r}")

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Everything at least one model can do."""
        return frozenset().union(*(model.capabilities for model in self.models))
