"""The adapter against the simulated igloohome, end to end: the codes it issues open the simulated doors exactly
within their windows, variances run out per slot, bridge jobs are followed, and the sandbox cloud connects.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest

from providers.base import HeldCredentials as MemoryCredentials
from providers.base import ProviderConfig, ProviderContext
from providers.errors import DeviceOffline, ProviderRejected
from providers.igloohome.adapter import IgloohomeProvider
from providers.igloohome.sandbox import sandbox_cloud
from providers.igloohome.testing import provider_under_test
from providers.testing import DeviceRole
from schemas.providers import AccessCodeSpec, ActionKind, ActionState, OfflineCodeSpec

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(name="put")
async def put_fixture():
    async with provider_under_test() as under_test:
        yield under_test


async def front_door(put, timezone: str | None = None):
    device = await put.adapter().get_device(put.devices[DeviceRole.CODES])
    return msgspec.structs.replace(device, timezone=timezone)


def next_hour(put, days: int = 1):
    return (put.context.clock() + timedelta(days=days)).astimezone(BERLIN).replace(minute=0, second=0, microsecond=0)


async def test_an_offline_code_opens_the_door_exactly_within_its_window(put):
    device, start = await front_door(put, "Europe/Berlin"), next_hour(put)
    spec = OfflineCodeSpec(name="Stay", starts_at=start, ends_at=start + timedelta(hours=5))

    issued = await put.adapter().create_offline_access_code(device, spec)

    opens = put.simulator.would_open
    lock = device.provider_device_id
    assert [opens(lock, issued.code, start + timedelta(minutes=offset)) for offset in (-1, 0, 299, 300)] == [
        False,
        True,
        True,
        False,
    ]


async def test_the_same_window_gets_another_pin_until_the_slot_is_used_up(put):
    device, start = await front_door(put), next_hour(put, days=2)
    spec = OfflineCodeSpec(name="Stay", starts_at=start, ends_at=start + timedelta(hours=2))
    adapter = put.adapter()

    pins = [(await adapter.create_offline_access_code(device, spec)).code for _ in range(3)]
    with pytest.raises(ProviderRejected) as refused:
        await adapter.create_offline_access_code(device, spec)

    assert len(set(pins)) == 3 and refused.value.code == "no_space_for_access_code_on_device"


async def test_a_one_time_code_opens_once(put):
    device, start = await front_door(put), next_hour(put)
    spec = OfflineCodeSpec(name="Cleaner", starts_at=start, is_one_time_use=True)

    issued = await put.adapter().create_offline_access_code(device, spec)
    sim, lock = put.simulator.sim, device.provider_device_id

    assert issued.ends_at == start + timedelta(days=1)
    assert sim.keypad_entry(lock, issued.code, start + timedelta(hours=1))
    assert not sim.keypad_entry(lock, issued.code, start + timedelta(hours=2))


async def test_a_custom_pin_opens_within_its_window_and_its_update_replaces_it(put):
    device, start = await front_door(put), next_hour(put)
    spec = AccessCodeSpec(name="Guest", code="4821", starts_at=start, ends_at=start + timedelta(days=2))
    adapter, opens, lock = put.adapter(), put.simulator.would_open, device.provider_device_id

    created = await adapter.create_access_code(device, spec)
    moved = msgspec.structs.replace(spec, code="7391")
    updated = await adapter.update_access_code(device, created.provider_code_id, moved)
    inside = start + timedelta(hours=3)

    assert (created.is_pending, updated.provider_code_id) == (False, "pin:7391")
    assert opens(lock, "7391", inside) and not opens(lock, "4821", inside)
    assert not opens(lock, "7391", start - timedelta(minutes=1))
    await adapter.delete_access_code(device, updated.provider_code_id)
    assert not opens(lock, "7391", inside)


async def test_an_unlock_is_confirmed_once_the_bridge_carried_it_out(put):
    device, adapter = await front_door(put), put.adapter()

    receipt = await adapter.perform(device, ActionKind.UNLOCK)
    before = await adapter.check_action(device, ActionKind.UNLOCK, receipt)
    await put.simulator.settle()
    after = await adapter.check_action(device, ActionKind.UNLOCK, receipt)

    assert (before.state, after.state, after.was_confirmed_by_device) == (
        ActionState.PENDING,
        ActionState.SUCCEEDED,
        True,
    )


async def test_a_custom_pin_for_a_lock_whose_bridge_is_offline_is_device_offline(put):
    adapter = put.adapter()
    device = await adapter.get_device(put.devices[DeviceRole.OFFLINE])

    with pytest.raises(DeviceOffline):
        await adapter.create_access_code(device, AccessCodeSpec(name="Guest", code="4821"))


async def test_the_sandbox_cloud_connects_with_its_credentials():
    cloud = sandbox_cloud(redirect_uri="http://gateway.test/callback")
    base = "http://gateway.test/sandbox/igloohome"
    config = ProviderConfig(base_url=base, auth_url=f"{base}{cloud.auth_path}")
    transport = httpx.ASGITransport(app=_unprefixed(cloud.app, "/sandbox/igloohome"))
    try:
        async with httpx.AsyncClient(transport=transport) as http:
            store = MemoryCredentials()
            context = ProviderContext(http=http, config=config, credentials=store)
            given = dict(cloud.credentials or {})
            assert sorted(given) == ["client_id", "client_secret"]  # what the sandbox connects with at start-up
            await store.save(await IgloohomeProvider.connect(context, given))
            devices = await IgloohomeProvider(context).list_devices()
    finally:
        await cloud.close()

    assert sorted(device.device_model for device in devices) == ["lock", "lock_with_bridge", "padlock"]
    assert cloud.client_id is None and cloud.auth_path == "/oauth2/token"


def _unprefixed(app, prefix: str):
    """The app mounted under `prefix`, as the gateway's sandbox serves each cloud."""

    async def mounted(scope, receive, send):
        path = scope["path"].removeprefix(prefix) or "/"
        await app({**scope, "path": path, "raw_path": path.encode()}, receive, send)

    return mounted
