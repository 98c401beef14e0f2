"""The Nuki adapter fed Nuki's own payloads (reference/vendors.md section 1), not our simulator's dialect."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import respx

from providers.base import ProviderConfig, ProviderContext
from providers.errors import (
    CapabilityNotSupported,
    DeviceOffline,
    ProviderAuthError,
    ProviderRejected,
    ProviderUnavailable,
)
from providers.nuki import adapter as nuki_adapter
from providers.nuki import mapping
from providers.nuki.adapter import NukiProvider
from providers.nuki.models import Smartlock
from schemas import EventMethod, EventType
from schemas.providers import AccessCodeSpec, ActionKind, ActionReceipt, ActionState, ProviderDevice

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "https://api.nuki.io"
SECRET = "gateway-client-secret"
CONFIG = ProviderConfig(base_url=BASE, client_id="gateway-client-id", client_secret=SECRET)
NOW = datetime(2024, 3, 1, 17, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))
FRONT_DOOR = 17618910285  # type 4, keypad2Paired
CELLAR = 742215263  # type 0, no keypad
OPENER = 9584794990  # type 2
GARDEN_GATE = 18696862861  # type 4, keypad, offline
OFFICE = 23278161310  # type 5, keypad2Paired, jammed
ANNA = "65d4a1f09c8e7b2a3f1e0c11"
SIGNATURE = "X-Nuki-Signature-SHA256"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def lock_payload(smartlock_id: int, **changes: Any) -> dict[str, Any]:
    """The fixture lock; `state` in `changes` updates its state object, other keys replace top-level fields."""
    payload = next(item for item in json.loads(fixture("smartlock_list.json")) if item["smartlockId"] == smartlock_id)
    payload["state"].update(changes.pop("state", {}))
    return payload | changes


def device(smartlock_id: int) -> ProviderDevice:
    return mapping.to_device(msgspec.convert(lock_payload(smartlock_id), Smartlock))


def auths(*without: str) -> list[dict[str, Any]]:
    return [auth for auth in json.loads(fixture("smartlock_auth_list.json")) if auth["id"] not in without]


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {SIGNATURE: hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


class Store:
    def __init__(self, credentials: dict[str, Any]) -> None:
        self.credentials = credentials

    async def load(self) -> dict[str, Any]:
        return dict(self.credentials)

    async def save(self, credentials: dict[str, Any]) -> None:
        self.credentials = dict(credentials)


@pytest.fixture
def nuki() -> Iterator[respx.MockRouter]:
    router = respx.mock(base_url=BASE, assert_all_called=True, assert_all_mocked=True)
    yield router
    router.assert_all_called()


@pytest.fixture
async def http(nuki: respx.MockRouter) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(nuki.async_handler)) as client:
        yield client


@pytest.fixture
def adapter(http: httpx.AsyncClient) -> NukiProvider:
    credentials = Store({"api_token": "nuki-api-token"})
    return NukiProvider(ProviderContext(http=http, config=CONFIG, credentials=credentials, clock=lambda: NOW))


# -- accounts and devices -----------------------------------------------------------------------------------------


async def test_list_devices_keeps_only_lock_types(nuki, adapter):
    nuki.get("/smartlock").respond(200, content=fixture("smartlock_list.json"))

    devices = {item.provider_device_id: item for item in await adapter.list_devices()}

    assert set(devices) == {"17618910285", "742215263", "18696862861", "23278161310", "14974557871"}
    assert "9584794990" not in devices  # opener (type 2)
    assert "5593001840" not in devices  # box (type 1)
    assert devices["17618910285"].device_model == mapping.WITH_KEYPAD
    assert devices["742215263"].device_model == mapping.WITHOUT_KEYPAD
    assert devices["18696862861"].properties.online is False
    assert [issue.error_code for issue in devices["23278161310"].errors] == ["device_jammed"]


async def test_get_device_reads_one_smartlock(nuki, adapter):
    route = nuki.get(f"/smartlock/{FRONT_DOOR}").respond(200, json=lock_payload(FRONT_DOOR))

    found = await adapter.get_device("17618910285")

    assert route.called and found.name == "Front door" and found.properties.locked is True


async def test_get_device_does_not_present_an_opener_as_a_lock(nuki, adapter):
    nuki.get(f"/smartlock/{OPENER}").respond(200, json=lock_payload(OPENER))

    with pytest.raises(ProviderRejected) as raised:
        await adapter.get_device(str(OPENER))

    assert raised.value.code == "device_not_found"


async def test_a_device_id_that_is_no_number_is_device_not_found_without_a_call(nuki, adapter):
    with pytest.raises(ProviderRejected) as raised:
        await adapter.get_device("front-door")

    assert raised.value.code == "device_not_found"
    assert nuki.calls.call_count == 0


async def test_identify_reads_the_account(nuki, adapter):
    nuki.get("/account").respond(200, content=fixture("account.json"))

    identity = await adapter.identify()

    assert (identity.provider_account_id, identity.display_name) == ("123456", "jane.host@example.com")


async def test_connecting_an_api_token_tries_it_on_account_first(nuki, http):
    route = nuki.get("/account").respond(200, content=fixture("account.json"))
    context = ProviderContext(http=http, config=CONFIG, credentials=Store({}))

    credentials = await NukiProvider.connect(context, {"api_token": "  personal-token \n"})

    assert credentials == {"api_token": "personal-token"}
    assert route.calls.last.request.headers["Authorization"] == "Bearer personal-token"


async def test_a_refused_api_token_is_not_kept(nuki, http):
    nuki.get("/account").respond(401)
    context = ProviderContext(http=http, config=CONFIG, credentials=Store({}))

    with pytest.raises(ProviderAuthError):
        await NukiProvider.connect(context, {"api_token": "revoked"})


# -- access codes -------------------------------------------------------------------------------------------------


async def test_create_puts_the_code_then_finds_its_id_by_name_and_code(nuki, adapter):
    put = nuki.put(f"/smartlock/{FRONT_DOOR}/auth").respond(204)
    listing = nuki.get(f"/smartlock/{FRONT_DOOR}/auth", params__eq={"types": "13"}).mock(
        side_effect=[httpx.Response(200, json=auths(ANNA)), httpx.Response(200, json=auths())]
    )
    spec = AccessCodeSpec(
        name="Guest Anna",
        code="245796",
        starts_at=datetime(2024, 3, 1, 15, 0, tzinfo=CET),
        ends_at=datetime(2024, 3, 5, 11, 0, tzinfo=CET),
    )

    created = await adapter.create_access_code(device(FRONT_DOOR), spec)

    assert json.loads(put.calls.last.request.content) == {
        "name": "Guest Anna",
        "type": 13,
        "code": 245796,
        "allowedFromDate": "2024-03-01T14:00:00.000Z",
        "allowedUntilDate": "2024-03-05T10:00:00.000Z",
        "allowedWeekDays": 127,
        "allowedFromTime": 0,
        "allowedUntilTime": 0,
    }
    assert listing.call_count == 2  # the first listing only had the older "Guest Anna" with another code
    assert created.provider_code_id == ANNA
    assert (created.name, created.code) == ("Guest Anna", "245796")
    assert created.starts_at == datetime(2024, 3, 1, 14, 0, tzinfo=UTC)


async def test_a_code_without_window_is_created_without_window_fields(nuki, adapter):
    put = nuki.put(f"/smartlock/{FRONT_DOOR}/auth").respond(204)
    nuki.get(f"/smartlock/{FRONT_DOOR}/auth").respond(200, content=fixture("smartlock_auth_list.json"))

    created = await adapter.create_access_code(device(FRONT_DOOR), AccessCodeSpec(name="Family", code="135792"))

    assert json.loads(put.calls.last.request.content) == {"name": "Family", "type": 13, "code": 135792}
    assert created.provider_code_id == "64f1a2b3c4d5e6f708192a3b"
    assert (created.starts_at, created.ends_at) == (None, None)


async def test_a_code_nuki_never_lists_is_failed_to_set(nuki, adapter, monkeypatch):
    monkeypatch.setattr(nuki_adapter, "_FIND_NEW_CODE_DELAYS", (0, 0, 0))
    nuki.put(f"/smartlock/{FRONT_DOOR}/auth").respond(204)
    listing = nuki.get(f"/smartlock/{FRONT_DOOR}/auth").respond(200, json=auths(ANNA))

    with pytest.raises(ProviderRejected) as raised:
        await adapter.create_access_code(device(FRONT_DOOR), AccessCodeSpec(name="Guest Anna", code="245796"))

    assert raised.value.code == "failed_to_set_on_device"
    assert listing.call_count == 3


@pytest.mark.parametrize("code", ["245706", "123456", "24579"])
async def test_a_code_nuki_would_refuse_is_rejected_before_any_call(nuki, adapter, code: str):
    with pytest.raises(ProviderRejected) as raised:
        await adapter.create_access_code(device(FRONT_DOOR), AccessCodeSpec(name="Guest", code=code))

    assert raised.value.code == "code_constraint_violated"
    assert nuki.calls.call_count == 0


async def test_a_one_time_code_is_not_supported_before_any_call(nuki, adapter):
    spec = AccessCodeSpec(name="Guest", code="245796", is_one_time_use=True)

    with pytest.raises(CapabilityNotSupported):
        await adapter.create_access_code(device(FRONT_DOOR), spec)

    assert nuki.calls.call_count == 0


async def test_codes_on_a_lock_without_keypad_fail_before_any_call(nuki, adapter):
    cellar = device(CELLAR)
    spec = AccessCodeSpec(name="Guest", code="245796")

    with pytest.raises(CapabilityNotSupported) as listed:
        await adapter.list_access_codes(cellar)
    with pytest.raises(CapabilityNotSupported) as created:
        await adapter.create_access_code(cellar, spec)
    with pytest.raises(CapabilityNotSupported):
        await adapter.update_access_code(cellar, ANNA, spec)
    with pytest.raises(CapabilityNotSupported):
        await adapter.delete_access_code(cellar, ANNA)

    assert listed.value.capability == "can_list_access_codes"
    assert created.value.capability == "can_program_online_access_codes"
    assert nuki.calls.call_count == 0


async def test_a_window_on_a_device_without_native_windows_fails_before_any_call(nuki, adapter):
    front = device(FRONT_DOOR)
    limited = msgspec.structs.replace(
        front,
        capabilities=msgspec.structs.replace(front.capabilities, can_program_time_bound_codes_natively=False),
    )
    spec = AccessCodeSpec(name="Guest", code="245796", ends_at=datetime(2024, 3, 5, tzinfo=UTC))

    with pytest.raises(CapabilityNotSupported) as raised:
        await adapter.create_access_code(limited, spec)

    assert raised.value.capability == "can_program_time_bound_codes_natively"
    assert nuki.calls.call_count == 0


async def test_list_access_codes_reads_keypad_code_auths(nuki, adapter):
    nuki.get(f"/smartlock/{FRONT_DOOR}/auth", params__eq={"types": "13"}).respond(
        200, content=fixture("smartlock_auth_list.json")
    )

    codes = await adapter.list_access_codes(device(FRONT_DOOR))

    assert [(code.provider_code_id, code.code, code.is_pending) for code in codes] == [
        (ANNA, "245796", False),
        ("65c0b7e21a4d9f3e6b2c8a07", "579246", False),
        ("65d9e3c47b1a2f0e8d6c5b93", "367913", True),
        ("64f1a2b3c4d5e6f708192a3b", "135792", False),
    ]


async def test_update_posts_to_the_auth_id_and_reads_it_back(nuki, adapter):
    update = nuki.post(f"/smartlock/{FRONT_DOOR}/auth/{ANNA}").respond(204)
    nuki.get(f"/smartlock/{FRONT_DOOR}/auth").respond(200, content=fixture("smartlock_auth_list.json"))
    spec = AccessCodeSpec(name="Guest Anna", code="245796", ends_at=datetime(2024, 3, 6, 10, 0, tzinfo=UTC))

    updated = await adapter.update_access_code(device(FRONT_DOOR), ANNA, spec)

    body = json.loads(update.calls.last.request.content)
    assert "type" not in body
    assert body["allowedUntilDate"] == "2024-03-06T10:00:00.000Z"
    assert (body["name"], body["code"], body["allowedWeekDays"]) == ("Guest Anna", 245796, 127)
    assert updated.provider_code_id == ANNA


async def test_delete_deletes_the_auth_id(nuki, adapter):
    route = nuki.delete(f"/smartlock/{FRONT_DOOR}/auth/{ANNA}").respond(204)

    await adapter.delete_access_code(device(FRONT_DOOR), ANNA)

    assert route.call_count == 1


async def test_a_code_busy_with_an_earlier_change_is_transient(nuki, adapter):
    nuki.delete(f"/smartlock/{FRONT_DOOR}/auth/{ANNA}").respond(423)

    with pytest.raises(ProviderUnavailable):
        await adapter.delete_access_code(device(FRONT_DOOR), ANNA)


# -- actions ------------------------------------------------------------------------------------------------------


async def test_perform_on_an_offline_lock_raises_device_offline_without_sending_the_action(nuki, adapter):
    nuki.get(f"/smartlock/{GARDEN_GATE}").respond(200, json=lock_payload(GARDEN_GATE))

    with pytest.raises(DeviceOffline):
        await adapter.perform(device(GARDEN_GATE), ActionKind.UNLOCK)

    assert [call.request.method for call in nuki.calls] == ["GET"]


@pytest.mark.parametrize(("kind", "action"), [(ActionKind.LOCK, 2), (ActionKind.UNLOCK, 1)])
async def test_perform_sends_the_documented_action_and_is_not_yet_confirmed(nuki, adapter, kind, action):
    nuki.get(f"/smartlock/{FRONT_DOOR}").respond(200, json=lock_payload(FRONT_DOOR))
    post = nuki.post(f"/smartlock/{FRONT_DOOR}/action").respond(204)

    receipt = await adapter.perform(device(FRONT_DOOR), kind)

    assert json.loads(post.calls.last.request.content) == {"action": action, "option": 0}
    assert (receipt.confirmed, receipt.accepted_at) == (False, NOW)


@pytest.mark.parametrize(
    ("kind", "changes", "expected", "error_code"),
    [
        (ActionKind.LOCK, {"state": {"state": 1}}, ActionState.SUCCEEDED, None),
        (ActionKind.LOCK, {"state": {"state": 4}}, ActionState.PENDING, None),
        (ActionKind.LOCK, {"state": {"state": 3}}, ActionState.PENDING, None),
        (ActionKind.LOCK, {"state": {"state": 254}}, ActionState.FAILED, "device_jammed"),
        (ActionKind.LOCK, {"state": {"state": 3}, "serverState": 4}, ActionState.FAILED, "device_offline"),
        (ActionKind.UNLOCK, {"state": {"state": 3}}, ActionState.SUCCEEDED, None),
        (ActionKind.UNLOCK, {"state": {"state": 5}}, ActionState.SUCCEEDED, None),
        (ActionKind.UNLOCK, {"state": {"state": 2}}, ActionState.PENDING, None),
        (ActionKind.UNLOCK, {"state": {"state": 1}}, ActionState.PENDING, None),
        (ActionKind.UNLOCK, {"state": {"state": 254}}, ActionState.FAILED, "device_jammed"),
    ],
)
async def test_check_action_follows_the_reported_lock_state(nuki, adapter, kind, changes, expected, error_code):
    nuki.get(f"/smartlock/{FRONT_DOOR}").respond(200, json=lock_payload(FRONT_DOOR, **changes))

    check = await adapter.check_action(device(FRONT_DOOR), kind, ActionReceipt(confirmed=False, accepted_at=NOW))

    assert check.state is expected
    assert check.error_code == error_code
    assert check.was_confirmed_by_device is (expected is ActionState.SUCCEEDED)


# -- events -------------------------------------------------------------------------------------------------------


async def test_fetch_events_reads_logs_since_and_returns_them_oldest_first(nuki, adapter):
    route = nuki.get("/smartlock/log", params__eq={"fromDate": "2024-03-01T00:00:00Z", "limit": "50"}).respond(
        200, content=fixture("smartlock_log.json")
    )

    events = await adapter.fetch_events(datetime(2024, 3, 1, tzinfo=UTC))

    assert route.called
    assert [(event.type, event.method, event.provider_device_id) for event in events] == [
        (EventType.LOCK_LOCKED, EventMethod.REMOTE, "742215263"),
        (EventType.LOCK_ACCESS_DENIED, EventMethod.KEYCODE, "17618910285"),
        (EventType.LOCK_UNLOCKED, EventMethod.KEYCODE, "17618910285"),
        (EventType.LOCK_UNLOCKED, EventMethod.APP, "17618910285"),  # lock 'n' go
    ]  # the door sensor entry (action 240) has no event
    assert events == sorted(events, key=lambda event: event.occurred_at)


async def test_fetch_events_pages_back_when_a_page_is_full(nuki, adapter):
    template = json.loads(fixture("smartlock_log.json"))[2]
    full_page = [
        template | {"id": f"65e2{index:020x}", "date": (NOW - timedelta(minutes=index)).isoformat()}
        for index in range(50)
    ]

    def page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[] if "id" in request.url.params else full_page)

    route = nuki.get("/smartlock/log").mock(side_effect=page)

    events = await adapter.fetch_events(NOW - timedelta(days=1))

    assert len(events) == 50
    assert route.call_count == 2
    assert route.calls.last.request.url.params["id"] == full_page[-1]["id"]


# -- webhooks -----------------------------------------------------------------------------------------------------


def test_a_device_status_webhook_asks_to_read_the_lock_again():
    body = fixture("webhook_device_status.json")

    result = NukiProvider.parse_webhook(CONFIG, signed(body), body)

    assert result.events == []
    assert result.refresh_device_ids == ["17618910285"]


def test_a_device_logs_webhook_is_an_event_of_that_lock():
    body = fixture("webhook_device_logs.json")

    result = NukiProvider.parse_webhook(CONFIG, signed(body), body)

    [event] = result.events
    assert event.provider_event_id == "65e204f89b8a7c6d5e4f3a33"
    assert (event.type, event.method) == (EventType.LOCK_UNLOCKED, EventMethod.KEYCODE)
    assert event.occurred_at == datetime(2024, 3, 1, 17, 5, 12, tzinfo=UTC)
    assert result.refresh_device_ids == ["17618910285"]


def test_a_device_logs_webhook_without_an_event_still_refreshes():
    payload = json.loads(fixture("webhook_device_logs.json")) | {"action": 240, "trigger": 0, "source": 0}
    body = json.dumps(payload).encode()

    result = NukiProvider.parse_webhook(CONFIG, signed(body), body)

    assert result.events == []
    assert result.refresh_device_ids == ["17618910285"]


def test_a_device_auths_webhook_is_accepted():
    body = fixture("webhook_device_auths.json")

    result = NukiProvider.parse_webhook(CONFIG, signed(body), body)

    assert result.events == []


def test_a_device_auths_webhook_refreshes_the_lock_of_the_auth():
    body = fixture("webhook_device_auths.json")

    result = NukiProvider.parse_webhook(CONFIG, signed(body), body)

    assert result.refresh_device_ids == ["17618910285"]


@pytest.mark.parametrize("header", [SIGNATURE, SIGNATURE.lower(), SIGNATURE.upper()])
def test_the_signature_header_name_is_case_insensitive(header: str):
    body = fixture("webhook_device_status.json")

    result = NukiProvider.parse_webhook(CONFIG, {header: signed(body)[SIGNATURE]}, body)

    assert result.refresh_device_ids == ["17618910285"]


def test_a_tampered_body_is_refused():
    body = fixture("webhook_device_status.json")
    headers = signed(body)
    tampered = body.replace(b'"serverState": 0', b'"serverState": 4')
    assert tampered != body

    with pytest.raises(ProviderAuthError):
        NukiProvider.parse_webhook(CONFIG, headers, tampered)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {SIGNATURE: ""},
        {"X-Nuki-Signature": "legacy"},
        {SIGNATURE: "0" * 64},
    ],
    ids=["missing", "empty", "legacy-header-only", "wrong"],
)
def test_a_missing_or_wrong_signature_is_refused(headers: dict[str, str]):
    with pytest.raises(ProviderAuthError):
        NukiProvider.parse_webhook(CONFIG, headers, fixture("webhook_device_status.json"))


def test_a_body_signed_with_another_secret_is_refused():
    body = fixture("webhook_device_logs.json")

    with pytest.raises(ProviderAuthError):
        NukiProvider.parse_webhook(CONFIG, signed(body, "someone-else"), body)


def test_without_a_client_secret_no_webhook_is_trusted():
    body = fixture("webhook_device_status.json")
    config = ProviderConfig(base_url=BASE, client_id="gateway-client-id")

    with pytest.raises(ProviderAuthError):
        NukiProvider.parse_webhook(config, signed(body), body)
