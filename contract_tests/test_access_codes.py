"""Online access codes on the codes device: create, list, update and delete round trips (with native windows where
claimed), and codes that break the device's `code_constraints` refused before any vendor call.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

import msgspec
import pytest

from contract_tests.codes import broken_rules, invalid_codes, valid_code
from contract_tests.support import arm_tripwire, assert_vendor_untouched, on_the_wire, role_device
from providers.base import Provider
from providers.errors import ProviderError, ProviderRejected
from providers.testing import DeviceRole, ProviderUnderTest
from schemas.providers import AccessCodeSpec, ObservedAccessCode, ProviderDevice


async def codes_on(adapter: Provider, device: ProviderDevice) -> dict[str, ObservedAccessCode]:
    """The device's codes by id ({} where the device cannot list them)."""
    if not device.capabilities.can_list_access_codes:
        return {}
    return {code.provider_code_id: code for code in await adapter.list_access_codes(device)}


def assert_shows(observed: ObservedAccessCode, spec: AccessCodeSpec) -> None:
    """`observed` is `spec` on the device (a vendor that never reveals PINs or names shows null for them)."""
    assert on_the_wire(observed, ObservedAccessCode) == observed
    assert observed.code in (spec.code, None) and observed.name in (spec.name, None), observed
    assert (observed.starts_at, observed.ends_at) == (spec.starts_at, spec.ends_at), observed


async def assert_listed(
    put: ProviderUnderTest, adapter: Provider, device: ProviderDevice, code_id: str, spec: AccessCodeSpec | None
) -> None:
    """After the device settled: the code is listed as `spec` and no longer pending, or (None) is gone."""
    await put.simulator.settle()
    if not device.capabilities.can_list_access_codes:
        return
    listed = await codes_on(adapter, device)
    if spec is None:
        assert code_id not in listed
        return
    assert code_id in listed, f"{code_id} is not listed; the device lists {sorted(listed)}"
    assert_shows(listed[code_id], spec)
    assert listed[code_id].is_pending is False


async def codes_device(put: ProviderUnderTest, adapter: Provider) -> tuple[ProviderDevice, set[str]]:
    """The codes device and the PINs already on it."""
    device = await role_device(put, adapter, DeviceRole.CODES)
    return device, {code.code for code in (await codes_on(adapter, device)).values() if code.code}


def spec(device: ProviderDevice, taken: set[str], seed: int) -> AccessCodeSpec:
    name = f"Contract guest {seed}"[: device.code_constraints.max_name_length or None]
    return AccessCodeSpec(name=name, code=valid_code(device.code_constraints, avoid=taken, seed=seed))


async def test_a_code_is_created_listed_updated_and_deleted(put: ProviderUnderTest, adapter: Provider) -> None:
    device, taken = await codes_device(put, adapter)
    first = spec(device, taken, seed=1)
    created = await adapter.create_access_code(device, first)
    assert_shows(created, first)
    await assert_listed(put, adapter, device, created.provider_code_id, first)
    second = spec(device, taken | {first.code}, seed=2)
    updated = await adapter.update_access_code(device, created.provider_code_id, second)
    assert_shows(updated, second)  # its id may change (igloohome knows a PIN by its value)
    await assert_listed(put, adapter, device, updated.provider_code_id, second)
    if updated.provider_code_id != created.provider_code_id:
        await assert_listed(put, adapter, device, created.provider_code_id, None)
    await adapter.delete_access_code(device, updated.provider_code_id)
    await assert_listed(put, adapter, device, updated.provider_code_id, None)


def within(put: ProviderUnderTest, base: AccessCodeSpec, *, days: int) -> AccessCodeSpec:
    """`base` with a window on whole hours (what every vendor's native windows hold), starting `days` from now."""
    start = (put.context.clock() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return msgspec.structs.replace(base, starts_at=start, ends_at=start + timedelta(days=2, hours=3))


async def test_a_time_bound_code_keeps_its_native_window_through_updates(
    put: ProviderUnderTest, adapter: Provider
) -> None:
    device, taken = await codes_device(put, adapter)
    if not device.capabilities.can_program_time_bound_codes_natively:
        pytest.skip("the codes device has no native time windows")
    first = within(put, spec(device, taken, seed=3), days=1)
    created = await adapter.create_access_code(device, first)
    assert_shows(created, first)
    await assert_listed(put, adapter, device, created.provider_code_id, first)
    moved = within(put, first, days=5)
    open_start = msgspec.structs.replace(moved, starts_at=None)
    for change in (moved, open_start, msgspec.structs.replace(open_start, ends_at=None)):
        assert_shows(await adapter.update_access_code(device, created.provider_code_id, change), change)
        await assert_listed(put, adapter, device, created.provider_code_id, change)
    await adapter.delete_access_code(device, created.provider_code_id)
    await assert_listed(put, adapter, device, created.provider_code_id, None)


async def refusal(operation: Awaitable[object]) -> str:
    """How the operation was refused: a `ProviderRejected` code, another error's class, or `accepted`."""
    try:
        await operation
    except ProviderRejected as exc:
        return exc.code
    except ProviderError as exc:
        return type(exc).__name__
    return "accepted"


async def test_a_code_breaking_the_constraints_is_refused_before_any_vendor_call(
    put: ProviderUnderTest, adapter: Provider
) -> None:
    device, _ = await codes_device(put, adapter)
    samples = invalid_codes(device.code_constraints)
    assert samples and all(broken_rules(code, device.code_constraints) for code in samples.values())
    arm_tripwire(put)
    outcomes: dict[str, str] = {}
    for why, code in samples.items():
        bad = AccessCodeSpec(name="Contract bad", code=code)
        outcomes[f"create {why}: {code}"] = await refusal(adapter.create_access_code(device, bad))
        outcomes[f"update {why}: {code}"] = await refusal(adapter.update_access_code(device, "contract-code", bad))
    assert outcomes == dict.fromkeys(outcomes, "code_constraint_violated")
    await assert_vendor_untouched(adapter)
