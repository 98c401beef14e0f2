"""The Nuki adapter fed Nuki's own payloads (reference/vendors.md section 1): accounts and devices, lock and unlock
actions followed to the reported lock state, and events read from the logs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from providers.base import ProviderContext
from providers.errors import DeviceOffline, ProviderAuthError, ProviderRejected
from providers.nuki import mapping
from providers.nuki.adapter import NukiProvider
from schemas import EventMethod, EventType
from schemas.providers import ActionKind, ActionReceipt, ActionState

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`nuki`, `sim`, ...)
from tests.providers.nuki.adapter_support import (
    CONFIG,
    FRONT_DOOR,
    GARDEN_GATE,
    NOW,
    OPENER,
    Store,
    adapter_fixture,  # noqa: F401
    device,
    fixture,
    http_fixture,  # noqa: F401
    lock_payload,
    nuki_fixture,  # noqa: F401
)

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
