"""The provider contract: one adapter class per vendor, fixed operations, invariants kept here and not in adapters.

The gateway calls the public methods; they check the device's capability flags, then call the adapter's hook
(`_lock`, `_list_access_codes`, ...), and turn transport failures into `ProviderUnavailable`. An adapter
overrides only the hooks its vendor supports; any other operation answers `CapabilityNotSupported`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol, TypeVar, final

import httpx
import msgspec

from providers.errors import CapabilityNotSupported, ProviderError, ProviderRejected, ProviderUnavailable
from providers.manifest import Capability, ProviderManifest
from schemas.providers import (
    AccessCodeSpec,
    AccountIdentity,
    ActionCheck,
    ActionKind,
    ActionReceipt,
    ObservedAccessCode,
    OfflineAccessCode,
    OfflineCodeSpec,
    ProviderDevice,
    ProviderEvent,
    WebhookResult,
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """Deployment settings of one provider: where its API is and the gateway's own client registration."""

    base_url: str
    client_id: str | None = None
    client_secret: str | None = None
    auth_url: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SandboxCloud:
    """A provider's simulated vendor cloud, seeded for the sandbox: an ASGI app and the gateway's client at it."""

    app: Any
    client_id: str | None
    client_secret: str | None
    logins: tuple[str, ...]
    """How a person signs in at the simulated vendor (shown by `aggregator serve --sandbox`)."""
    close: Callable[[], Awaitable[None]]
    approve: Callable[[str], Awaitable[str]] | None = None
    """OAuth providers: the sandbox account consents to the given authorization URL; returns the URL the vendor
    redirects to (with `code` and `state`). The sandbox connects its account this way at start-up."""
    credentials: Mapping[str, str] | None = None
    """Credential providers: what `POST /v1/connected_accounts` takes for the sandbox account."""
    auth_path: str | None = None
    """Where on the simulated cloud its token endpoint is, for vendors whose real one is on another host."""


class CredentialStore(Protocol):
    """Where an account's credentials live. `save` persists at once (Nuki rotates refresh tokens on every use)."""

    async def load(self) -> dict[str, Any]: ...

    async def save(self, credentials: dict[str, Any]) -> None: ...


class HeldCredentials:
    """A credential store in memory: credentials being tried before an account exists (nothing to persist yet), and
    test accounts; `saved` lists every save, in order.
    """

    def __init__(self, credentials: Mapping[str, Any] | None = None) -> None:
        self.credentials: dict[str, Any] = dict(credentials or {})
        self.saved: list[dict[str, Any]] = []

    @property
    def saves(self) -> int:
        return len(self.saved)

    async def load(self) -> dict[str, Any]:
        return dict(self.credentials)

    async def save(self, credentials: dict[str, Any]) -> None:
        self.credentials = dict(credentials)
        self.saved.append(dict(credentials))


async def unpaced() -> None:
    """No pacing: every request goes at once."""


@dataclass(frozen=True, slots=True)
class ProviderContext:
    """Everything an adapter may use; the gateway builds it (tests and the sandbox pass simulator transports)."""

    http: httpx.AsyncClient
    config: ProviderConfig
    credentials: CredentialStore
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    pace: Callable[[], Awaitable[None]] = unpaced
    """Awaited before every request to the vendor: the gateway's per-account token bucket, shared by processes."""


