"""The Nuki adapter's keypad codes against Nuki's own payloads: create, list, update and delete, and the codes and
devices it refuses before any call.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import msgspec
import pytest

from providers.errors import CapabilityNotSupported, ProviderRejected, ProviderUnavailable
from providers.nuki import adapter as nuki_adapter
from schemas.providers import AccessCodeSpec

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`nuki`, `sim`, ...)
from tests.providers.nuki.adapter_support import (
    CELLAR,
    FRONT_DOOR,
    adapter_fixture,  # noqa: F401
    device,
    fixture,
    http_fixture,  # noqa: F401
    nuki_fixture,  # noqa: F401
)

CET = timezone(timedelta(hours=1))
ANNA = "65d4a1f09c8e7b2a3f1e0c11"


def auths(*without: str) -> list[dict[str, Any]]:
    return [auth for auth in json.loads(fixture("smartlock_auth_list.json")) if auth["id"] not in without]


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
