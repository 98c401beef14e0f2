"""The simulated token endpoint and the fault knobs: client credentials, scopes, token expiry and revocation,
rate limits with `Retry-After`, failures, hangs, batteries, and the sandbox's `/app` routes.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import httpx
import pytest

from tests.providers.igloohome.simulator_support import (  # noqa: F401
    CLIENT_ID,
    CLIENT_SECRET,
    START,
    Cloud,
    cloud_fixture,
)


def claims(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def test_a_token_is_a_jwt_with_every_scope_the_client_owns(cloud):
    answer = await cloud.fresh_token()

    body = answer.json()
    assert (body["expires_in"], body["token_type"]) == (3600, "Bearer") and answer.headers[
        "cache-control"
    ] == "no-store"
    assert claims(body["access_token"])["exp"] == int(START.timestamp()) + 3600
    assert "igloohomeapi/get-devices" in claims(body["access_token"])["scope"].split()


async def test_a_token_carries_only_the_scopes_asked_for(cloud):
    await cloud.fresh_token(scope="igloohomeapi/get-devices")

    assert (await cloud.call("GET", "/devices")).status_code == 200
    refused = await cloud.call("GET", f"/devices/{cloud.lock}/activity")
    assert refused.status_code == 403 and "get-device-activity" in refused.json()["message"]


async def test_asking_for_a_scope_the_client_does_not_own_refuses_the_whole_request(cloud):
    answer = await cloud.fresh_token(scope="igloohomeapi/get-devices igloohomeapi/launch-rockets")

    assert (answer.status_code, answer.json()) == (400, {"error": "invalid_scope"})


@pytest.mark.parametrize(
    ("auth", "form"),
    [
        ((CLIENT_ID, "wrong"), {}),
        (None, {}),
        (None, {"client_id": CLIENT_ID, "client_secret": "wrong"}),
    ],
)
async def test_wrong_client_credentials_get_no_token(cloud, auth, form):
    answer = await cloud.http.post("/oauth2/token", data={"grant_type": "client_credentials", **form}, auth=auth)

    assert (answer.status_code, answer.json()) == (401, {"error": "invalid_client"})


async def test_credentials_in_the_form_work_too(cloud):
    form = {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}

    assert (await cloud.http.post("/oauth2/token", data=form)).status_code == 200


async def test_expired_tokens_are_refused_until_a_new_one_is_fetched(cloud):
    cloud.sim.expire_tokens()
    refused = await cloud.call("GET", "/devices")
    await cloud.fresh_token()

    assert refused.status_code == 401 and (await cloud.call("GET", "/devices")).status_code == 200


async def test_tokens_expire_by_themselves(cloud):
    cloud.clock.advance(hours=1)

    assert (await cloud.call("GET", "/devices")).status_code == 401


async def test_revoked_credentials_get_neither_answers_nor_tokens(cloud):
    cloud.sim.revoke_credentials()

    assert (await cloud.call("GET", "/devices")).status_code == 401
    assert (await cloud.fresh_token()).status_code == 401


async def test_a_rotated_secret_refuses_the_old_one(cloud):
    new = cloud.sim.rotate_secret(CLIENT_ID)
    old = await cloud.fresh_token()
    fresh = await cloud.http.post("/oauth2/token", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, new))

    assert (old.status_code, fresh.status_code) == (401, 200)


async def test_a_rate_limit_answers_429_with_retry_after_then_serves_again(cloud):
    cloud.sim.rate_limit(retry_after=17, count=2)

    answers = [await cloud.call("GET", "/devices") for _ in range(3)]

    assert [answer.status_code for answer in answers] == [429, 429, 200]
    assert answers[0].headers["retry-after"] == "17"


async def test_fail_next_answers_the_status_asked_for(cloud):
    cloud.sim.fail_next(status=502)

    assert [(await cloud.call("GET", "/devices")).status_code for _ in range(2)] == [502, 200]


async def test_a_hanging_request_times_the_client_out(cloud):
    cloud.sim.time_out_next()

    with pytest.raises(httpx.ReadTimeout):
        await cloud.call("GET", "/devices", timeout=0.05)
    assert (await cloud.call("GET", "/devices")).status_code == 200


async def test_devices_are_paged_and_report_their_battery(cloud):
    cloud.sim.set_battery(cloud.lock, 12)

    first = (await cloud.call("GET", "/devices", params={"pageSize": 2})).json()
    rest = (await cloud.call("GET", "/devices", params={"cursor": first["nextCursor"]})).json()

    devices = {device["deviceId"]: device for device in first["payload"] + rest["payload"]}
    assert first["nextCursor"] == "2" and rest["nextCursor"] == ""
    assert set(devices) == {cloud.lock, cloud.bridge, cloud.lonely}
    assert devices[cloud.lock]["batteryLevel"] == 12 and devices[cloud.bridge]["batteryLevel"] is None


async def test_an_unknown_device_is_404(cloud):
    answer = await cloud.call("GET", "/devices/OE1Xnope")

    assert (answer.status_code, answer.json()) == (404, {"message": "Device not found"})


async def test_the_app_tries_codes_at_the_keypad(cloud):
    algo = await cloud.call(
        "POST",
        f"/devices/{cloud.lock}/algopin/onetime",
        json={"accessName": "G", "startDate": "2025-03-01T10:00:00+00:00"},
    )
    pin = algo.json()["pin"]
    later = datetime(2025, 3, 1, 20, tzinfo=UTC).isoformat()

    check = await cloud.call("POST", f"/app/locks/{cloud.lock}/keypad/check", json={"code": pin, "at": later})
    opened = await cloud.call("POST", f"/app/locks/{cloud.lock}/keypad", json={"code": pin})
    again = await cloud.call("POST", f"/app/locks/{cloud.lock}/keypad", json={"code": pin})

    assert (check.json(), opened.json(), again.json()) == ({"opens": True}, {"opened": True}, {"opened": False})
    listed = (await cloud.call("GET", "/app/locks")).json()
    assert listed[0]["pins"][0]["kind"] == "onetime" and listed[0]["pins"][0]["uses"] == 1


async def test_the_app_takes_a_bridge_offline_and_back(cloud):
    offline = await cloud.call("POST", f"/app/bridges/{cloud.bridge}/online", json={"online": False})
    refused = await cloud.call("POST", f"/devices/{cloud.lock}/jobs/bridges/{cloud.bridge}", json={"jobType": 2})
    await cloud.call("POST", f"/app/bridges/{cloud.bridge}/online", json={"online": True})

    assert offline.json() == {"online": False} and refused.status_code == 406
    assert (await cloud.call("GET", "/app/locks")).json()[0]["bridgeOnline"] is True
    assert (await cloud.call("POST", "/app/bridges/EB1Xnope/online", json={"online": True})).status_code == 404
