"""TTLock through the REST API alone, on the sandbox: connect with the app account's password, see the locks as
they are (with and without gateway), set a time-bound code that the lock's keypad takes within its window and
refuses outside it, issue offline codes for a lock whose gateway is down, unlock, and answer TTLock's callbacks.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.aggregator.sandbox.ttlock_world import FAST_GATEWAY, TTLockWorld, ttlock_simulator
from tests.factories import Tenant
from tests.sandbox import until

pytestmark = [
    pytest.mark.sandbox,
    # the provider through the gateway: the database engine is not what is under test (tests/aggregator runs both)
    pytest.mark.parametrize("database_target", ["sqlite"], indirect=True),
]


@pytest.fixture
async def ttlock(app: Litestar, client: httpx.AsyncClient, tenant: Tenant) -> TTLockWorld:
    sim = ttlock_simulator(app)
    sim.gateway_delay = FAST_GATEWAY
    world = TTLockWorld(client, tenant.headers, sim)
    answer = await world.connect()
    assert answer.status_code == 201, answer.text
    return world


def whole_minute(**delta: float) -> datetime:
    return (datetime.now(UTC) + timedelta(**delta)).replace(second=0, microsecond=0)


def whole_hour(**delta: float) -> datetime:
    return (datetime.now(UTC) + timedelta(**delta)).replace(minute=0, second=0, microsecond=0)


async def test_the_locks_say_what_they_can_do(ttlock: TTLockWorld) -> None:
    doors = await ttlock.doors()
    assert set(doors) == {"Apartment door", "Storage room", "Garden shed", "Side door", "Cabin"}
    front, cabin, shed = doors["Apartment door"], doors["Cabin"], doors["Garden shed"]
    assert front["capabilities"]["can_program_online_access_codes"] and front["properties"]["online"]
    assert front["properties"]["locked"] is True and front["timezone"] == "Etc/GMT-1"
    assert (
        not cabin["capabilities"]["can_remotely_unlock"] and cabin["capabilities"]["can_program_offline_access_codes"]
    )
    assert [w["error_code"] for w in cabin["warnings"]] == ["hub_required_for_additional_capabilities"]
    assert shed["properties"]["online"] is False and [e["error_code"] for e in shed["errors"]] == ["device_offline"]
    assert doors["Side door"]["properties"]["battery_status"] == "critical"
    options = front["code_constraints"]["offline_time_frame_options"]
    assert [(o["display_name"], o["max_duration"]) for o in options] == [
        ("Period", "P365D"),
        ("One-time", "PT21600S"),
        ("Permanent", None),
    ]


async def test_a_wrong_password_is_a_clear_400(ttlock: TTLockWorld) -> None:
    answer = await ttlock.connect(username="host@example.com", password="wrong")
    assert answer.status_code == 400 and answer.json()["code"] == "provider_auth_failed"
    assert "10007" in answer.json()["detail"]
    missing = await ttlock.connect(username="host@example.com")
    assert missing.status_code == 422


async def test_a_time_bound_code_opens_the_lock_within_its_window_only(ttlock: TTLockWorld) -> None:
    front = (await ttlock.doors())["Apartment door"]
    starts_at, ends_at = whole_minute(minutes=-30), whole_minute(hours=2)
    answer = await ttlock.code(
        device_id=front["id"], name="Guest Lee", code="73915", starts_at=starts_at, ends_at=ends_at
    )
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["status"] == "setting"

    async def is_set() -> bool:
        return (await ttlock.get(made["id"]))["status"] == "set"

    await until(is_set)
    assert ttlock.sim.lock_codes(int(front["provider_device_id"])) == {"73915": "Guest Lee"}
    assert await ttlock.opens(front, "73915", datetime.now(UTC))
    assert not await ttlock.opens(front, "73915", ends_at + timedelta(minutes=1))
    assert not await ttlock.opens(front, "73915", starts_at - timedelta(minutes=1))


async def test_a_code_that_breaks_ttlock_rules_is_refused_before_any_vendor_call(ttlock: TTLockWorld) -> None:
    front = (await ttlock.doors())["Apartment door"]
    for code, rule in (("123456", "no_ascending_or_descending_sequence"), ("7777", "no_all_same_digits")):
        answer = await ttlock.code(device_id=front["id"], name="Too simple", code=code)
        assert answer.status_code == 422 and answer.json()["code"] == "code_constraint_violated"
        assert rule in answer.json()["detail"]
    cabin = (await ttlock.doors())["Cabin"]
    online = await ttlock.code(device_id=cabin["id"], name="Needs a gateway", code="2580")
    assert online.status_code == 422 and online.json()["code"] == "capability_not_supported"


async def test_an_offline_code_for_a_lock_whose_gateway_is_down(ttlock: TTLockWorld) -> None:
    shed = (await ttlock.doors())["Garden shed"]
    starts_at, ends_at = whole_hour(hours=-1), whole_hour(days=2)
    answer = await ttlock.code(
        device_id=shed["id"], name="Gardener", is_offline_access_code=True, starts_at=starts_at, ends_at=ends_at
    )
    assert answer.status_code == 201, answer.text
    issued = answer.json()
    assert issued["is_offline_access_code"] and issued["status"] == "set" and issued["code"].isdigit()
    assert (issued["starts_at"], issued["ends_at"]) == (_utc(starts_at), _utc(ends_at))
    assert [w["error_code"] for w in issued["warnings"]] == ["must_be_used_within_time_limit"]
    assert await ttlock.opens(shed, issued["code"], datetime.now(UTC))
    assert not await ttlock.opens(shed, issued["code"], ends_at + timedelta(minutes=1))
    events = (
        await ttlock.client.get("/v1/events", params={"type": "access_code.issued"}, headers=ttlock.headers)
    ).json()
    assert [event["access_code_id"] for event in events["data"]] == [issued["id"]]


async def test_a_window_offline_codes_cannot_have_is_refused_or_rounded_on_request(ttlock: TTLockWorld) -> None:
    cabin = (await ttlock.doors())["Cabin"]
    body: dict[str, Any] = {
        "device_id": cabin["id"],
        "name": "Late arrival",
        "is_offline_access_code": True,
        "starts_at": whole_hour(hours=3) + timedelta(minutes=20),
        "ends_at": whole_hour(hours=30) + timedelta(minutes=40),
    }
    refused = await ttlock.code(**body)
    assert refused.status_code == 422 and refused.json()["code"] == "time_frame_not_supported"
    assert "Period: 1 h to 365 days, starting and ending on the hour" in refused.json()["detail"]
    rounded = await ttlock.code(**body, max_time_rounding="1h")
    assert rounded.status_code == 201, rounded.text
    issued = rounded.json()
    assert (issued["starts_at"], issued["ends_at"]) == (_utc(whole_hour(hours=3)), _utc(whole_hour(hours=31)))
    assert "time_frame_adjusted" in [w["error_code"] for w in issued["warnings"]]
    with_pin = await ttlock.code(device_id=cabin["id"], is_offline_access_code=True, code="2580")
    assert with_pin.status_code == 422 and with_pin.json()["errors"][0]["field"] == "code"


async def test_an_offline_code_on_a_lock_without_gateway_stays_valid_when_deleted(ttlock: TTLockWorld) -> None:
    cabin = (await ttlock.doors())["Cabin"]
    issued = (await ttlock.code(device_id=cabin["id"], name="Friend", is_offline_access_code=True)).json()
    assert issued["type"] == "ongoing" and issued["status"] == "set"
    deleted = await ttlock.client.delete(f"/v1/access_codes/{issued['id']}", headers=ttlock.headers)
    assert deleted.status_code == 202
    assert "offline_code_still_valid" in [w["error_code"] for w in deleted.json()["warnings"]]
    assert (await ttlock.get(issued["id"]))["status"] == "removing"  # permanent: it never lapses
    changed = await ttlock.client.patch(
        f"/v1/access_codes/{issued['id']}", json={"code": "2580"}, headers=ttlock.headers
    )
    assert changed.status_code == 422


async def test_an_offline_code_is_taken_off_a_lock_with_a_gateway_when_deleted(ttlock: TTLockWorld) -> None:
    front = (await ttlock.doors())["Apartment door"]
    issued = (await ttlock.code(device_id=front["id"], name="Cleaner", is_offline_access_code=True)).json()
    lock_id = int(front["provider_device_id"])
    assert issued["code"] in {passcode.code for passcode in ttlock.sim.lock_passcodes(lock_id)}
    deleted = await ttlock.client.delete(f"/v1/access_codes/{issued['id']}", headers=ttlock.headers)
    assert deleted.status_code == 202 and deleted.json()["warnings"] == issued["warnings"]

    async def gone() -> bool:
        answer = await ttlock.client.get(f"/v1/access_codes/{issued['id']}", headers=ttlock.headers)
        return answer.status_code == 404

    await until(gone)
    assert issued["code"] not in {passcode.code for passcode in ttlock.sim.lock_passcodes(lock_id)}
    assert not await ttlock.opens(front, issued["code"], datetime.now(UTC) + timedelta(minutes=5))


async def test_unlock_is_confirmed_by_the_lock_and_a_lock_without_gateway_says_why_not(ttlock: TTLockWorld) -> None:
    doors = await ttlock.doors()
    answer = await ttlock.client.post(f"/v1/devices/{doors['Apartment door']['id']}/unlock", headers=ttlock.headers)
    assert answer.status_code == 202, answer.text

    async def done() -> bool:
        attempt = await ttlock.client.get(f"/v1/action_attempts/{answer.json()['id']}", headers=ttlock.headers)
        return bool(attempt.json()["status"] == "success")

    await until(done)
    assert ttlock.sim.locks[int(doors["Apartment door"]["provider_device_id"])].state == 1
    refused = await ttlock.client.post(f"/v1/devices/{doors['Cabin']['id']}/unlock", headers=ttlock.headers)
    assert refused.status_code == 422 and "can_remotely_unlock" in refused.json()["detail"]


async def test_a_callback_is_answered_success_and_reads_the_lock_again(ttlock: TTLockWorld, tenant: Tenant) -> None:
    accounts = await ttlock.client.get("/v1/connected_accounts", params={"provider": "ttlock"}, headers=ttlock.headers)
    account_id = accounts.json()["data"][0]["id"]
    hook = await ttlock.client.get(f"/v1/connected_accounts/{account_id}/provider_webhook", headers=ttlock.headers)
    assert hook.json()["trust"] == "url_token"
    front = (await ttlock.doors())["Apartment door"]
    lock_id = int(front["provider_device_id"])
    ttlock.sim.manual_action(lock_id)
    headers, body = ttlock.sim.callback(lock_id)
    path = hook.json()["url"].removeprefix("http://testserver")
    answer = await ttlock.client.post(path, content=body, headers=headers)
    assert (answer.status_code, answer.text, answer.headers["content-type"]) == (
        200,
        "success",
        "text/plain; charset=utf-8",
    )

    async def recorded() -> bool:
        events = await ttlock.client.get("/v1/events", params={"device_id": front["id"]}, headers=ttlock.headers)
        return any(event["type"] == "lock.unlocked" for event in events.json()["data"])

    await until(recorded)
    forged = await ttlock.client.post(path[:-3] + "abc", content=body, headers=headers)
    assert forged.status_code == 404


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
