"""igloohome through the REST API alone, on the sandbox: offline codes for a stay (hourly and daily) with exactly the
window they have, tried on the simulated keypad; a clear answer for a window the algorithm cannot produce (and the
window it would give, with rounding allowed); one-time codes; deleting an offline code; online PINs and an unlock
through the bridge; a lock that reports no state says so instead of inventing one.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from litestar import Litestar

from aggregator.reconcile.run import reconcile_once
from aggregator.runtime import runtime_job_context
from providers.igloohome.simulator import IgloohomeSimulator
from tests.factories import Tenant
from tests.sandbox import until

pytestmark = [
    pytest.mark.sandbox,
    # the provider through the gateway: the database engine is not what is under test (tests/aggregator runs both)
    pytest.mark.parametrize("database_target", ["sqlite"], indirect=True),
]
BERLIN = ZoneInfo("Europe/Berlin")
APP = "/sandbox/igloohome/app"


class Igloo:
    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], sim: IgloohomeSimulator) -> None:
        self.client, self.headers, self.sim = client, headers, sim

    async def doors(self) -> dict[str, dict[str, Any]]:
        answer = await self.client.get("/v1/devices", params={"provider": "igloohome"}, headers=self.headers)
        return {device["name"]: device for device in answer.json()["data"]}

    async def offline(self, door: dict[str, Any], **body: Any) -> httpx.Response:
        body = {key: value.isoformat() if isinstance(value, datetime) else value for key, value in body.items()}
        payload = {"device_id": door["id"], "name": "Guest", "is_offline_access_code": True, **body}
        return await self.client.post("/v1/access_codes", json=payload, headers=self.headers)

    async def opens(self, door: dict[str, Any], code: str, at: datetime) -> bool:
        path = f"{APP}/locks/{door['provider_device_id']}/keypad/check"
        answer = await self.client.post(path, json={"code": code, "at": at.isoformat()})
        assert answer.status_code == 200, answer.text
        return bool(answer.json()["opens"])


@pytest.fixture
async def igloo(app: Litestar, client: httpx.AsyncClient, tenant: Tenant) -> Igloo:
    cloud = app.state.runtime.vendors.sandbox.clouds["igloohome"]
    sim: IgloohomeSimulator = cloud.app.state.sim
    sim.job_delay = 0.02
    body = {"provider": "igloohome", "credentials": dict(cloud.credentials)}
    answer = await client.post("/v1/connected_accounts", json=body, headers=tenant.headers)
    assert answer.status_code == 201, answer.text
    world = Igloo(client, tenant.headers, sim)
    studio = (await world.doors())["Studio"]
    patched = await client.patch(
        f"/v1/devices/{studio['id']}", json={"timezone": "Europe/Berlin"}, headers=tenant.headers
    )
    assert patched.status_code == 200, patched.text
    return world


def berlin_hour(days: int, hour: int) -> datetime:
    day = (datetime.now(BERLIN) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def test_the_locks_say_what_they_can_do_and_never_invent_a_state(igloo: Igloo) -> None:
    doors = await igloo.doors()
    assert set(doors) == {"Guest house", "Studio", "Gate padlock"}
    house, studio, padlock = doors["Guest house"], doors["Studio"], doors["Gate padlock"]
    assert house["capabilities"]["can_remotely_unlock"] and house["capabilities"]["can_program_online_access_codes"]
    assert not studio["capabilities"]["can_program_online_access_codes"]
    assert (
        studio["capabilities"]["can_program_offline_access_codes"]
        and padlock["capabilities"]["can_program_offline_access_codes"]
    )
    assert {door["properties"]["locked"] for door in doors.values()} == {None}
    assert studio["timezone"] == "Europe/Berlin"
    names = [option["display_name"] for option in studio["code_constraints"]["offline_time_frame_options"]]
    assert names == ["Hourly", "Daily", "One-time", "Permanent"]


async def test_an_hourly_code_for_a_short_stay_opens_the_lock_within_its_window_only(igloo: Igloo) -> None:
    studio = (await igloo.doors())["Studio"]
    starts_at, ends_at = berlin_hour(1, 15), berlin_hour(3, 11)
    answer = await igloo.offline(studio, starts_at=starts_at, ends_at=ends_at)
    assert answer.status_code == 201, answer.text
    issued = answer.json()
    assert (issued["starts_at"], issued["ends_at"]) == (utc(starts_at), utc(ends_at))
    assert issued["status"] == "unset" and issued["code"].isdigit() and 7 <= len(issued["code"]) <= 9
    assert await igloo.opens(studio, issued["code"], starts_at + timedelta(minutes=5))
    assert not await igloo.opens(studio, issued["code"], starts_at - timedelta(minutes=5))
    assert not await igloo.opens(studio, issued["code"], ends_at + timedelta(minutes=5))


async def test_a_long_stay_is_a_daily_code_and_an_impossible_window_says_what_fits(igloo: Igloo) -> None:
    studio = (await igloo.doors())["Studio"]
    starts_at = berlin_hour(2, 16)
    daily = await igloo.offline(studio, starts_at=starts_at, ends_at=starts_at + timedelta(days=40))
    assert daily.status_code == 201, daily.text
    assert daily.json()["ends_at"] == utc(starts_at + timedelta(days=40))
    assert "must_be_used_within_time_limit" in [w["error_code"] for w in daily.json()["warnings"]]

    odd_end = berlin_hour(42, 11)  # 40 days, but it ends at another time of day
    refused = await igloo.offline(studio, starts_at=starts_at, ends_at=odd_end)
    assert refused.status_code == 422 and refused.json()["code"] == "time_frame_not_supported"
    detail = refused.json()["detail"]
    assert "Daily: 29 days to 367 days" in detail and "same time of day" in detail and "max_time_rounding" in detail
    rounded = await igloo.offline(studio, starts_at=starts_at, ends_at=odd_end, max_time_rounding="1d")
    assert rounded.status_code == 201, rounded.text
    assert rounded.json()["ends_at"] == utc(berlin_hour(42, 16))
    assert "time_frame_adjusted" in [w["error_code"] for w in rounded.json()["warnings"]]
    gap = await igloo.offline(studio, starts_at=starts_at, ends_at=starts_at + timedelta(days=28, hours=12))
    assert gap.status_code == 422  # too long for hourly codes, too short for daily ones


async def test_a_one_time_code_opens_once(igloo: Igloo) -> None:
    padlock = (await igloo.doors())["Gate padlock"]
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    answer = await igloo.offline(padlock, starts_at=start, is_one_time_use=True)
    assert answer.status_code == 201, answer.text
    issued = answer.json()
    assert issued["is_one_time_use"] and issued["ends_at"] == utc(start + timedelta(hours=24))
    path = f"{APP}/locks/{padlock['provider_device_id']}/keypad"
    first = await igloo.client.post(path, json={"code": issued["code"]})
    second = await igloo.client.post(path, json={"code": issued["code"]})
    assert (first.json()["opened"], second.json()["opened"]) == (True, False)


async def test_an_offline_code_cannot_be_taken_back_and_the_answer_says_so(igloo: Igloo) -> None:
    studio = (await igloo.doors())["Studio"]
    issued = (await igloo.offline(studio, starts_at=berlin_hour(1, 10), ends_at=berlin_hour(1, 20))).json()
    deleted = await igloo.client.delete(f"/v1/access_codes/{issued['id']}", headers=igloo.headers)
    assert deleted.status_code == 202 and deleted.json()["status"] == "removing"
    [warning] = [w for w in deleted.json()["warnings"] if w["error_code"] == "offline_code_still_valid"]
    assert utc(berlin_hour(1, 20)).removesuffix("Z") in warning["message"]


async def test_an_online_pin_and_an_unlock_go_through_the_bridge(igloo: Igloo) -> None:
    house = (await igloo.doors())["Guest house"]
    made = await igloo.client.post(
        "/v1/access_codes", json={"device_id": house["id"], "name": "Cleaner", "code": "4826"}, headers=igloo.headers
    )
    assert made.status_code == 201, made.text

    async def is_set() -> bool:
        answer = await igloo.client.get(f"/v1/access_codes/{made.json()['id']}", headers=igloo.headers)
        return bool(answer.json()["status"] == "set")

    await until(is_set)
    assert await igloo.opens(house, "4826", datetime.now(UTC) + timedelta(minutes=1))
    unlock = await igloo.client.post(f"/v1/devices/{house['id']}/unlock", headers=igloo.headers)
    assert unlock.status_code == 202, unlock.text

    async def unlocked() -> bool:
        attempt = await igloo.client.get(f"/v1/action_attempts/{unlock.json()['id']}", headers=igloo.headers)
        return bool(attempt.json()["status"] == "success")

    await until(unlocked)


async def test_the_worker_marks_offline_codes_unset_when_their_window_lapses(app: Litestar, igloo: Igloo) -> None:
    """igloohome cannot list codes: the worker judges offline codes by their windows (here two hours later)."""
    studio = (await igloo.doors())["Studio"]
    kept = (await igloo.offline(studio, starts_at=berlin_hour(1, 10), ends_at=berlin_hour(1, 12))).json()
    revoked = (
        await igloo.offline(studio, name="Leaving", starts_at=berlin_hour(1, 10), ends_at=berlin_hour(1, 11))
    ).json()
    await igloo.client.delete(f"/v1/access_codes/{revoked['id']}", headers=igloo.headers)

    later = datetime.fromisoformat(kept["ends_at"]) + timedelta(minutes=1)
    context = dataclasses.replace(runtime_job_context(app.state.runtime), clock=lambda: later)
    await reconcile_once(context, uuid.UUID(studio["id"]))

    code = await igloo.client.get(f"/v1/access_codes/{kept['id']}", headers=igloo.headers)
    assert code.json()["status"] == "unset"
    gone = await igloo.client.get(f"/v1/access_codes/{revoked['id']}", headers=igloo.headers)
    assert gone.status_code == 404
