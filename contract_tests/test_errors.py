"""Vendor failures, caused through the simulator's fault knobs, reach the gateway as the typed provider errors:
revoked grant -> `ProviderAuthError`, 429 -> `ProviderRateLimited` with the vendor's `Retry-After`, 5xx and
time-outs -> `ProviderUnavailable`; transient ones leave the adapter working.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest

from contract_tests.codes import valid_code
from contract_tests.support import ONLINE_ROLES, role_device
from providers.base import Provider
from providers.errors import ProviderAuthError, ProviderError, ProviderRateLimited, ProviderUnavailable
from providers.testing import DeviceRole, FaultKnobs, ProviderUnderTest
from schemas.providers import AccessCodeSpec, ActionKind

Operation = Callable[[], Awaitable[object]]
RETRY_AFTER = 17


async def unlock(put: ProviderUnderTest, adapter: Provider) -> Operation:
    for role in ONLINE_ROLES:
        if role in put.devices:
            device = await adapter.get_device(put.devices[role])
            if device.capabilities.can_remotely_unlock:
                return lambda: adapter.perform(device, ActionKind.UNLOCK)
    pytest.skip("no reachable device of the provider unlocks remotely")


async def create_access_code(put: ProviderUnderTest, adapter: Provider) -> Operation:
    device = await role_device(put, adapter, DeviceRole.CODES)
    spec = AccessCodeSpec(name="Contract fault", code=valid_code(device.code_constraints, seed=9))
    return lambda: adapter.create_access_code(device, spec)


async def list_access_codes(put: ProviderUnderTest, adapter: Provider) -> Operation:
    device = await role_device(put, adapter, DeviceRole.CODES)
    if not device.capabilities.can_list_access_codes:
        pytest.skip("the codes device cannot list its codes")
    return lambda: adapter.list_access_codes(device)


async def read(name: str, put: ProviderUnderTest, adapter: Provider) -> Operation:
    device_id = next(iter(put.devices.values()))
    since = put.context.clock() - timedelta(hours=1)
    reads: dict[str, Operation] = {
        "identify": adapter.identify,
        "list_devices": adapter.list_devices,
        "get_device": lambda: adapter.get_device(device_id),
        "fetch_events": lambda: adapter.fetch_events(since),
    }
    return reads[name]


async def operation(name: str, put: ProviderUnderTest, adapter: Provider) -> Operation:
    """The operation called `name`, with what it needs read before any fault is armed."""
    writes = {"unlock": unlock, "create_access_code": create_access_code, "list_access_codes": list_access_codes}
    return await writes[name](put, adapter) if name in writes else await read(name, put, adapter)


OPERATIONS = (
    "identify",
    "list_devices",
    "get_device",
    "fetch_events",
    "unlock",
    "list_access_codes",
    "create_access_code",
)
FAULTS: dict[str, tuple[Callable[[FaultKnobs], None], type[ProviderError]]] = {
    "revoked": (lambda knobs: knobs.revoke_credentials(), ProviderAuthError),
    "rate_limited": (lambda knobs: knobs.rate_limit(retry_after=RETRY_AFTER), ProviderRateLimited),
    "http_500": (lambda knobs: knobs.fail_next(status=500), ProviderUnavailable),
    "http_503": (lambda knobs: knobs.fail_next(status=503), ProviderUnavailable),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("name", OPERATIONS)
async def test_a_vendor_fault_is_the_typed_error(
    put: ProviderUnderTest, adapter: Provider, name: str, fault: str
) -> None:
    call = await operation(name, put, adapter)
    arm, expected = FAULTS[fault]
    arm(put.simulator.knobs)
    with pytest.raises(expected) as raised:
        await call()
    if isinstance(raised.value, ProviderRateLimited):
        says = put.provider.manifest.says_when_to_retry
        assert raised.value.retry_after == (RETRY_AFTER if says else None)
    if expected.retryable:
        assert [device.provider_device_id for device in await adapter.list_devices()] != []


async def test_a_revoked_grant_stays_refused(put: ProviderUnderTest, adapter: Provider) -> None:
    put.simulator.knobs.revoke_credentials()
    for call in (adapter.identify, adapter.list_devices, adapter.identify):
        with pytest.raises(ProviderAuthError):
            await call()


@pytest.mark.parametrize("name", ["list_devices", "unlock"])
async def test_a_vendor_that_never_answers_is_unavailable(put: ProviderUnderTest, adapter: Provider, name: str) -> None:
    call = await operation(name, put, adapter)
    put.simulator.knobs.time_out_next()
    with pytest.raises(ProviderUnavailable):
        await call()
    assert [device.provider_device_id for device in await adapter.list_devices()] != []
