"""The client-credentials grant as vendors.md 3.1 documents it (Basic auth, form with the scopes), and the token
cache: one token for many calls and adapters, a new one when it expired or was refused once, never more.
"""

from __future__ import annotations

import base64
import time
from urllib.parse import parse_qs

import httpx
import pytest

from providers.base import ProviderConfig
from providers.errors import ProviderAuthError, ProviderRateLimited, ProviderUnavailable
from providers.igloohome.client_auth import SCOPES, request_token

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`igloo`, `http`)
from tests.providers.igloohome.client_support import (
    BASE,
    CONFIG,
    CREDENTIALS,
    TOKEN_URL,
    MemoryStore,
    api,
    client,
    fixture,
    http_fixture,  # noqa: F401
    igloo_fixture,  # noqa: F401
)

DEVICES = api("/devices")
EMPTY = {"nextCursor": "", "payload": []}


def token_answer(token: str, expires_in: int = 3600) -> httpx.Response:
    return httpx.Response(200, json={"access_token": token, "expires_in": expires_in, "token_type": "Bearer"})


async def test_the_token_request_is_basic_auth_and_a_client_credentials_form(igloo, http):
    await request_token(http, CONFIG, "igloo-client", "igloo-secret")

    request = igloo["token"].calls.last.request
    assert request.url == TOKEN_URL
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"igloo-client:igloo-secret").decode()
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(request.content.decode())
    assert form["grant_type"] == ["client_credentials"]
    assert form["scope"][0].split() == list(SCOPES) and "client_id" not in form


async def test_the_token_url_and_the_scopes_can_be_configured(igloo, http):
    route = igloo.post("https://igloo.test/oauth2/token").respond(200, content=fixture("token.json"))
    config = ProviderConfig(base_url=BASE, auth_url="https://igloo.test/oauth2/token", extra={"scope": ""})

    await request_token(http, config, "igloo-client", "igloo-secret")

    assert parse_qs(route.calls.last.request.content.decode()) == {"grant_type": ["client_credentials"]}


async def test_the_issued_token_keeps_when_it_expires(igloo, http):
    before = int(time.time())

    token = await request_token(http, CONFIG, "igloo-client", "igloo-secret")

    assert token["access_token"].startswith("eyJ") and token["token_type"] == "Bearer"
    assert before + 3600 <= token["expires_at"] <= int(time.time()) + 3600


@pytest.mark.parametrize("status", [400, 401, 403])
async def test_refused_client_credentials_are_an_auth_error(igloo, http, status):
    igloo["token"].respond(status, json={"error": "invalid_client"})

    with pytest.raises(ProviderAuthError, match="invalid_client"):
        await request_token(http, CONFIG, "igloo-client", "wrong")


async def test_a_busy_token_endpoint_is_transient(igloo, http):
    igloo["token"].side_effect = [httpx.Response(429, headers={"Retry-After": "9"}), httpx.Response(503)]

    with pytest.raises(ProviderRateLimited) as limited:
        await request_token(http, CONFIG, "igloo-client", "igloo-secret")
    with pytest.raises(ProviderUnavailable):
        await request_token(http, CONFIG, "igloo-client", "igloo-secret")
    assert limited.value.retry_after == 9


async def test_one_token_serves_many_calls_and_is_kept_in_the_store(igloo, http):
    devices = igloo.get(DEVICES).respond(200, json=EMPTY)
    store = MemoryStore(CREDENTIALS)
    api_client = client(http, store)

    for _ in range(5):
        await api_client.devices_page()

    assert igloo["token"].call_count == 1 and devices.call_count == 5
    assert {call.request.headers["Authorization"] for call in devices.calls} == {
        "Bearer " + store.credentials["access_token"]
    }
    assert store.credentials["client_id"] == "igloo-client" and len(store.saved) == 1


async def test_a_new_client_reuses_the_stored_token(igloo, http):
    igloo.get(DEVICES).respond(200, json=EMPTY)
    store = MemoryStore(CREDENTIALS)
    await client(http, store).devices_page()

    await client(http, store).devices_page()

    assert igloo["token"].call_count == 1


async def test_an_expired_token_is_replaced_before_the_call(igloo, http):
    igloo["token"].side_effect = [token_answer("first", expires_in=30), token_answer("second")]
    devices = igloo.get(DEVICES).respond(200, json=EMPTY)
    api_client = client(http)

    await api_client.devices_page()
    await api_client.devices_page()

    assert igloo["token"].call_count == 2
    assert [call.request.headers["Authorization"] for call in devices.calls] == ["Bearer first", "Bearer second"]


@pytest.mark.parametrize("status", [401, 403])
async def test_a_refused_token_is_replaced_once_and_the_call_repeated(igloo, http, status):
    igloo["token"].side_effect = [token_answer("stale"), token_answer("fresh")]
    devices = igloo.get(DEVICES)
    devices.side_effect = [httpx.Response(status, json={"message": "Unauthorized"}), httpx.Response(200, json=EMPTY)]
    store = MemoryStore(CREDENTIALS)

    page = await client(http, store).devices_page()

    assert page.payload == [] and igloo["token"].call_count == 2
    assert devices.calls.last.request.headers["Authorization"] == "Bearer fresh"
    assert store.credentials["access_token"] == "fresh"


async def test_refused_twice_is_an_auth_error(igloo, http):
    igloo.get(DEVICES).respond(401, json={"message": "Unauthorized"})

    with pytest.raises(ProviderAuthError):
        await client(http).devices_page()
    assert igloo["token"].call_count == 2


async def test_revoked_client_credentials_are_an_auth_error(igloo, http):
    igloo["token"].side_effect = [token_answer("old"), httpx.Response(401, json={"error": "invalid_client"})]
    igloo.get(DEVICES).respond(401, json={"message": "Unauthorized"})

    with pytest.raises(ProviderAuthError, match="invalid_client"):
        await client(http).devices_page()


async def test_an_account_without_client_credentials_cannot_call(igloo, http):
    with pytest.raises(ProviderAuthError, match="client id and secret"):
        await client(http, MemoryStore({"client_id": "only-the-id"})).devices_page()
    assert igloo["token"].call_count == 0