class Provider(ABC):
    """One vendor's adapter, bound to one connected account."""

    manifest: ClassVar[ProviderManifest]

    def __init__(self, context: ProviderContext) -> None:
        self.context = context

    # -- accounts ---------------------------------------------------------------------------------------------

    @classmethod
    async def connect(cls, context: ProviderContext, submitted: Mapping[str, str]) -> dict[str, Any]:
        """Turn what a user submitted into credentials to store (`POST /v1/connected_accounts`)."""
        raise CapabilityNotSupported("connected_accounts", f"{cls.manifest.display_name} accounts connect by OAuth.")

    @classmethod
    def authorization_url(cls, config: ProviderConfig, *, redirect_uri: str, state: str) -> str:
        """Where to send a person to grant access (OAuth providers)."""
        raise CapabilityNotSupported("oauth", f"{cls.manifest.display_name} does not use OAuth.")

    @classmethod
    async def exchange_code(cls, context: ProviderContext, *, code: str, redirect_uri: str) -> dict[str, Any]:
        """Credentials for an authorization code (OAuth providers)."""
        raise CapabilityNotSupported("oauth", f"{cls.manifest.display_name} does not use OAuth.")

    @classmethod
    def sandbox_cloud(cls, *, redirect_uri: str, base_url: str = "") -> SandboxCloud | None:
        """The provider's simulated cloud, seeded for the sandbox (None: the provider has no simulator); `base_url`
        is where the gateway serves it (for vendors whose accounts name their own URL).
        """
        return None

    @classmethod
    def parse_webhook(cls, config: ProviderConfig, headers: Mapping[str, str], body: bytes) -> WebhookResult:
        """Verify and read an inbound vendor callback; raises `ProviderAuthError` for a bad signature."""
        raise CapabilityNotSupported("webhooks", f"{cls.manifest.display_name} sends no webhooks.")

    @final
    async def identify(self) -> AccountIdentity:
        """Who the credentials belong to; also proves they work."""
        return await self._guard(self._identify())

    # -- devices and actions ----------------------------------------------------------------------------------

    @final
    async def list_devices(self) -> list[ProviderDevice]:
        return await self._guard(self._list_devices())

    @final
    async def get_device(self, provider_device_id: str) -> ProviderDevice:
        return await self._guard(self._get_device(provider_device_id))

    @final
    async def perform(self, device: ProviderDevice, action: ActionKind) -> ActionReceipt:
        """Send a lock or unlock command; the receipt says whether it is already confirmed."""
        needed = Capability.REMOTELY_LOCK if action is ActionKind.LOCK else Capability.REMOTELY_UNLOCK
        _require(device, needed)
        return await self._guard(self._perform(device, action))

    @final
    async def check_action(self, device: ProviderDevice, action: ActionKind, receipt: ActionReceipt) -> ActionCheck:
        """Where a command stands now (called until it succeeds or fails, or the attempt times out)."""
        return await self._guard(self._check_action(device, action, receipt))

    # -- access codes -----------------------------------------------------------------------------------------

    @final
    async def list_access_codes(self, device: ProviderDevice) -> list[ObservedAccessCode]:
        _require(device, Capability.LIST_ACCESS_CODES)
        return await self._guard(self._list_access_codes(device))

    @final
    async def create_access_code(self, device: ProviderDevice, spec: AccessCodeSpec) -> ObservedAccessCode:
        _require(device, Capability.PROGRAM_ONLINE_ACCESS_CODES)
        if spec.starts_at or spec.ends_at:
            _require(device, Capability.PROGRAM_TIME_BOUND_CODES_NATIVELY)
        return await self._guard(self._create_access_code(device, spec))

    @final
    async def update_access_code(
        self, device: ProviderDevice, provider_code_id: str, spec: AccessCodeSpec
    ) -> ObservedAccessCode:
        _require(device, Capability.PROGRAM_ONLINE_ACCESS_CODES)
        if spec.starts_at or spec.ends_at:
            _require(device, Capability.PROGRAM_TIME_BOUND_CODES_NATIVELY)
        return await self._guard(self._update_access_code(device, provider_code_id, spec))

    @final
    async def delete_access_code(self, device: ProviderDevice, provider_code_id: str) -> None:
        """Remove a code from the lock; a code that is gone already is no error (deleting is idempotent)."""
        _require(device, Capability.PROGRAM_ONLINE_ACCESS_CODES)
        await self._guard(self._delete_access_code(device, provider_code_id))

    @final
    async def create_offline_access_code(self, device: ProviderDevice, spec: OfflineCodeSpec) -> OfflineAccessCode:
        """The vendor computes a PIN for the window (which one of the device's time frame options takes)."""
        _require(device, Capability.PROGRAM_OFFLINE_ACCESS_CODES)
        return await self._guard(self._create_offline_access_code(device, spec))

    # -- events -----------------------------------------------------------------------------------------------

    @final
    async def fetch_events(self, since: datetime) -> list[ProviderEvent]:
        """Events of every device of the account that occurred at or after `since`, oldest first."""
        return await self._guard(self._fetch_events(since))

    # -- hooks: what an adapter implements --------------------------------------------------------------------

    @abstractmethod
    async def _identify(self) -> AccountIdentity: ...

    @abstractmethod
    async def _list_devices(self) -> list[ProviderDevice]: ...

    async def _get_device(self, provider_device_id: str) -> ProviderDevice:
        for device in await self._list_devices():
            if device.provider_device_id == provider_device_id:
                return device
        raise ProviderRejected("device_not_found", f"The vendor no longer knows device {provider_device_id}.")

    async def _perform(self, device: ProviderDevice, action: ActionKind) -> ActionReceipt:
        raise CapabilityNotSupported(Capability.REMOTELY_LOCK.value)

    async def _check_action(self, device: ProviderDevice, action: ActionKind, receipt: ActionReceipt) -> ActionCheck:
        raise CapabilityNotSupported(Capability.REMOTELY_LOCK.value)

    async def _list_access_codes(self, device: ProviderDevice) -> list[ObservedAccessCode]:
        raise CapabilityNotSupported(Capability.LIST_ACCESS_CODES.value)

    async def _create_access_code(self, device: ProviderDevice, spec: AccessCodeSpec) -> ObservedAccessCode:
        raise CapabilityNotSupported(Capability.PROGRAM_ONLINE_ACCESS_CODES.value)

    async def _update_access_code(
        self, device: ProviderDevice, provider_code_id: str, spec: AccessCodeSpec
    ) -> ObservedAccessCode:
        raise CapabilityNotSupported(Capability.PROGRAM_ONLINE_ACCESS_CODES.value)

    async def _delete_access_code(self, device: ProviderDevice, provider_code_id: str) -> None:
        raise CapabilityNotSupported(Capability.PROGRAM_ONLINE_ACCESS_CODES.value)

    async def _create_offline_access_code(self, device: ProviderDevice, spec: OfflineCodeSpec) -> OfflineAccessCode:
        raise CapabilityNotSupported(Capability.PROGRAM_OFFLINE_ACCESS_CODES.value)

    async def _fetch_events(self, since: datetime) -> list[ProviderEvent]:
        return []

    # -- the boundary -----------------------------------------------------------------------------------------

    @staticmethod
    async def _guard(operation: Awaitable[T]) -> T:
        """Let typed provider errors through; a transport failure, or an answer not shaped as the vendor documents
        it, becomes `ProviderUnavailable` (never an untyped error that would leave work half done).
        """
        try:
            return await operation
        except ProviderError:
            raise
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise ProviderUnavailable(f"The vendor answered in an unexpected shape: {exc}") from exc
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable(f"The vendor did not answer in time ({type(exc).__name__}).") from exc
        except httpx.TransportError as exc:
            raise ProviderUnavailable(f"The vendor cannot be reached ({type(exc).__name__}).") from exc


def _require(device: ProviderDevice, capability: Capability) -> None:
    if not getattr(device.capabilities, capability.value):
        raise CapabilityNotSupported(capability.value)
