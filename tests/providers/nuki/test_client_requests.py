"""The Nuki client's requests as reference/vendors.md section 1 documents them, and Nuki's error answers and
transport failures as typed errors.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import msgspec
import pytest

from providers.base import ProviderContext
from providers.errors import ProviderAuthError, ProviderRateLimited, ProviderRejected, ProviderUnavailable
from providers.nuki.adapter import NukiProvider
from providers.nuki.models import SmartlockAuthWrite, Token
from schemas.providers import ActionKind

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`nuki`, `sim`, ...)
from tests.providers.nuki.client_support import (
    BASE,
    CONFIG,
    FRONT_DOOR,
    MemoryStore,
    api_token_client,
    fixture,
    http_fixture,  # noqa: F401
    nuki_fixture,  # noqa: F401
)


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
