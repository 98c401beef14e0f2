"""What each provider's `testing.py` gives the contract suite: an adapter on its simulator, and the simulator's knobs.

A new provider passes the contract suite by exporting `provider_under_test()` (an async context manager yielding
a `ProviderUnderTest`) from `providers/<slug>/testing.py`; no new tests are written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from providers.base import Provider, ProviderConfig, ProviderContext


class DeviceRole:
    """The devices every provider's test account holds (a role a provider cannot have is left out)."""

    CODES = "codes"
    """Takes online access codes (only where the manifest claims them)."""
    NO_CODES = "no_codes"
    """Locks and unlocks but takes no online codes."""
    OFFLINE = "offline"
    """Cannot be reached."""
    LOW_BATTERY = "low_battery"
    """Battery critical."""


class FaultKnobs(Protocol):
    """Ways to make the simulated vendor misbehave, the same for every provider."""

    def rate_limit(self, *, retry_after: int, count: int = 1) -> None:
        """The next `count` requests are refused as too many, with `Retry-After: retry_after`."""

    def fail_next(self, *, status: int = 503, count: int = 1) -> None:
        """The next `count` requests fail with `status`."""

    def time_out_next(self, *, count: int = 1) -> None:
        """The next `count` requests never answer (the client's timeout must fire)."""

    def revoke_credentials(self) -> None:
        """The account's grant is revoked: every request is refused as unauthorised from now on."""


@dataclass
class WebhookSample:
    """A callback exactly as the vendor would send it, and what it must mean."""

    config: ProviderConfig
    headers: Mapping[str, str]
    body: bytes
    expect_device_ids: list[str] = field(default_factory=list)
    signature_header: str | None = None
    """The header (any case) that carries the vendor's signature of the body (None: the vendor signs nothing)."""


class Simulated(Protocol):
    """What the contract suite may ask of a provider's simulator beyond the fault knobs."""

    @property
    def knobs(self) -> FaultKnobs: ...

    async def settle(self) -> None:
        """Let the simulated devices carry out every command they have accepted."""

    async def cause_activity(self, provider_device_id: str) -> None:
        """Make something happen at the device that the vendor records as an event (a keypad unlock, say)."""

    def webhook_sample(self, provider_device_id: str) -> WebhookSample | None:
        """A signed callback about the device, or None when the vendor sends none."""

    def would_open(self, provider_device_id: str, code: str, at: datetime) -> bool:
        """Whether `code` typed at the device's keypad at instant `at` would open it (nothing moves or is logged)."""


class SettlingSimulator(FaultKnobs, Protocol):
    async def settle(self) -> None: ...


SimulatorT = TypeVar("SimulatorT", bound=SettlingSimulator)


@dataclass
class SimulatorSide(Generic[SimulatorT]):
    """What every provider's `Simulated` shares: the simulator is its own fault knobs, and settles itself."""

    sim: SimulatorT

    @property
    def knobs(self) -> FaultKnobs:
        return self.sim

    async def settle(self) -> None:
        await self.sim.settle()


class HasKeypad(Protocol):
    @property
    def keypad(self) -> bool: ...


class KeypadSimulator(Protocol):
    """A simulator whose locks may have a keypad, where the owner can add a code in the vendor's app."""

    @property
    def locks(self) -> Mapping[int, HasKeypad]: ...

    def manual_action(self, lock_id: int) -> Any: ...

    def external_add_code(self, lock_id: int, name: str, code: Any) -> Any: ...

    def keypad_entry(self, lock_id: int, code: Any) -> bool: ...


def use_keypad_or_turn(sim: KeypadSimulator, lock_id: int, free_code: Callable[[], object]) -> None:
    """A keypad unlock with a code added in the vendor's app first (a knob turn on a lock without keypad)."""
    if not sim.locks[lock_id].keypad:
        sim.manual_action(lock_id)
        return
    code = free_code()
    sim.external_add_code(lock_id, "Contract guest", code)
    if not sim.keypad_entry(lock_id, code):
        raise AssertionError(f"the simulated lock {lock_id} refused the code it was just given")


@dataclass
class ProviderUnderTest:
    provider: type[Provider]
    context: ProviderContext
    devices: Mapping[str, str]
    """`DeviceRole` -> provider device id."""
    simulator: Simulated
    missing: Mapping[str, str] = field(default_factory=dict)
    """Roles the provider can have that this account lacks, each with the reason (a real instance, say)."""

    def adapter(self) -> Provider:
        return self.provider(self.context)
