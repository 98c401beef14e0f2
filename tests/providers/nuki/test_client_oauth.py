"""The Nuki client's OAuth as reference/vendors.md section 1 documents it: the authorization URL, code exchange,
and refreshing (once, shared, adopted from another process) or not.
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from providers.base import ProviderContext
from providers.errors import ProviderAuthError
from providers.nuki import client as api
from providers.nuki.adapter import NukiProvider
from providers.nuki.client import NukiClient

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`nuki`, `sim`, ...)
from tests.providers.nuki.client_support import (
    CONFIG,
    FIXTURES,
    MemoryStore,
    api_token_client,
    fixture,
    http_fixture,  # noqa: F401
    nuki_fixture,  # noqa: F401
)

REDIRECT = "https://gateway.example.com/v1/oauth/nuki/callback"
TOKEN = json.loads((FIXTURES / "token.json").read_text())
FORM = "application/x-www-form-urlencoded"


def form(request: httpx.Request) -> dict[str, str]:
    return {key: value for key, [value] in parse_qs(request.content.decode(), strict_parsing=True).items()}


def oauth(access_token: str = "access-0", refresh_token: str = "refresh-1", expires_in: float = 3000) -> MemoryStore:
    return MemoryStore(
        {
            "access_token": access_token,
            "token_type": "bearer",
            "refresh_token": refresh_token,
            "expires_at": int(time.time() + expires_in),
        }
    )


# -- OAuth --------------------------------------------------------------------------------------------------------


def test_the_authorization_url_asks_for_a_code_with_our_scopes_and_state():
    url = urlsplit(NukiProvider.authorization_url(CONFIG, redirect_uri=REDIRECT, state="st-42"))
    query = {key: value for key, [value] in parse_qs(url.query).items()}

    assert (url.scheme, url.netloc, url.path) == ("https", "api.nuki.io", "/oauth/authorize")
    assert query["response_type"] == "code"
    assert query["client_id"] == "gateway-client-id"
    assert query["redirect_uri"] == REDIRECT
    assert query["state"] == "st-42"
    scopes = query["scope"].split(" ")
    assert {"account", "smartlock", "smartlock.action", "smartlock.auth", "smartlock.log"} <= set(scopes)
    assert "webhook.central" in scopes  # needed to receive central webhooks


async def test_a_code_is_exchanged_with_a_form_post_and_gets_expires_at(nuki, http):
    route = nuki.post("/oauth/token").respond(200, content=fixture("token.json"))
    before = time.time()

    credentials = await NukiProvider.exchange_code(
        ProviderContext(http=http, config=CONFIG, credentials=MemoryStore({})),
        code="auth-code-1",
        redirect_uri=REDIRECT,
    )

    request = route.calls.last.request
    assert request.headers["Content-Type"] == FORM
    assert form(request) == {
        "grant_type": "authorization_code",
        "code": "auth-code-1",
        "redirect_uri": REDIRECT,
        "client_id": "gateway-client-id",
        "client_secret": "gateway-client-secret",
    }
    assert credentials["access_token"] == TOKEN["access_token"]
    assert credentials["refresh_token"] == TOKEN["refresh_token"]
    assert before + 3600 - 2 <= credentials["expires_at"] <= time.time() + 3600 + 1


@pytest.mark.parametrize("status", [400, 401])
async def test_a_refused_grant_is_an_auth_error(nuki, http, status: int):
    nuki.post("/oauth/token").respond(status, json={"error": "invalid_grant", "error_description": "Invalid code"})

    with pytest.raises(ProviderAuthError, match="invalid_grant"):
        await api.request_token(http, CONFIG, "authorization_code", code="stale", redirect_uri=REDIRECT)


async def test_an_expired_token_is_refreshed_once_and_saved_before_the_call(nuki, http):
    store = oauth(access_token="access-0", refresh_token="refresh-1", expires_in=-10)
    refresh = nuki.post("/oauth/token").respond(200, content=fixture("token.json"))

    def listing(request: httpx.Request) -> httpx.Response:
        assert [saved["refresh_token"] for saved in store.saved] == [TOKEN["refresh_token"]]
        return httpx.Response(200, content=fixture("smartlock_list.json"))

    lists = nuki.get("/smartlock").mock(side_effect=listing)
    client = NukiClient(http, CONFIG, store)

    await client.smartlocks()
    await client.smartlocks()

    assert refresh.call_count == 1
    assert form(refresh.calls.last.request) == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
        "client_id": "gateway-client-id",
        "client_secret": "gateway-client-secret",
    }
    assert refresh.calls.last.request.headers["Content-Type"] == FORM
    assert [call.request.headers["Authorization"] for call in lists.calls] == [f"Bearer {TOKEN['access_token']}"] * 2
    assert store.credentials["refresh_token"] == TOKEN["refresh_token"]
    assert store.credentials["expires_at"] > time.time() + 3000


async def test_concurrent_calls_on_an_expired_token_share_one_refresh(nuki, http):
    store = oauth(access_token="access-0", refresh_token="refresh-shared", expires_in=-10)

    async def slow_token(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.01)
        return httpx.Response(200, content=fixture("token.json"))

    refresh = nuki.post("/oauth/token").mock(side_effect=slow_token)
    lists = nuki.get("/smartlock").respond(200, json=[])

    await asyncio.gather(NukiClient(http, CONFIG, store).smartlocks(), NukiClient(http, CONFIG, store).smartlocks())

    assert refresh.call_count == 1
    assert len(store.saved) == 1
    assert {call.request.headers["Authorization"] for call in lists.calls} == {f"Bearer {TOKEN['access_token']}"}


async def test_a_401_with_oauth_credentials_refreshes_and_retries_once(nuki, http):
    store = oauth(access_token="access-0", refresh_token="refresh-1")
    refresh = nuki.post("/oauth/token").respond(200, content=fixture("token.json"))
    account = nuki.get("/account").mock(
        side_effect=[httpx.Response(401), httpx.Response(200, content=fixture("account.json"))]
    )

    found = await NukiClient(http, CONFIG, store).account()

    assert found.account_id == 123456
    assert refresh.call_count == 1
    assert [call.request.headers["Authorization"] for call in account.calls] == [
        "Bearer access-0",
        f"Bearer {TOKEN['access_token']}",
    ]
    assert store.saved[-1]["refresh_token"] == TOKEN["refresh_token"]


async def test_a_401_after_the_refresh_is_an_auth_error_without_a_loop(nuki, http):
    refresh = nuki.post("/oauth/token").respond(200, content=fixture("token.json"))
    account = nuki.get("/account").respond(401)

    with pytest.raises(ProviderAuthError):
        await NukiClient(http, CONFIG, oauth(refresh_token="refresh-loop")).account()

    assert (refresh.call_count, account.call_count) == (1, 2)


async def test_a_refresh_another_process_made_is_adopted_not_repeated(nuki, http):
    store = oauth(access_token="access-0", refresh_token="refresh-1")
    account = nuki.get("/account").mock(
        side_effect=[
            httpx.Response(200, content=fixture("account.json")),
            httpx.Response(401),
            httpx.Response(200, content=fixture("account.json")),
        ]
    )
    client = NukiClient(http, CONFIG, store)
    await client.account()
    store.credentials = oauth(access_token="access-elsewhere", refresh_token="refresh-2").credentials

    await client.account()

    assert account.calls.last.request.headers["Authorization"] == "Bearer access-elsewhere"
    assert store.saved == []


async def test_a_refresh_refused_because_another_process_rotated_the_token_adopts_its_result(nuki, http):
    store = oauth(access_token="access-0", refresh_token="refresh-1", expires_in=-10)
    rotated = oauth(access_token="access-other", refresh_token="refresh-other", expires_in=3600).credentials

    def refused_after_rotation(request: httpx.Request) -> httpx.Response:
        store.credentials = rotated  # the other process saved first; Nuki now refuses refresh-1
        return httpx.Response(400, json={"error": "invalid_grant"})

    nuki.post("/oauth/token").mock(side_effect=refused_after_rotation)
    lists = nuki.get("/smartlock").respond(200, json=[])

    await NukiClient(http, CONFIG, store).smartlocks()

    assert lists.calls.last.request.headers["Authorization"] == "Bearer access-other"
    assert store.saved == []


async def test_a_refused_refresh_is_an_auth_error_and_nothing_is_called_or_saved(nuki, http):
    store = oauth(refresh_token="refresh-revoked", expires_in=-10)
    refresh = nuki.post("/oauth/token").respond(400, json={"error": "invalid_grant"})

    with pytest.raises(ProviderAuthError):
        await NukiClient(http, CONFIG, store).smartlocks()

    assert refresh.call_count == 1
    assert nuki.calls.call_count == 1  # no GET /smartlock with the dead token
    assert store.saved == []


async def test_api_token_credentials_never_refresh(nuki, http):
    route = nuki.get("/smartlock").respond(401)

    with pytest.raises(ProviderAuthError):
        await api_token_client(http).smartlocks()

    assert route.call_count == 1
    assert nuki.calls.call_count == 1


async def test_credentials_without_any_token_are_an_auth_error_before_any_call(nuki, http):
    with pytest.raises(ProviderAuthError):
        await NukiClient(http, CONFIG, MemoryStore({})).smartlocks()

    assert nuki.calls.call_count == 0
