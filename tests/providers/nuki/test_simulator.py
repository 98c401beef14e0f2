"""The Nuki simulator's OAuth server, fault knobs, webhooks and contract harness, driven through the real
`NukiClient`/`NukiProvider` and raw httpx, as reference/vendors.md section 1 describes Nuki Web.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import msgspec
import pytest

from providers.base import ProviderConfig, ProviderContext
from providers.errors import DeviceOffline, ProviderAuthError, ProviderRateLimited, ProviderUnavailable
from providers.nuki.adapter import NukiProvider
from providers.nuki.models import Account, Smartlock, SmartlockAuth, SmartlockLog
from providers.nuki.simulator import NukiSimulator
from providers.nuki.testing import (
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    EMAIL,
    PASSWORD,
    REDIRECT_URI,
    MemoryCredentials,
    provider_under_test,
    seed,
    sign_in,
)
from providers.testing import DeviceRole
from schemas import BatteryStatus, EventMethod, EventType
from schemas.providers import ActionKind

FIXTURES = Path(__file__).parent / "fixtures"
CONFIG = ProviderConfig(base_url=BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[NukiSimulator]:
    simulator = NukiSimulator(clock=clock, seed=7)
    yield simulator
    simulator.close()


@pytest.fixture
def devices(sim: NukiSimulator) -> dict[str, str]:
    return seed(sim)


@pytest.fixture
async def http(sim: NukiSimulator, devices: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=sim.transport(), base_url=BASE_URL, timeout=1.0) as client:
        yield client


def context(http: httpx.AsyncClient, store: MemoryCredentials) -> ProviderContext:
    return ProviderContext(http=http, config=CONFIG, credentials=store)


async def connected(http: httpx.AsyncClient) -> tuple[NukiProvider, MemoryCredentials]:
    """An adapter whose credentials came through the consent page and the token endpoint."""
    store = MemoryCredentials()
    code = await sign_in(http, CONFIG)
    await store.save(await NukiProvider.exchange_code(context(http, store), code=code, redirect_uri=REDIRECT_URI))
    return NukiProvider(context(http, store)), store


def consent(**extra: str) -> dict[str, str]:
    fields = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI}
    return fields | {"scope": "account smartlock", "state": "st-1"} | extra


async def token_call(http: httpx.AsyncClient, **fields: str) -> httpx.Response:
    return await http.post("/oauth/token", data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET} | fields)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


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


# -- knobs ----------------------------------------------------------------------------------------------------


async def test_expire_tokens_forces_a_refresh(http: httpx.AsyncClient, sim: NukiSimulator):
    adapter, store = await connected(http)
    old_access = store.credentials["access_token"]
    sim.expire_tokens()
    assert (await http.get("/account", headers=bearer(old_access))).status_code == 401
    assert (await adapter.identify()).display_name == EMAIL
    assert store.credentials["access_token"] != old_access


async def test_revoked_credentials_are_refused_everywhere(http: httpx.AsyncClient, sim: NukiSimulator):
    adapter, store = await connected(http)
    api_token = sim.issue_api_token(min(sim.accounts))
    sim.revoke_credentials()
    assert (await http.get("/account", headers=bearer(store.credentials["access_token"]))).status_code == 401
    assert (await http.get("/account", headers=bearer(api_token))).status_code == 401
    refresh = await token_call(http, grant_type="refresh_token", refresh_token=store.credentials["refresh_token"])
    assert (refresh.status_code, refresh.json()) == (400, {"error": "invalid_grant"})
    with pytest.raises(ProviderAuthError):
        await adapter.list_devices()
    again, _ = await connected(http)  # a new consent is a new grant
    assert len(await again.list_devices()) == 4


async def test_rate_limit_answers_429_with_retry_after_then_recovers(http: httpx.AsyncClient, sim: NukiSimulator):
    adapter, _ = await connected(http)
    sim.rate_limit(retry_after=7, count=2)
    with pytest.raises(ProviderRateLimited) as refused:
        await adapter.list_devices()
    raw = await http.get("/smartlock")
    assert refused.value.retry_after == 7.0
    assert (raw.status_code, raw.headers["retry-after"]) == (429, "7")
    assert len(await adapter.list_devices()) == 4


async def test_fail_next_fails_exactly_count_requests(http: httpx.AsyncClient, sim: NukiSimulator):
    adapter, _ = await connected(http)
    sim.fail_next(status=502, count=2)
    with pytest.raises(ProviderUnavailable):
        await adapter.list_devices()
    assert (await http.get("/smartlock")).status_code == 502
    assert len(await adapter.list_devices()) == 4


async def test_time_out_next_makes_the_client_time_out(sim: NukiSimulator, devices: dict[str, str]):
    async with httpx.AsyncClient(transport=sim.transport(), timeout=0.2) as quick:
        adapter, _ = await connected(quick)
        sim.time_out_next(count=1)
        started = asyncio.get_running_loop().time()
        with pytest.raises(ProviderUnavailable, match="in time"):
            await adapter.list_devices()
        assert asyncio.get_running_loop().time() - started < 1  # the client's time-out, not the 30 s hang
        assert len(await adapter.list_devices()) == 4


async def test_a_hung_request_answers_504_when_nobody_gives_up(sim: NukiSimulator, devices: dict[str, str]):
    sim.hang_seconds = 0.01
    sim.time_out_next()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=BASE_URL) as plain:
        assert (await plain.get("/smartlock")).status_code == 504


async def test_latency_delays_every_answer(http: httpx.AsyncClient, sim: NukiSimulator):
    sim.latency = 0.05
    loop = asyncio.get_running_loop()
    started = loop.time()
    await http.get("/oauth/authorize", params=consent())
    assert loop.time() - started >= 0.05


async def test_failure_rate_fails_that_fraction_of_requests(http: httpx.AsyncClient, sim: NukiSimulator):
    sim.failure_rate = 0.3
    statuses = [(await http.get("/oauth/authorize", params=consent())).status_code for _ in range(100)]
    assert set(statuses) == {200, 503}
    assert 15 <= statuses.count(503) <= 45
    sim.failure_rate = 0.0
    assert (await http.get("/oauth/authorize", params=consent())).status_code == 200


async def test_device_knobs_show_in_the_adapters_devices(
    http: httpx.AsyncClient, sim: NukiSimulator, devices: dict[str, str]
):
    adapter, _ = await connected(http)
    lock_id = devices[DeviceRole.CODES]
    sim.set_online(int(lock_id), False)
    sim.set_battery(int(lock_id), 9)
    offline = await adapter.get_device(lock_id)
    assert offline.properties.online is False and [e.error_code for e in offline.errors] == ["device_offline"]
    assert offline.properties.battery_level == 0.09 and offline.properties.battery_status is BatteryStatus.CRITICAL
    with pytest.raises(DeviceOffline):
        await adapter.perform(offline, ActionKind.UNLOCK)
    sim.set_online(int(lock_id), True)
    sim.set_battery(int(lock_id), 55, critical=False)
    back = await adapter.get_device(lock_id)
    assert back.properties.online is True and back.properties.battery_status is BatteryStatus.GOOD


# -- webhooks -------------------------------------------------------------------------------------------------


async def test_webhooks_are_signed_with_the_client_secret(sim: NukiSimulator, devices: dict[str, str]):
    lock_id = int(devices[DeviceRole.CODES])
    status = sim.webhook(lock_id, "DEVICE_STATUS")
    expected = hmac.new(CLIENT_SECRET.encode(), status.body, hashlib.sha256).hexdigest()
    assert status.headers["X-Nuki-Signature-SHA256"] == expected
    payload = json.loads(status.body)
    assert payload["feature"] == "DEVICE_STATUS" and payload["smartlockId"] == lock_id
    assert payload["state"]["state"] == 1 and payload["serverState"] == 0
    assert NukiProvider.parse_webhook(CONFIG, status.headers, status.body).refresh_device_ids == [str(lock_id)]
    with pytest.raises(ProviderAuthError):
        NukiProvider.parse_webhook(CONFIG, status.headers, status.body.replace(b'"state":1', b'"state":3'))


async def test_a_device_logs_webhook_carries_the_newest_log_as_an_event(sim: NukiSimulator, devices: dict[str, str]):
    lock_id = int(devices[DeviceRole.CODES])
    auth_id = sim.external_add_code(lock_id, "Guest Anna", 245796)
    assert sim.keypad_entry(lock_id, "245796")
    message = sim.webhook(lock_id, "DEVICE_LOGS")
    result = NukiProvider.parse_webhook(CONFIG, message.headers, message.body)
    [event] = result.events
    assert (event.type, event.method, event.provider_device_id) == (
        EventType.LOCK_UNLOCKED,
        EventMethod.KEYCODE,
        str(lock_id),
    )
    assert json.loads(message.body)["authId"] == auth_id and event.data["name"] == "Guest Anna"


# -- the payloads match Nuki's recorded ones ------------------------------------------------------------------


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def keys_of(items: list[dict[str, Any]]) -> set[str]:
    return {key for item in items for key in item}


async def test_payloads_use_only_fields_nuki_sends(
    http: httpx.AsyncClient, sim: NukiSimulator, devices: dict[str, str]
):
    """Every field the simulator sends appears in a recorded Nuki payload, and each decodes into our models."""
    lock_id = int(devices[DeviceRole.CODES])
    token = sim.issue_api_token(min(sim.accounts))
    sim.external_add_code(lock_id, "Cleaner", 367913, allowedWeekDays=126, allowedFromTime=600, allowedUntilTime=840)
    sim.keypad_entry(lock_id, 367913)
    answers = {path: (await http.get(path, headers=bearer(token))).json() for path in _PATHS}
    lock, known_lock = answers["/smartlock"][0], recorded("smartlock_list.json")[0]
    assert set(lock) <= set(known_lock) and set(lock["config"]) <= set(known_lock["config"])
    assert set(lock["state"]) <= set(known_lock["state"])
    assert set(answers["/smartlock/auth"][0]) <= keys_of(recorded("smartlock_auth_list.json"))
    assert set(answers["/smartlock/log"][0]) <= keys_of(recorded("smartlock_log.json"))
    assert set(answers["/account"]) <= set(recorded("account.json"))
    msgspec.convert(answers["/smartlock"], list[Smartlock])
    msgspec.convert(answers["/smartlock/auth"], list[SmartlockAuth])
    msgspec.convert(answers["/smartlock/log"], list[SmartlockLog])
    msgspec.convert(answers["/account"], Account)
    status = json.loads(sim.webhook(lock_id).body)
    assert set(status) <= set(recorded("webhook_device_status.json"))
    assert set(json.loads(sim.webhook(lock_id, "DEVICE_LOGS").body)) <= set(recorded("webhook_device_logs.json"))


_PATHS = ("/smartlock", "/smartlock/auth", "/smartlock/log", "/account")


# -- the contract harness -------------------------------------------------------------------------------------


async def test_provider_under_test_holds_every_role_and_works_end_to_end():
    async with provider_under_test() as put:
        adapter = put.adapter()
        found = {device.provider_device_id: device for device in await adapter.list_devices()}
        codes, no_codes = found[put.devices[DeviceRole.CODES]], found[put.devices[DeviceRole.NO_CODES]]
        assert codes.capabilities.can_program_online_access_codes is True
        assert no_codes.capabilities.can_program_online_access_codes is False
        assert found[put.devices[DeviceRole.OFFLINE]].properties.online is False
        assert found[put.devices[DeviceRole.LOW_BATTERY]].properties.battery_status is BatteryStatus.CRITICAL
        since = put.context.clock() - timedelta(seconds=1)
        await put.simulator.cause_activity(put.devices[DeviceRole.CODES])
        await put.simulator.cause_activity(put.devices[DeviceRole.NO_CODES])
        events = await adapter.fetch_events(since)
        assert {(e.provider_device_id, e.method, e.type) for e in events} == {
            (put.devices[DeviceRole.CODES], EventMethod.KEYCODE, EventType.LOCK_UNLOCKED),
            (put.devices[DeviceRole.NO_CODES], EventMethod.MANUAL, EventType.LOCK_UNLOCKED),
        }
        sample = put.simulator.webhook_sample(put.devices[DeviceRole.CODES])
        assert sample is not None
        parsed = put.provider.parse_webhook(sample.config, sample.headers, sample.body)
        assert parsed.refresh_device_ids == sample.expect_device_ids
        put.simulator.knobs.fail_next(status=503)
        with pytest.raises(ProviderUnavailable):
            await adapter.list_devices()
