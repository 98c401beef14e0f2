"""The Nuki simulator's OAuth server as reference/vendors.md section 1 describes Nuki Web: the consent page and the
token endpoint, driven through the real `NukiClient`/`NukiProvider` and raw httpx.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from providers.base import HeldCredentials as MemoryCredentials
from providers.errors import ProviderAuthError
from providers.nuki.adapter import NukiProvider
from providers.nuki.simulator import NukiSimulator
from providers.nuki.testing import (
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    EMAIL,
    PASSWORD,
    REDIRECT_URI,
    seed,
    sign_in,
)

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`nuki`, `sim`, ...)
from tests.providers.nuki.simulator_support import (
    CONFIG,
    Clock,
    bearer,
    clock_fixture,  # noqa: F401
    connected,
    consent,
    context,
    devices_fixture,  # noqa: F401
    http_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
    token_call,
)


def redirect_query(response: httpx.Response) -> dict[str, list[str]]:
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    return parse_qs(urlsplit(location).query)


# -- the consent page -----------------------------------------------------------------------------------------


async def test_the_consent_page_is_a_sign_in_form_with_deny(http: httpx.AsyncClient):
    page = await http.get("/oauth/authorize", params=consent())
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'name="email"' in page.text and 'name="password"' in page.text and 'name="deny"' in page.text
    assert "Approve (sandbox)" not in page.text
    assert f'value="{REDIRECT_URI}"' in page.text and 'value="st-1"' in page.text


async def test_the_sandbox_approves_in_one_click_as_the_first_account():
    sim = NukiSimulator(sandbox=True)
    seed(sim)
    sim.add_account("second@example.com", "pw2")
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL) as http:
        assert "Approve (sandbox)" in (await http.get("/oauth/authorize", params=consent())).text
        code = redirect_query(await http.post("/oauth/authorize", data=consent(sandbox_approve="1")))["code"][0]
        tokens = (await token_call(http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)).json()
        account = await http.get("/account", headers=bearer(tokens["access_token"]))
    assert account.json()["email"] == EMAIL
    sim.close()


async def test_one_click_approval_is_refused_outside_the_sandbox(http: httpx.AsyncClient):
    answer = await http.post("/oauth/authorize", data=consent(sandbox_approve="1"))
    assert answer.status_code == 400 and "location" not in answer.headers


async def test_a_wrong_password_shows_the_form_again_with_an_error(http: httpx.AsyncClient):
    answer = await http.post("/oauth/authorize", data=consent(email=EMAIL, password="wrong"))
    assert answer.status_code == 200 and "location" not in answer.headers
    assert "Wrong email or password" in answer.text and 'name="password"' in answer.text


async def test_denied_consent_redirects_with_access_denied_and_the_state(http: httpx.AsyncClient):
    query = redirect_query(await http.post("/oauth/authorize", data=consent(deny="1")))
    assert query == {"error": ["access_denied"], "state": ["st-1"]}


@pytest.mark.parametrize(
    "fields",
    [
        {"redirect_uri": "https://attacker.example/steal"},
        {"redirect_uri": REDIRECT_URI + "/more"},
        {"client_id": "someone-else"},
    ],
)
async def test_unknown_clients_and_unregistered_redirect_uris_get_400_never_a_redirect(
    http: httpx.AsyncClient, fields: dict[str, str]
):
    page = await http.get("/oauth/authorize", params=consent(**fields))
    posted = await http.post("/oauth/authorize", data=consent(email=EMAIL, password=PASSWORD, **fields))
    assert (page.status_code, posted.status_code) == (400, 400)
    assert "location" not in page.headers and "location" not in posted.headers


# -- tokens ---------------------------------------------------------------------------------------------------


async def test_the_code_flow_end_to_end_through_the_adapter(http: httpx.AsyncClient, sim: NukiSimulator):
    adapter, store = await connected(http)
    saved = store.credentials
    assert saved["token_type"] == "bearer" and saved["expires_in"] == 3600
    assert saved["scope"].split()[-1] == "offline_access" and "smartlock.auth" in saved["scope"]
    assert saved["access_token"] != saved["refresh_token"]
    identity = await adapter.identify()
    assert identity.provider_account_id == str(min(sim.accounts)) and identity.display_name == EMAIL


async def test_an_authorization_code_works_once(http: httpx.AsyncClient):
    code = await sign_in(http, CONFIG)
    first = await token_call(http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)
    second = await token_call(http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)
    assert first.status_code == 200 and set(first.json()) == {
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "scope",
    }
    assert (second.status_code, second.json()) == (400, {"error": "invalid_grant"})
    with pytest.raises(ProviderAuthError):
        await NukiProvider.exchange_code(context(http, MemoryCredentials()), code=code, redirect_uri=REDIRECT_URI)


async def test_an_authorization_code_expires_after_ten_minutes(http: httpx.AsyncClient, clock: Clock):
    fresh, stale = await sign_in(http, CONFIG), await sign_in(http, CONFIG)
    clock.advance(minutes=9, seconds=59)
    ok = await token_call(http, grant_type="authorization_code", code=fresh, redirect_uri=REDIRECT_URI)
    clock.advance(seconds=1)
    late = await token_call(http, grant_type="authorization_code", code=stale, redirect_uri=REDIRECT_URI)
    assert ok.status_code == 200
    assert (late.status_code, late.json()) == (400, {"error": "invalid_grant"})


async def test_the_code_is_bound_to_its_redirect_uri(http: httpx.AsyncClient):
    code = await sign_in(http, CONFIG)
    other = await token_call(http, grant_type="authorization_code", code=code, redirect_uri="https://other.example/cb")
    assert (other.status_code, other.json()) == (400, {"error": "invalid_grant"})


@pytest.mark.parametrize("client", [(CLIENT_ID, "not-the-secret"), ("unknown-client", CLIENT_SECRET)])
async def test_a_wrong_client_is_invalid_client(http: httpx.AsyncClient, client: tuple[str, str]):
    code = await sign_in(http, CONFIG)
    answer = await http.post(
        "/oauth/token",
        data={"client_id": client[0], "client_secret": client[1], "grant_type": "authorization_code", "code": code}
        | {"redirect_uri": REDIRECT_URI},
    )
    assert (answer.status_code, answer.json()) == (401, {"error": "invalid_client"})


async def test_every_refresh_rotates_the_refresh_token(http: httpx.AsyncClient):
    code = await sign_in(http, CONFIG)
    first = (await token_call(http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)).json()
    second = (await token_call(http, grant_type="refresh_token", refresh_token=first["refresh_token"])).json()
    reused = await token_call(http, grant_type="refresh_token", refresh_token=first["refresh_token"])
    third = await token_call(http, grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    assert (reused.status_code, reused.json()) == (400, {"error": "invalid_grant"})
    assert third.status_code == 200 and third.json()["expires_in"] == 3600
    assert (await http.get("/account", headers=bearer(second["access_token"]))).status_code == 200


async def test_access_tokens_expire_after_an_hour_and_the_client_refreshes_and_saves(
    http: httpx.AsyncClient, clock: Clock
):
    adapter, store = await connected(http)
    before = dict(store.credentials)
    clock.advance(minutes=59)
    assert (await http.get("/account", headers=bearer(before["access_token"]))).status_code == 200
    clock.advance(minutes=1)
    assert (await http.get("/account", headers=bearer(before["access_token"]))).status_code == 401

    assert len(await adapter.list_devices()) == 4  # 401, refresh, retry
    after = store.credentials
    assert after["refresh_token"] != before["refresh_token"] and store.saves == 2
    reused = await token_call(http, grant_type="refresh_token", refresh_token=before["refresh_token"])
    assert reused.json() == {"error": "invalid_grant"}


async def test_refresh_tokens_outlive_access_tokens_but_not_90_days(http: httpx.AsyncClient, clock: Clock):
    code = await sign_in(http, CONFIG)
    tokens = (await token_call(http, grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI)).json()
    clock.advance(days=90)
    answer = await token_call(http, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert (answer.status_code, answer.json()) == (400, {"error": "invalid_grant"})


async def test_api_tokens_are_bearer_tokens_that_never_expire(
    http: httpx.AsyncClient, sim: NukiSimulator, clock: Clock
):
    token = sim.issue_api_token(min(sim.accounts))
    clock.advance(days=400)
    sim.expire_tokens()
    credentials = await NukiProvider.connect(context(http, MemoryCredentials()), {"api_token": f" {token} "})
    assert credentials == {"api_token": token}
    assert (await http.get("/account", headers=bearer(token))).json()["accountId"] == min(sim.accounts)


async def test_requests_without_a_valid_bearer_token_are_401(http: httpx.AsyncClient):
    for headers in ({}, bearer("made-up"), {"Authorization": "Basic Zm9vOmJhcg=="}):
        assert (await http.get("/smartlock", headers=headers)).status_code == 401
