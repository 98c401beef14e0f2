"""The Home Assistant client and adapter against payloads recorded from a real Home Assistant 2024.3.3 (fixtures/)
and, for the Matter lock actions it does not have, shaped as reference/vendors.md section 4.5 documents them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import respx

from providers.base import ProviderConfig, ProviderContext
from providers.errors import ProviderAuthError, ProviderRejected, ProviderUnavailable
from providers.home_assistant.adapter import HomeAssistantProvider
from providers.home_assistant.mapping import Facts, to_device
from providers.home_assistant.models import LockInfo, State
from schemas.providers import AccessCodeSpec, ActionKind

FIXTURES = Path(__file__).parent / "fixtures"
BASE = "http://ha.example:8123"
CREDENTIALS = {"base_url": BASE, "access_token": "llat"}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class Store:
    async def load(self) -> dict[str, Any]:
        return dict(CREDENTIALS)

    async def save(self, credentials: dict[str, Any]) -> None:
        raise AssertionError("Home Assistant tokens are never rewritten")


@pytest.fixture(name="ha")
def ha_fixture() -> respx.MockRouter:
    router = respx.mock(base_url=BASE, assert_all_called=False, assert_all_mocked=True)
    router.get("/api/websocket").respond(404)  # no WebSocket here: the adapter falls back to REST
    return router


@pytest.fixture(name="adapter")
async def adapter_fixture(ha: respx.MockRouter) -> AsyncIterator[HomeAssistantProvider]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(ha.async_handler)) as http:
        config = ProviderConfig(base_url="http://homeassistant.local:8123")
        yield HomeAssistantProvider(ProviderContext(http=http, config=config, credentials=Store()))


async def test_every_lock_entity_is_a_device_with_the_instance_zone(ha, adapter):
    route = ha.get("/api/states").respond(200, json=fixture("states.json"))
    ha.get("/api/config").respond(200, json=fixture("config.json"))
    ha.get("/api/services").respond(200, json=fixture("services.json"))

    devices = await adapter.list_devices()

    assert route.calls.last.request.headers["Authorization"] == "Bearer llat"
    assert [d.provider_device_id for d in devices] == [
        "lock.front_door",
        "lock.kitchen_door",
        "lock.poorly_installed_door",
        "lock.openable_lock",
    ]
    front = devices[0]
    assert (front.name, front.timezone, front.model, front.device_model) == ("Front Door", "UTC", None, "lock")
    assert front.properties.locked is True and front.properties.online is True
    assert front.capabilities.can_remotely_unlock and not front.capabilities.can_program_online_access_codes


def test_states_map_to_properties_and_errors_never_inventing_locked():
    facts = Facts()
    cases = {"locked": True, "unlocked": False, "open": False, "locking": None, "jammed": None, "unavailable": None}
    for raw, locked in cases.items():
        device = to_device(State(entity_id="lock.x", state=raw), facts)
        assert device.properties.locked is locked, raw
    jammed = to_device(State(entity_id="lock.x", state="jammed"), facts)
    assert [error.error_code for error in jammed.errors] == ["device_jammed"]
    gone = to_device(State(entity_id="lock.x", state="unavailable"), facts)
    assert gone.properties.online is False and [e.error_code for e in gone.errors] == ["device_offline"]


async def test_an_unlock_is_confirmed_by_the_states_the_call_returns_when_the_socket_is_down(ha, adapter):
    call = ha.post("/api/services/lock/unlock").respond(200, json=fixture("unlock_front_door.json"))
    device = to_device(State(**fixture("state_front_door.json")), Facts())

    receipt = await adapter.perform(device, ActionKind.UNLOCK)

    assert json.loads(call.calls.last.request.content) == {"entity_id": "lock.front_door"}
    assert receipt.confirmed is True


async def test_a_jam_fails_the_attempt_with_a_clear_error(ha, adapter):
    ha.post("/api/services/lock/lock").respond(200, json=fixture("lock_jams.json"))
    jammed = fixture("lock_jams.json")[-1]
    ha.get("/api/states/lock.poorly_installed_door").respond(200, json=jammed)
    device = to_device(State(entity_id="lock.poorly_installed_door", state="unlocked"), Facts())

    receipt = await adapter.perform(device, ActionKind.LOCK)
    check = await adapter.check_action(device, ActionKind.LOCK, receipt)

    assert receipt.confirmed is False
    assert (check.state.value, check.error_code) == ("failed", "device_jammed")


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, "401: Unauthorized", ProviderAuthError),
        (400, "400: Bad Request", ProviderRejected),
        (500, "500 Internal Server Error\n\nServer got itself in trouble", ProviderUnavailable),
        (503, "", ProviderUnavailable),
    ],
)
async def test_home_assistant_errors_are_typed(ha, adapter, status, body, error):
    ha.get("/api/states").respond(status, text=body)
    with pytest.raises(error):
        await adapter.list_devices()


async def test_an_unknown_entity_is_device_not_found(ha, adapter):
    ha.get("/api/states/lock.nope").respond(404, json={"message": "Entity not found."})
    with pytest.raises(ProviderRejected) as refused:
        await adapter.get_device("lock.nope")
    assert refused.value.code == "device_not_found"


def matter_door() -> Any:
    info = msgspec.convert(fixture("matter_lock_info.json")["service_response"]["lock.matter_door"], LockInfo)
    return to_device(State(entity_id="lock.matter_door", state="locked"), Facts(pins=info))


async def test_a_matter_lock_lists_its_users_with_pins_but_never_the_pins(ha, adapter):
    route = ha.post("/api/services/matter/get_lock_users").respond(200, json=fixture("matter_lock_users.json"))
    device = matter_door()
    assert (
        device.code_constraints.supported_code_lengths == [6, 7, 8] and device.code_constraints.max_active_codes == 10
    )

    codes = await adapter.list_access_codes(device)

    assert route.calls.last.request.url.query == b"return_response"
    assert [(code.provider_code_id, code.name, code.code) for code in codes] == [
        ("1", "Owner", None),
        ("3", "Guest Lee", None),
    ]


async def test_a_matter_pin_is_set_then_its_user_named(ha, adapter):
    credential = ha.post("/api/services/matter/set_lock_credential").respond(
        200, json=fixture("matter_set_credential.json")
    )
    naming = ha.post("/api/services/matter/set_lock_user").respond(200, json=[])

    created = await adapter.create_access_code(matter_door(), AccessCodeSpec(name="Guest Kim", code="482913"))

    sent = json.loads(credential.calls.last.request.content)
    assert sent == {
        "entity_id": "lock.matter_door",
        "credential_type": "pin",
        "credential_data": "482913",
        "user_status": "occupied_enabled",
        "user_type": "unrestricted_user",
    }
    assert json.loads(naming.calls.last.request.content) == {
        "entity_id": "lock.matter_door",
        "user_index": 5,
        "user_name": "Guest Kim",
    }
    assert (created.provider_code_id, created.name, created.code) == ("5", "Guest Kim", None)


async def test_a_duplicate_pin_is_refused_as_such(ha, adapter):
    refusal = {"message": "Failed to set credential: status duplicate"}
    ha.post("/api/services/matter/set_lock_credential").respond(400, json=refusal)
    with pytest.raises(ProviderRejected) as refused:
        await adapter.create_access_code(matter_door(), AccessCodeSpec(name="Guest", code="482913"))
    assert refused.value.code == "duplicate_code_on_device"


async def test_state_history_becomes_events_and_no_recorder_means_none(ha, adapter):
    ha.get("/api/states").respond(200, json=fixture("states.json"))
    history = ha.get(url__regex=r"/api/history/period/.*").mock(
        side_effect=[
            httpx.Response(200, json=[fixture("unlock_front_door.json")]),
            httpx.Response(404, text="404: Not Found"),
        ]
    )
    since = datetime(2026, 12, 3, 5, 47, tzinfo=UTC)

    [event] = await adapter.fetch_events(since)
    assert (event.type.value, event.provider_device_id, event.was_confirmed_by_device) == (
        "lock.unlocked",
        "lock.front_door",
        True,
    )
    assert history.calls.last.request.url.params["filter_entity_id"].startswith("lock.front_door,")
    assert await adapter.fetch_events(since) == []
