"""The TTLock simulator's token endpoint and the checks every v3 call passes: the MD5 password grant, refresh,
errcodes with HTTP 200, token expiry and revocation, `date` freshness, and query and form parameters on GET or POST.
"""

from __future__ import annotations

from typing import Any

import pytest

from providers.ttlock.simulator import TTLockSimulator

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`sim`, `world`, ...)
from tests.providers.ttlock.test_simulator_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    USERNAME,
    Clock,
    World,
    clock_fixture,  # noqa: F401
    errcode,
    md5,
    ms,
    sim_fixture,  # noqa: F401
    world_fixture,  # noqa: F401
)


async def test_the_password_grant_answers_tokens_and_the_uid(world: World):
    answer = await world.grant(username=USERNAME, password=md5(PASSWORD))
    assert answer["uid"] == world.uid and answer["expires_in"] == 7_776_000
    assert len(answer["access_token"]) == 32 and len(answer["refresh_token"]) == 32
    assert (answer["token_type"], answer["scope"]) == ("Bearer", "user,key,room")
    assert "grant_type" not in answer and answer["openid"] == world.uid


async def test_snake_case_client_credentials_work_too(world: World):
    fields = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "username": USERNAME, "password": md5(PASSWORD)}
    answer = (await world.http.post("/oauth2/token", data=fields)).json()
    assert answer["uid"] == world.uid


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"username": USERNAME, "password": PASSWORD}, 30005),  # the plain password
        ({"username": USERNAME, "password": md5(PASSWORD).upper()}, 30005),  # MD5, but not lower case
        ({"username": USERNAME, "password": md5("wrong")}, 10007),
        ({"username": "nobody@example.com", "password": md5(PASSWORD)}, 10007),
        ({"username": USERNAME, "password": md5(PASSWORD), "clientSecret": "nope"}, 10001),
        ({"username": USERNAME, "password": md5(PASSWORD), "clientId": "unknown"}, 10001),
        ({"grant_type": "refresh_token", "refresh_token": "0" * 32}, 10011),
    ],
)
async def test_refused_grants_are_errcodes_with_http_200(world: World, fields: dict[str, str], code: int):
    assert errcode(await world.grant(**fields)) == code


async def test_errors_carry_the_official_english_message(world: World):
    answer = await world.grant(username=USERNAME, password=PASSWORD)
    assert answer["errmsg"] == "password must be md5 encrypted"
    unknown = await world.call("/v3/lock/detail", lockId=1)
    assert unknown == {"errcode": -1003, "errmsg": "Lock does not exist", "description": "Lock does not exist"}


async def test_refresh_issues_a_new_pair_and_the_used_refresh_token_dies(world: World):
    first = await world.login()
    renewed = await world.grant(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert set(renewed) == {"access_token", "refresh_token", "expires_in"}
    assert renewed["access_token"] != first["access_token"] and renewed["expires_in"] == 7_776_000
    again = await world.grant(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert errcode(again) == 10011
    world.token = renewed["access_token"]
    assert (await world.call("/v3/lock/detail", lockId=world.front))["lockId"] == world.front


async def test_access_tokens_expire_after_90_days_on_the_simulator_clock(world: World, clock: Clock):
    clock.advance(days=89, hours=23)
    assert (await world.call("/v3/lock/detail", lockId=world.front))["lockId"] == world.front
    clock.advance(hours=1)
    assert errcode(await world.call("/v3/lock/detail", lockId=world.front)) == 10004


async def test_expire_tokens_kills_access_tokens_but_refresh_still_works(world: World, sim: TTLockSimulator):
    first = await world.login()
    sim.expire_tokens()
    assert errcode(await world.call("/v3/lock/list")) == 10004
    renewed = await world.grant(grant_type="refresh_token", refresh_token=first["refresh_token"])
    world.token = renewed["access_token"]
    assert (await world.call("/v3/lock/list"))["total"] == 3


async def test_revoked_credentials_refuse_tokens_refresh_tokens_and_the_old_password(
    world: World, sim: TTLockSimulator
):
    """Revoking is the owner changing the app account's password: nothing issued before works, nor the old password."""
    first = await world.login()
    sim.revoke_credentials(world.uid)
    assert errcode(await world.call("/v3/lock/list")) == 10004
    assert errcode(await world.grant(grant_type="refresh_token", refresh_token=first["refresh_token"])) == 10011
    old_password = await world.grant(username=USERNAME, password=md5(PASSWORD))
    assert errcode(old_password) == 10007


async def test_revoking_one_account_leaves_the_others(world: World, sim: TTLockSimulator):
    sim.revoke_credentials(world.uid + 1)
    assert (await world.call("/v3/lock/list"))["total"] == 3
    sim.revoke_credentials()
    assert errcode(await world.call("/v3/lock/list")) == 10004


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"accessToken": ""}, 10003),
        ({"accessToken": "f" * 32}, 10004),
        ({"clientId": "unknown"}, 10000),
        ({"clientId": ""}, 10000),
        ({"date": ""}, 80000),
        ({"date": "yesterday"}, 80000),
    ],
)
async def test_the_common_parameters_are_checked_on_every_call(world: World, override: dict[str, Any], code: int):
    response = await world.http.post("/v3/lock/list", data=world.common(**override))
    assert response.status_code == 200 and errcode(response.json()) == code


async def test_a_token_works_only_with_the_client_it_was_issued_to(world: World, sim: TTLockSimulator):
    sim.add_client("another-app", "other-secret")
    response = await world.http.get("/v3/lock/list", params=world.common(clientId="another-app"))
    assert errcode(response.json()) == 10004


@pytest.mark.parametrize(("skew_minutes", "fresh"), [(0, True), (4.9, True), (-4.9, True), (5.1, False), (-6, False)])
async def test_date_must_be_within_5_minutes_of_the_simulator_clock(
    world: World, clock: Clock, skew_minutes: float, fresh: bool
):
    date = ms(clock()) + int(skew_minutes * 60_000)
    answer = await world.call("/v3/lock/list", date=date)
    assert ("list" in answer) is fresh
    if not fresh:
        assert errcode(answer) == 80000 and answer["errmsg"] == "date must be current time, in 5 minutes"


async def test_every_v3_path_takes_get_or_post_and_merges_query_and_form(world: World):
    as_get = await world.call("/v3/lock/unlock", method="GET", lockId=world.front)
    assert as_get == {"errcode": 0, "errmsg": "none error message"}
    common = world.common()
    split = await world.http.post("/v3/lock/detail", params=common, data={"lockId": world.front})
    assert split.json()["lockId"] == world.front
    as_post = await world.call("/v3/lock/list", pageNo=1, pageSize=20)
    assert as_post["total"] == 3


async def test_an_unknown_path_is_a_plain_404(world: World):
    response = await world.raw("/v3/lock/teleport", lockId=world.front)
    assert (response.status_code, response.text) == (404, "Not Found")
