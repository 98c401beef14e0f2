"""Offline codes, where a device claims them: it lists the windows it can issue (time frame options); a code issued
for a window an option takes comes back with exactly that window and opens the simulated lock within it and not
outside it, also where the lock itself cannot be reached; a window no option takes is refused before any vendor call.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contract_tests.support import ROLES, arm_tripwire, assert_vendor_untouched, on_the_wire, role_device
from providers.base import Provider
from providers.errors import ProviderRejected
from providers.testing import DeviceRole, ProviderUnderTest
from schemas import TimeFrameOption
from schemas.providers import OfflineAccessCode, OfflineCodeSpec, ProviderDevice


async def offline_device(put: ProviderUnderTest, adapter: Provider, role: str) -> ProviderDevice:
    device = await role_device(put, adapter, role)
    if not device.capabilities.can_program_offline_access_codes:
        pytest.skip(f"the {role} device issues no offline codes")
    return device


def window_for(option: TimeFrameOption, now: datetime) -> tuple[datetime | None, datetime | None]:
    """A window the option takes: from a whole hour of the option's zone tomorrow, as short as it allows."""
    zone = ZoneInfo(option.time_zone) if option.time_zone else UTC
    local = (now + timedelta(days=1)).astimezone(zone).replace(minute=0, second=0, microsecond=0)
    start = local.astimezone(UTC)
    if option.is_permanent:
        return None, None
    length = option.max_duration if option.is_one_time_use else option.min_duration or option.granularity
    if length is None:
        pytest.fail(f"{option} gives neither a duration nor a granularity, so no window can be made for it")
    if option.matching_start_end_time:
        days = -(-length // timedelta(days=1))
        return start, (local + timedelta(days=days)).astimezone(UTC)
    return start, start + length


@pytest.mark.parametrize("role", ROLES)
async def test_a_device_that_issues_offline_codes_lists_sane_windows(
    put: ProviderUnderTest, adapter: Provider, role: str
) -> None:
    device = await offline_device(put, adapter, role)
    options = device.code_constraints.offline_time_frame_options
    assert options and len({option.display_name for option in options}) == len(options)
    for option in options:
        assert option.granularity > timedelta(0)
        low, high = option.min_duration, option.max_duration
        assert (low is None or low > timedelta(0)) and (high is None or low is None or low <= high), option
        assert not option.is_one_time_use or high is not None, "a one-time code says how long it may be used"
        assert option.time_zone is None or ZoneInfo(option.time_zone).key == option.time_zone


@pytest.mark.parametrize("role", ROLES)
async def test_each_time_frame_option_issues_a_code_that_opens_within_its_window(
    put: ProviderUnderTest, adapter: Provider, role: str
) -> None:
    device = await offline_device(put, adapter, role)
    options = device.code_constraints.offline_time_frame_options
    assert options, "a device that issues offline codes lists the windows it can issue"
    now = put.context.clock()
    for index, option in enumerate(options):
        starts_at, ends_at = window_for(option, now)
        spec = OfflineCodeSpec(
            name=f"Contract offline {index}",
            starts_at=starts_at,
            ends_at=ends_at,
            is_one_time_use=option.is_one_time_use,
        )
        issued = await adapter.create_offline_access_code(device, spec)
        assert on_the_wire(issued, OfflineAccessCode) == issued
        assert issued.code.isdigit() and (issued.starts_at, issued.ends_at) == (starts_at, ends_at), option
        assert_opens_only_within(put, device, issued)


def assert_opens_only_within(put: ProviderUnderTest, device: ProviderDevice, issued: OfflineAccessCode) -> None:
    device_id, code = device.provider_device_id, issued.code
    if issued.starts_at is not None:
        assert put.simulator.would_open(device_id, code, issued.starts_at + timedelta(minutes=30))
        assert not put.simulator.would_open(device_id, code, issued.starts_at - timedelta(minutes=30))
    else:
        assert put.simulator.would_open(device_id, code, put.context.clock() + timedelta(minutes=30))
    if issued.ends_at is not None:
        assert not put.simulator.would_open(device_id, code, issued.ends_at + timedelta(minutes=30))


async def test_the_unreachable_device_still_issues_offline_codes(put: ProviderUnderTest, adapter: Provider) -> None:
    device = await offline_device(put, adapter, DeviceRole.OFFLINE)
    option = next(option for option in device.code_constraints.offline_time_frame_options if not option.is_permanent)
    starts_at, ends_at = window_for(option, put.context.clock())
    spec = OfflineCodeSpec(
        name="Contract offline", starts_at=starts_at, ends_at=ends_at, is_one_time_use=option.is_one_time_use
    )
    issued = await adapter.create_offline_access_code(device, spec)
    assert_opens_only_within(put, device, issued)


async def test_a_window_no_option_takes_is_refused_before_any_vendor_call(
    put: ProviderUnderTest, adapter: Provider
) -> None:
    device = await offline_device(put, adapter, DeviceRole.CODES)
    start = (put.context.clock() + timedelta(days=1)).replace(minute=17, second=0, microsecond=0)
    arm_tripwire(put)
    for ends_at in (start + timedelta(hours=3), start + timedelta(days=900)):
        with pytest.raises(ProviderRejected) as refused:
            await adapter.create_offline_access_code(
                device, OfflineCodeSpec(name="x", starts_at=start, ends_at=ends_at)
            )
        assert refused.value.code == "time_frame_not_supported"
    await assert_vendor_untouched(adapter)
