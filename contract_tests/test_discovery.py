"""Discovery: the account's identity, and each role's device as listed and as read alone, within its model."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from contract_tests.support import ONLINE_ROLES, ROLES, on_the_wire, role_device, role_id
from providers.base import Provider
from providers.errors import ProviderRejected
from providers.manifest import Capability, capabilities_of
from providers.testing import DeviceRole, ProviderUnderTest
from schemas import BatteryStatus
from schemas.providers import AccountIdentity, ProviderDevice


async def test_identify_names_the_vendor_account_the_same_each_time(adapter: Provider) -> None:
    first, second = await adapter.identify(), await adapter.identify()
    assert on_the_wire(first, AccountIdentity) == first
    assert first.provider_account_id.strip() != "" and second.provider_account_id == first.provider_account_id


def test_the_account_holds_the_roles_the_manifest_calls_for(put: ProviderUnderTest) -> None:
    assert set(put.devices) <= set(ROLES) and put.devices
    assert len(set(put.devices.values())) == len(put.devices), "two roles share one device"
    takes_codes = Capability.PROGRAM_ONLINE_ACCESS_CODES in put.provider.manifest.capabilities
    assert (DeviceRole.CODES in put.devices or DeviceRole.CODES in put.missing) == takes_codes
    assert all(reason.strip() for reason in put.missing.values()) and not set(put.missing) & set(put.devices)


async def test_list_devices_holds_every_role_device_once(put: ProviderUnderTest, adapter: Provider) -> None:
    listed = await adapter.list_devices()
    ids = [device.provider_device_id for device in listed]
    assert len(ids) == len(set(ids))
    assert set(put.devices.values()) <= set(ids)
    assert all(on_the_wire(device, ProviderDevice) == device for device in listed)


@pytest.mark.parametrize("role", ROLES)
async def test_get_device_reads_what_the_list_shows(put: ProviderUnderTest, adapter: Provider, role: str) -> None:
    device_id = role_id(put, role)
    listed = {device.provider_device_id: device for device in await adapter.list_devices()}[device_id]
    alone = await adapter.get_device(device_id)
    assert alone.provider_device_id == device_id
    assert (alone.device_model, alone.name, alone.model, alone.timezone) == (
        listed.device_model,
        listed.name,
        listed.model,
        listed.timezone,
    )
    assert (alone.properties, alone.capabilities, alone.code_constraints) == (
        listed.properties,
        listed.capabilities,
        listed.code_constraints,
    )


@pytest.mark.parametrize("role", ROLES)
async def test_a_device_is_one_of_the_manifest_models_and_does_no_more(
    put: ProviderUnderTest, adapter: Provider, role: str
) -> None:
    device = await role_device(put, adapter, role)
    model = put.provider.manifest.model(device.device_model)
    assert capabilities_of(device.capabilities) <= model.capabilities
    assert device.name.strip() != ""
    assert device.timezone is None or ZoneInfo(device.timezone).key == device.timezone


@pytest.mark.parametrize("role", ONLINE_ROLES)
async def test_reachable_devices_are_online_without_errors_saying_otherwise(
    put: ProviderUnderTest, adapter: Provider, role: str
) -> None:
    device = await role_device(put, adapter, role)
    assert device.properties.online is True
    assert "device_offline" not in {issue.error_code for issue in device.errors}


async def test_the_offline_device_is_reported_offline(put: ProviderUnderTest, adapter: Provider) -> None:
    device = await role_device(put, adapter, DeviceRole.OFFLINE)
    assert device.properties.online is False
    assert "device_offline" in {issue.error_code for issue in device.errors}


async def test_the_low_battery_device_says_so(put: ProviderUnderTest, adapter: Provider) -> None:
    device = await role_device(put, adapter, DeviceRole.LOW_BATTERY)
    assert device.properties.battery_status in (BatteryStatus.CRITICAL, BatteryStatus.LOW)
    assert device.properties.battery_level is None or device.properties.battery_level < 0.5


async def test_the_codes_device_takes_codes_and_says_which(put: ProviderUnderTest, adapter: Provider) -> None:
    device = await role_device(put, adapter, DeviceRole.CODES)
    constraints = device.code_constraints
    assert device.capabilities.can_program_online_access_codes is True
    assert constraints.supported_code_lengths and all(length > 0 for length in constraints.supported_code_lengths)
    assert constraints.max_active_codes is None or constraints.max_active_codes > 0
    assert constraints.max_name_length is None or constraints.max_name_length > 0


async def test_the_no_codes_device_takes_none(put: ProviderUnderTest, adapter: Provider) -> None:
    device = await role_device(put, adapter, DeviceRole.NO_CODES)
    assert device.capabilities.can_program_online_access_codes is False
    assert device.capabilities.can_program_time_bound_codes_natively is False


@pytest.mark.parametrize("unknown", ["contract-no-such-device", "{known}9"])
async def test_an_unknown_device_is_device_not_found(put: ProviderUnderTest, adapter: Provider, unknown: str) -> None:
    known = next(iter(put.devices.values()))
    with pytest.raises(ProviderRejected) as refused:
        await adapter.get_device(unknown.format(known=known))
    assert refused.value.code == "device_not_found"
