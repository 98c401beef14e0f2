"""Time-bound codes whose windows cross a 2026 daylight-saving change, through the REST API on the sandbox, with the
gateway's clock set to the day before: the simulated Nuki holds the exact UTC instants with "every day, all day"
(127, 0/0), and its keypad opens between those instants only, judged in the lock's own time zone (Front door:
Europe/Berlin, Back door: America/New_York). Nuki's zone id is not translated: the device's zone is reported unknown.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar

from aggregator.app import create_app
from aggregator.settings import Settings
from providers.nuki.simulator_state import Auth
from tests.conftest import DatabaseTarget
from tests.factories import Tenant
from tests.sandbox import NukiSandbox, lock_id, until

pytestmark = pytest.mark.sandbox
Json = dict[str, Any]
PIN = "345678"


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def gateway_now() -> datetime:
    """What time the gateway thinks it is (the test's own clock runs on from there); parametrized per case."""
    return datetime.now(UTC)


@pytest.fixture
def app(settings: Settings, database_target: DatabaseTarget, gateway_now: datetime) -> Litestar:
    shift = datetime.now(UTC) - gateway_now
    return create_app(settings, database=database_target.database(), clock=lambda: datetime.now(UTC) - shift)


async def code_on_lock(
    client: httpx.AsyncClient, tenant: Tenant, nuki: NukiSandbox, door: str, **window: str
) -> tuple[Json, Auth]:
    """The code made through the API once the simulated lock holds it (synced) and the gateway knows it is there."""
    await nuki.connect()
    device = (await nuki.devices())[door]
    body = {"device_id": device["id"], "name": "Guest", "code": PIN, **window}
    answer = await client.post("/v1/access_codes", json=body, headers=tenant.headers)
    assert answer.status_code == 201, answer.text
    lock = lock_id(nuki.sim, door)

    def held() -> Auth | None:
        found = [auth for auth in nuki.sim.auths.values() if auth.smartlock_id == lock and str(auth.code) == PIN]
        return found[0] if found and found[0].operation_id is None else None

    made: Json = {}

    async def recorded() -> bool:
        nonlocal made
        made = (await client.get(f"/v1/access_codes/{answer.json()['id']}", headers=tenant.headers)).json()
        return held() is not None and (made["status"] == "set" or made["is_scheduled_on_device"])

    await until(recorded)
    auth = held()
    assert auth is not None
    return made, auth


CASES = [
    pytest.param(
        "Front door",
        instant("2026-03-28T12:00:00Z"),
        ("2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00"),  # 01:30 CET to 03:30 CEST: one hour
        ("2026-03-29T00:30:00.000Z", "2026-03-29T01:30:00.000Z"),
        {"00:29:59Z": False, "00:30:00Z": True, "01:00:00Z": True, "01:29:59Z": True, "01:30:00Z": False},
        id="berlin-spring",
    ),
    pytest.param(
        "Front door",
        instant("2026-10-24T12:00:00Z"),
        ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00"),  # 02:30 CEST to 02:30 CET: one hour
        ("2026-10-25T00:30:00.000Z", "2026-10-25T01:30:00.000Z"),
        {"00:29:59Z": False, "00:30:00Z": True, "01:00:00Z": True, "01:29:59Z": True, "01:30:00Z": False},
        id="berlin-autumn",
    ),
    pytest.param(
        "Back door",
        instant("2026-03-07T12:00:00Z"),
        ("2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00"),  # 01:30 EST to 03:30 EDT: one hour
        ("2026-03-08T06:30:00.000Z", "2026-03-08T07:30:00.000Z"),
        {"06:29:59Z": False, "06:30:00Z": True, "07:00:00Z": True, "07:29:59Z": True, "07:30:00Z": False},
        id="new-york-spring",
    ),
    pytest.param(
        "Back door",
        instant("2026-10-31T12:00:00Z"),
        ("2026-11-01T00:30:00-04:00", "2026-11-01T01:30:00-05:00"),  # 00:30 EDT to 01:30 EST: two hours
        ("2026-11-01T04:30:00.000Z", "2026-11-01T06:30:00.000Z"),
        # 01:30 EDT opens, 01:30 EST (the window's end) does not
        {"04:29:59Z": False, "05:30:00Z": True, "06:15:00Z": True, "06:29:59Z": True, "06:30:00Z": False},
        id="new-york-autumn",
    ),
]


@pytest.mark.parametrize(("door", "gateway_now", "window", "dates", "probes"), CASES)
async def test_a_window_across_a_dst_change_is_held_as_instants_and_opens_only_inside(
    client: httpx.AsyncClient,
    tenant: Tenant,
    nuki: NukiSandbox,
    door: str,
    window: tuple[str, str],
    dates: tuple[str, str],
    probes: dict[str, bool],
):
    code, auth = await code_on_lock(client, tenant, nuki, door, starts_at=window[0], ends_at=window[1])

    assert auth.window == {
        "allowedFromDate": dates[0],
        "allowedUntilDate": dates[1],
        "allowedWeekDays": 127,
        "allowedFromTime": 0,
        "allowedUntilTime": 0,
    }
    starts_at, ends_at = instant(code["starts_at"]), instant(code["ends_at"])
    assert (starts_at, ends_at) == (instant(window[0]), instant(window[1]))
    assert starts_at.utcoffset() == timedelta(0) and ends_at - starts_at == instant(dates[1]) - instant(dates[0])
    assert code["is_scheduled_on_device"] is True
    day = dates[0][:10]
    lock = lock_id(nuki.sim, door)
    assert {probe: nuki.sim.would_open(lock, PIN, at=instant(f"{day}T{probe}")) for probe in probes} == probes


@pytest.mark.parametrize(("door", "gateway_now"), [CASES[3].values[:2]])
async def test_the_sandbox_keypad_check_agrees_and_the_zone_is_reported_unknown(
    client: httpx.AsyncClient, tenant: Tenant, nuki: NukiSandbox, door: str
):
    await code_on_lock(
        client, tenant, nuki, door, starts_at="2026-11-01T00:30:00-04:00", ends_at="2026-11-01T01:30:00-05:00"
    )
    path = f"/sandbox/nuki/app/smartlocks/{lock_id(nuki.sim, door)}/keypad/check"

    first, second = [
        (await client.post(path, json={"code": PIN, "at": at})).json()
        for at in ("2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00")
    ]

    assert first == {"opens": True, "lockLocalTime": "2026-11-01T01:30:00-04:00"}
    assert second == {"opens": False, "lockLocalTime": "2026-11-01T01:30:00-05:00"}
    device = (await nuki.devices())[door]
    assert device["timezone"] is None
    assert "time_zone_unknown" in [warning["error_code"] for warning in device["warnings"]]


async def test_a_code_restricted_in_the_nuki_app_to_some_weekdays_is_put_back(
    client: httpx.AsyncClient, tenant: Tenant, nuki: NukiSandbox
):
    ends_at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    code, auth = await code_on_lock(client, tenant, nuki, "Front door", ends_at=ends_at.isoformat())
    restriction = {"allowedWeekDays": 64, "allowedFromTime": 600, "allowedUntilTime": 840}
    path = f"/sandbox/nuki/app/smartlocks/{auth.smartlock_id}/codes/{auth.id}"
    assert (await client.post(path, json=restriction)).status_code == 200

    answer = await client.post(f"/v1/devices/{code['device_id']}/reconcile", headers=tenant.headers)
    assert answer.status_code == 202, answer.text

    def put_back() -> bool:
        return (auth.window.get("allowedWeekDays"), auth.window.get("allowedFromTime")) == (127, 0)

    await until(put_back, within=3)
