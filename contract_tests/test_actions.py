"""Lock and unlock: a command is accepted, the simulated device carries it out, `check_action` confirms it and the
device's state follows; a command to the offline device fails as `device_offline`.
"""

from __future__ import annotations

import pytest

from contract_tests.support import ONLINE_ROLES, on_the_wire, role_device
from providers.base import Provider
from providers.errors import DeviceOffline
from providers.manifest import Capability
from providers.testing import DeviceRole, ProviderUnderTest
from schemas.providers import ActionCheck, ActionKind, ActionReceipt, ActionState, ProviderDevice

NEEDS = {ActionKind.LOCK: Capability.REMOTELY_LOCK, ActionKind.UNLOCK: Capability.REMOTELY_UNLOCK}
OPPOSITE = {ActionKind.LOCK: ActionKind.UNLOCK, ActionKind.UNLOCK: ActionKind.LOCK}


def can(device: ProviderDevice, action: ActionKind) -> bool:
    return bool(getattr(device.capabilities, NEEDS[action].value))


async def carry_out(
    put: ProviderUnderTest, adapter: Provider, device: ProviderDevice, action: ActionKind
) -> ActionCheck:
    """Send the command, check it once in flight, let the device settle, and check it again."""
    receipt = await adapter.perform(device, action)
    assert on_the_wire(receipt, ActionReceipt) == receipt
    in_flight = await adapter.check_action(device, action, receipt)
    assert in_flight.state is not ActionState.FAILED, in_flight
    assert not receipt.confirmed or in_flight.state is ActionState.SUCCEEDED, "a confirmed command is done"
    await put.simulator.settle()
    return await adapter.check_action(device, action, receipt)


@pytest.mark.parametrize("action", list(ActionKind), ids=str)
@pytest.mark.parametrize("role", ONLINE_ROLES)
async def test_a_command_succeeds_once_the_device_settles(
    put: ProviderUnderTest, adapter: Provider, role: str, action: ActionKind
) -> None:
    device = await role_device(put, adapter, role)
    if not can(device, action):
        pytest.skip(f"the {role} device does not claim {NEEDS[action].value}")
    if can(device, OPPOSITE[action]):  # start from the other state, so the command under test has to move the bolt
        assert (await carry_out(put, adapter, device, OPPOSITE[action])).state is ActionState.SUCCEEDED
    before = await adapter.get_device(device.provider_device_id)
    check = await carry_out(put, adapter, device, action)
    assert check.state is ActionState.SUCCEEDED and check.error_code is None, check
    after = await adapter.get_device(device.provider_device_id)
    if before.properties.locked is not None:
        assert after.properties.locked is (action is ActionKind.LOCK)


async def offline_outcome(put: ProviderUnderTest, adapter: Provider, device: ProviderDevice, action: ActionKind) -> str:
    """The error code the command ends with: refused at once, or accepted and then reported failed."""
    try:
        receipt = await adapter.perform(device, action)
    except DeviceOffline as exc:
        return exc.code
    await put.simulator.settle()
    check = await adapter.check_action(device, action, receipt)
    return f"{check.state}: {check.error_code}"


@pytest.mark.parametrize("action", list(ActionKind), ids=str)
async def test_a_command_to_the_offline_device_fails_as_device_offline(
    put: ProviderUnderTest, adapter: Provider, action: ActionKind
) -> None:
    device = await role_device(put, adapter, DeviceRole.OFFLINE)
    if not can(device, action):
        pytest.skip(f"the offline device does not claim {NEEDS[action].value}")
    assert await offline_outcome(put, adapter, device, action) in ("device_offline", "failed: device_offline")
