"""Helpers the contract tests share: the device of a role, wire-validity of answers, and proof of no vendor call."""

from __future__ import annotations

from typing import TypeVar

import msgspec
import pytest

from providers.base import Provider
from providers.errors import ProviderUnavailable
from providers.testing import DeviceRole, ProviderUnderTest
from schemas.providers import ProviderDevice

T = TypeVar("T")

ROLES = (DeviceRole.CODES, DeviceRole.NO_CODES, DeviceRole.OFFLINE, DeviceRole.LOW_BATTERY)
ONLINE_ROLES = (DeviceRole.CODES, DeviceRole.NO_CODES, DeviceRole.LOW_BATTERY)


def role_id(put: ProviderUnderTest, role: str) -> str:
    """The provider device id of `role`; the test is skipped when the provider cannot have such a device."""
    if role not in put.devices:
        pytest.skip(f"{put.provider.manifest.slug} has no {role} device")
    return put.devices[role]


async def role_device(put: ProviderUnderTest, adapter: Provider, role: str) -> ProviderDevice:
    return await adapter.get_device(role_id(put, role))


def on_the_wire(value: T, kind: type[T]) -> T:
    """`value` after a round trip through its wire form: the schema's constraints (aware datetimes, ranges) hold,
    which building a Struct in Python does not check.
    """
    return msgspec.convert(msgspec.to_builtins(value), kind)


def arm_tripwire(put: ProviderUnderTest) -> None:
    """The vendor's next request fails with 503; `assert_vendor_untouched` then proves no request was made."""
    put.simulator.knobs.fail_next(status=503)


async def assert_vendor_untouched(adapter: Provider) -> None:
    """The tripwire armed earlier is still there: the next request trips it, and the one after it works."""
    with pytest.raises(ProviderUnavailable):
        await adapter.identify()
    assert (await adapter.identify()).provider_account_id != ""
