"""The Nuki client against Nuki's API as reference/vendors.md section 1 documents it: requests, OAuth, errors."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import msgspec
import pytest
import respx

from providers.base import ProviderConfig, ProviderContext
from providers.errors import ProviderAuthError, ProviderRateLimited, ProviderRejected, ProviderUnavailable
from providers.nuki import client as api
from providers.nuki.adapter import NukiProvider
from providers.nuki.client import NukiClient
from providers.nuki.models import SmartlockAuthWrite, Token
from schemas.providers import ActionKind

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.nuki.io"
CONFIG = ProviderConfig(base_url=BASE, client_id="gateway-client-id", client_secret="gateway-client-secret")
REDIRECT = "https://gateway.example.com/v1/oauth/nuki/callback"
FRONT_DOOR = 17618910285
TOKEN = json.loads((FIXTURES / "token.json").read_text())
FORM = "application/x-www-form-urlencoded"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def form(request: httpx.Request) -> dict[str, str]:
    return {key: value for key, [value] in parse_qs(request.content.decode(), strict_parsing=True).items()}


class MemoryStore:
    """A credential store that records every save, in order."""

    def __init__(self, credentials: dict[str, Any]) -> None:
        self.credentials = dict(credentials)
        self.saved: list[dict[str, Any]] = []

    async def load(self) -> dict[str, Any]:
        return dict(self.credentials)

    async def save(self, credentials: dict[str, Any]) -> None:
        self.saved.append(dict(credentials))
        self.credentials = dict(credentials)


def oauth(access_token: str = "access-0", refresh_token: str = "refresh-1", expires_in: float = 3000) -> MemoryStore:
    return MemoryStore(
        {
            "access_token": access_token,
            "token_type": "bearer",
            "refresh_token": refresh_token,
            "expires_at": int(time.time() + expires_in),
        }
    )


@pytest.fixture
def nuki() -> Iterator[respx.MockRouter]:
    router = respx.mock(base_url=BASE, assert_all_called=True, assert_all_mocked=True)
    yield router
    router.assert_all_called()


@pytest.fixture
async def http(nuki: respx.MockRouter) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(nuki.async_handler)) as client:
        yield client


def api_token_client(http: httpx.AsyncClient, token: str = "nuki-api-token") -> NukiClient:
    return NukiClient(http, CONFIG, MemoryStore({"api_token": token}))


def provider(http: httpx.AsyncClient) -> NukiProvider:
    return NukiProvider(ProviderContext(http=http, config=CONFIG, credentials=MemoryStore({"api_token": "t"})))


# -- requests -----------------------------------------------------------------------------------------------------


async def test_every_call_sends_the_token_as_bearer_and_asks_for_json(nuki, http):
    route = nuki.get("/smartlock").respond(200, content=fixture("smartlock_list.json"))

    locks = await api_token_client(http, "nuki-api-token").smartlocks()

    assert len(locks) == 7
    request = route.calls.last.request
    assert request.url == f"{BASE}/smartlock"
    assert request.headers["Authorization"] == "Bearer nuki-api-token"
    assert request.headers["Accept"] == "application/json"


async def test_one_smartlock_is_read_by_its_decimal_id(nuki, http):
    payload = json.loads(fixture("smartlock_list.json"))[0]
    route = nuki.get(f"/smartlock/{FRONT_DOOR}").respond(200, json=payload)

    lock = await api_token_client(http).smartlock(FRONT_DOOR)

    assert route.called and lock.smartlock_id == FRONT_DOOR and lock.name == "Front door"


async def test_the_account_is_read_from_account(nuki, http):
    nuki.get("/account").respond(200, content=fixture("account.json"))

    account = await api_token_client(http).account()

    assert (account.account_id, account.email) == (123456, "jane.host@example.com")


@pytest.mark.parametrize("action", [2, 1], ids=["lock", "unlock"])
async def test_an_action_posts_action_and_option_and_takes_204(nuki, http, action: int):
    route = nuki.post(f"/smartlock/{FRONT_DOOR}/action").respond(204)

    await api_token_client(http).action(FRONT_DOOR, action)

    request = route.calls.last.request
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"action": action, "option": 0}


async def test_keypad_codes_are_listed_with_types_13(nuki, http):
    route = nuki.get(f"/smartlock/{FRONT_DOOR}/auth", params__eq={"types": "13"}).respond(
        200, content=fixture("smartlock_auth_list.json")
    )

    auths = await api_token_client(http).auths(FRONT_DOOR, 13)

    assert route.called
    assert [auth.code for auth in auths] == [245796, 579246, 367913, 135792]


async def test_a_code_is_created_with_put_and_the_documented_body(nuki, http):
    route = nuki.put(f"/smartlock/{FRONT_DOOR}/auth").respond(204)
    body = SmartlockAuthWrite(
        name="Guest Anna",
        code=245796,
        type=13,
        allowed_from_date="2024-03-01T14:00:00.000Z",
        allowed_until_date="2024-03-05T10:00:00.000Z",
        allowed_week_days=127,
        allowed_from_time=0,
        allowed_until_time=0,
    )

    await api_token_client(http).create_auth(FRONT_DOOR, body)

    assert json.loads(route.calls.last.request.content) == {
        "name": "Guest Anna",
        "type": 13,
        "code": 245796,
        "allowedFromDate": "2024-03-01T14:00:00.000Z",
        "allowedUntilDate": "2024-03-05T10:00:00.000Z",
        "allowedWeekDays": 127,
        "allowedFromTime": 0,
        "allowedUntilTime": 0,
    }


async def test_a_code_is_updated_with_post_on_its_id_and_deleted_with_delete(nuki, http):
    auth_id = "65d4a1f09c8e7b2a3f1e0c11"
    update = nuki.post(f"/smartlock/{FRONT_DOOR}/auth/{auth_id}").respond(204)
    delete = nuki.delete(f"/smartlock/{FRONT_DOOR}/auth/{auth_id}").respond(204)
    client = api_token_client(http)

    await client.update_auth(FRONT_DOOR, auth_id, SmartlockAuthWrite(name="Guest Anna", code=245797))
    await client.delete_auth(FRONT_DOOR, auth_id)

    assert json.loads(update.calls.last.request.content) == {"name": "Guest Anna", "code": 245797}
    assert delete.call_count == 1 and delete.calls.last.request.content == b""


async def test_logs_are_read_since_an_rfc3339_utc_date_at_most_50(nuki, http):
    route = nuki.get("/smartlock/log", params__eq={"fromDate": "2024-03-01T00:00:00Z", "limit": "50"}).respond(
        200, content=fixture("smartlock_log.json")
    )

    entries = await api_token_client(http).logs(from_date=datetime(2024, 3, 1, tzinfo=UTC))

    assert route.called and len(entries) == 5
    assert entries[2].auth_id == "65d4a1f09c8e7b2a3f1e0c11"


async def test_a_from_date_in_another_offset_is_the_same_instant(nuki, http):
    route = nuki.get("/smartlock/log").respond(200, json=[])

    await api_token_client(http).logs(from_date=datetime(2024, 3, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))))

    sent = route.calls.last.request.url.params["fromDate"]
    assert datetime.fromisoformat(sent.replace("Z", "+00:00")) == datetime(2024, 3, 1, tzinfo=UTC)


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


# -- errors -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, ProviderAuthError),
        (403, ProviderAuthError),
        (500, ProviderUnavailable),
        (502, ProviderUnavailable),
        (503, ProviderUnavailable),
        (423, ProviderUnavailable),
    ],
)
async def test_statuses_become_typed_errors(nuki, http, status: int, error: type[Exception]):
    nuki.get(f"/smartlock/{FRONT_DOOR}").respond(status, text="<html>error</html>")

    with pytest.raises(error):
        await api_token_client(http).smartlock(FRONT_DOOR)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "invalid_request"),
        (402, "subscription_required"),
        (404, "device_not_found"),
        (405, "action_not_allowed"),
        (409, "code_constraint_violated"),
        (426, "subscription_required"),
    ],
)
async def test_refusals_become_provider_rejected_with_a_stable_code(nuki, http, status: int, code: str):
    message = "No active Smart Hosting subscription for the Smart Lock, please get one!"
    nuki.put(f"/smartlock/{FRONT_DOOR}/auth").respond(status, text=message)

    with pytest.raises(ProviderRejected) as raised:
        await api_token_client(http).create_auth(FRONT_DOOR, SmartlockAuthWrite(name="Guest", code=245796, type=13))

    assert raised.value.code == code
    assert str(status) in raised.value.message and "Smart Hosting" in raised.value.message


async def test_429_with_retry_after_seconds(nuki, http):
    nuki.get("/smartlock").respond(429, headers={"Retry-After": "7"}, text="Too many failed attempts")

    with pytest.raises(ProviderRateLimited) as raised:
        await api_token_client(http).smartlocks()

    assert raised.value.retry_after == 7.0
    assert raised.value.retryable is True


async def test_429_with_retry_after_as_an_http_date(nuki, http):
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    nuki.get("/smartlock").respond(429, headers={"Retry-After": when})

    with pytest.raises(ProviderRateLimited) as raised:
        await api_token_client(http).smartlocks()

    assert raised.value.retry_after is not None and 27 <= raised.value.retry_after <= 30


async def test_429_without_retry_after_has_no_delay(nuki, http):
    nuki.get("/smartlock").respond(429, text="Too many failed attempts")

    with pytest.raises(ProviderRateLimited) as raised:
        await api_token_client(http).smartlocks()

    assert raised.value.retry_after is None


@pytest.mark.parametrize("failure", [httpx.ConnectTimeout, httpx.ReadTimeout, httpx.ConnectError])
async def test_transport_failures_through_the_adapter_are_provider_unavailable(nuki, http, failure):
    nuki.get("/smartlock").mock(side_effect=failure)

    with pytest.raises(ProviderUnavailable) as raised:
        await provider(http).list_devices()

    assert isinstance(raised.value.__cause__, failure)


async def test_a_timeout_on_the_action_post_is_provider_unavailable(nuki, http):
    payload = json.loads(fixture("smartlock_list.json"))[0]
    nuki.get(f"/smartlock/{FRONT_DOOR}").respond(200, json=payload)
    nuki.post(f"/smartlock/{FRONT_DOOR}/action").mock(side_effect=httpx.ReadTimeout)
    adapter = provider(http)
    device = await adapter.get_device(str(FRONT_DOOR))

    with pytest.raises(ProviderUnavailable):
        await adapter.perform(device, ActionKind.LOCK)


async def test_a_404_through_the_adapter_is_device_not_found(nuki, http):
    nuki.get(f"/smartlock/{FRONT_DOOR}").respond(404)

    with pytest.raises(ProviderRejected) as raised:
        await provider(http).get_device(str(FRONT_DOOR))

    assert raised.value.code == "device_not_found"


def test_the_token_answer_decodes_as_documented():
    token = msgspec.json.decode(fixture("token.json"), type=Token)

    assert (token.token_type, token.expires_in) == ("bearer", 3600)
    assert "offline_access" in (token.scope or "")
