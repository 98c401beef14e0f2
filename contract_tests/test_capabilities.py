"""Operations a device does not claim: refused as `CapabilityNotSupported` naming the missing flag, before any
vendor call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from contract_tests.support import ROLES, arm_tripwire, assert_vendor_untouched, role_device
from providers.base import Provider
from providers.errors import CapabilityNotSupported
from providers.manifest import Capability
from providers.testing import ProviderUnderTest
from schemas.providers import AccessCodeSpec, ActionKind, OfflineCodeSpec, ProviderDevice

Call = Callable[[Provider, ProviderDevice, AccessCodeSpec], Awaitable[object]]

OPERATIONS: dict[str, tuple[tuple[Capability, ...], Call]] = {
    "lock": ((Capability.REMOTELY_LOCK,), lambda a, d, s: a.perform(d, ActionKind.LOCK)),
    "unlock": ((Capability.REMOTELY_UNLOCK,), lambda a, d, s: a.perform(d, ActionKind.UNLOCK)),
    "list_access_codes": ((Capability.LIST_ACCESS_CODES,), lambda a, d, s: a.list_access_codes(d)),
    "create_access_code": (
        (Capability.PROGRAM_ONLINE_ACCESS_CODES,),
        lambda a, d, s: a.create_access_code(d, AccessCodeSpec(name=s.name, code=s.code)),
    ),
    "create_time_bound_access_code": (
        (Capability.PROGRAM_ONLINE_ACCESS_CODES, Capability.PROGRAM_TIME_BOUND_CODES_NATIVELY),
        lambda a, d, s: a.create_access_code(d, s),
    ),
    "update_access_code": (
        (Capability.PROGRAM_ONLINE_ACCESS_CODES,),
        lambda a, d, s: a.update_access_code(d, "contract-code", AccessCodeSpec(name=s.name, code=s.code)),
    ),
    "delete_access_code": (
        (Capability.PROGRAM_ONLINE_ACCESS_CODES,),
        lambda a, d, s: a.delete_access_code(d, "contract-code"),
    ),
    "create_offline_access_code": (
        (Capability.PROGRAM_OFFLINE_ACCESS_CODES,),
        lambda a, d, s: a.create_offline_access_code(
            d, OfflineCodeSpec(name=s.name, starts_at=s.starts_at, ends_at=s.ends_at)
        ),
    ),
}
"""Each operation with the flags it needs, in the order they are checked."""


def missing(device: ProviderDevice, needs: tuple[Capability, ...]) -> str | None:
    return next((flag.value for flag in needs if not getattr(device.capabilities, flag.value)), None)


@pytest.mark.parametrize("role", ROLES)
async def test_an_operation_the_device_does_not_claim_is_refused_without_a_vendor_call(
    put: ProviderUnderTest, adapter: Provider, role: str
) -> None:
    device = await role_device(put, adapter, role)
    start = put.context.clock() + timedelta(days=1)
    spec = AccessCodeSpec(name="Contract", code="1234", starts_at=start, ends_at=start + timedelta(days=1))
    expected = {name: missing(device, needs) for name, (needs, _) in OPERATIONS.items() if missing(device, needs)}
    if not expected:
        pytest.skip(f"the {role} device claims every capability")
    arm_tripwire(put)
    refused: dict[str, str | None] = {}
    for name in expected:
        try:
            await OPERATIONS[name][1](adapter, device, spec)
        except CapabilityNotSupported as exc:
            refused[name] = exc.capability
        else:
            refused[name] = None
    assert refused == expected
    await assert_vendor_untouched(adapter)
