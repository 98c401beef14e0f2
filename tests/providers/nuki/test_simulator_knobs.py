"""The Nuki simulator's fault and device knobs (expired or revoked credentials, rate limits, failures, time-outs,
latency, offline and battery) as the real `NukiProvider` and raw httpx see them.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from providers.errors import DeviceOffline, ProviderAuthError, ProviderRateLimited, ProviderUnavailable
from providers.nuki.simulator import NukiSimulator
from providers.nuki.testing import BASE_URL, EMAIL
from providers.testing import DeviceRole
from schemas import BatteryStatus
from schemas.providers import ActionKind

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`nuki`, `sim`, ...)
from tests.providers.nuki.simulator_support import (
    bearer,
    clock_fixture,  # noqa: F401
    connected,
    consent,
    devices_fixture,  # noqa: F401
    http_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
    token_call,
)

# -- knobs ----------------------------------------------------------------------------------------------------


async def test_expire_tokens_forces_a_refresh(http: httpx.AsyncClient, sim: NukiSimulator):
    adapter, store = await connected(http)
    old_access = store.credentials["access_token"]
    sim.expire_tokens()
    assert (await http.get("/account", headers=bearer(old_access))).status_code == 401
    assert (await adapter.identify()).display_name == EMAIL
    assert store.credentials["access_token"] != old_access


async def test_revoked_credentials_are_refused_everywhere(http: httpx.AsyncClient, sim: NukiSimulator):
    adapter, store = await connected(http)
    api_token = sim.issue_api_token(min(sim.accounts))
    sim.revoke_credentials()
    assert (await http.get("/account", headers=bearer(store.credentials["access_token"]))).status_code == 401
    assert (await http.get("/account", headers=bearer(api_token))).status_code == 401
    refresh = await token_call(http, grant_type="refresh_token", refresh_token=store.credentials["refresh_token"])
    assert (refresh.status_code, refresh.json()) == (400, {"error": "invalid_grant"})
    with pytest.raises(ProviderAuthError):
        await adapter.list_devices()
    again, _ = await connected(http)  # a new consent is a new grant
    assert len(await again.list_devices()) == 4


async def test_rate_limit_answers_429_with_retry_after_then_recovers(http: httpx.AsyncClient, sim: NukiSimulator):
    adapter, _ = await connected(http)
    sim.rate_limit(retry_after=7, count=2)
    with pytest.raises(ProviderRateLimited) as refused:
        await adapter.list_devices()
    raw = await http.get("/smartlock")
    assert refused.value.retry_after == 7.0
    assert (raw.status_code, raw.headers["retry-after"]) == (429, "7")
    assert len(await adapter.list_devices()) == 4


async def test_fail_next_fails_exactly_count_requests(http: httpx.AsyncClient, sim: NukiSimulator):
    adapter, _ = await connected(http)
    sim.fail_next(status=502, count=2)
    with pytest.raises(ProviderUnavailable):
        await adapter.list_devices()
    assert (await http.get("/smartlock")).status_code == 502
    assert len(await adapter.list_devices()) == 4


async def test_time_out_next_makes_the_client_time_out(sim: NukiSimulator, devices: dict[str, str]):
    async with httpx.AsyncClient(transport=sim.transport(), timeout=0.2) as quick:
        adapter, _ = await connected(quick)
        sim.time_out_next(count=1)
        started = asyncio.get_running_loop().time()
        with pytest.raises(ProviderUnavailable, match="in time"):
            await adapter.list_devices()
        assert asyncio.get_running_loop().time() - started < 1  # the client's time-out, not the 30 s hang
        assert len(await adapter.list_devices()) == 4


async def test_a_hung_request_answers_504_when_nobody_gives_up(sim: NukiSimulator, devices: dict[str, str]):
    sim.hang_seconds = 0.01
    sim.time_out_next()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=BASE_URL) as plain:
        assert (await plain.get("/smartlock")).status_code == 504


async def test_latency_delays_every_answer(http: httpx.AsyncClient, sim: NukiSimulator):
    sim.latency = 0.05
    loop = asyncio.get_running_loop()
    started = loop.time()
    await http.get("/oauth/authorize", params=consent())
    assert loop.time() - started >= 0.05


async def test_failure_rate_fails_that_fraction_of_requests(http: httpx.AsyncClient, sim: NukiSimulator):
    sim.failure_rate = 0.3
    statuses = [(await http.get("/oauth/authorize", params=consent())).status_code for _ in range(100)]
    assert set(statuses) == {200, 503}
    assert 15 <= statuses.count(503) <= 45
    sim.failure_rate = 0.0
    assert (await http.get("/oauth/authorize", params=consent())).status_code == 200


async def test_device_knobs_show_in_the_adapters_devices(
    http: httpx.AsyncClient, sim: NukiSimulator, devices: dict[str, str]
):
    adapter, _ = await connected(http)
    lock_id = devices[DeviceRole.CODES]
    sim.set_online(int(lock_id), False)
    sim.set_battery(int(lock_id), 9)
    offline = await adapter.get_device(lock_id)
    assert offline.properties.online is False and [e.error_code for e in offline.errors] == ["device_offline"]
    assert offline.properties.battery_level == 0.09 and offline.properties.battery_status is BatteryStatus.CRITICAL
    with pytest.raises(DeviceOffline):
        await adapter.perform(offline, ActionKind.UNLOCK)
    sim.set_online(int(lock_id), True)
    sim.set_battery(int(lock_id), 55, critical=False)
    back = await adapter.get_device(lock_id)
    assert back.properties.online is True and back.properties.battery_status is BatteryStatus.GOOD
