"""The Nuki simulator says what Nuki says: signed webhooks, payload fields that Nuki's recorded payloads have, and
the contract harness end to end.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from providers.errors import ProviderAuthError, ProviderUnavailable
from providers.nuki.adapter import NukiProvider
from providers.nuki.models import Account, Smartlock, SmartlockAuth, SmartlockLog
from providers.nuki.simulator import NukiSimulator
from providers.nuki.testing import CLIENT_SECRET, provider_under_test
from providers.testing import DeviceRole
from schemas import BatteryStatus, EventMethod, EventType

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`nuki`, `sim`, ...)
from tests.providers.nuki.simulator_support import (
    CONFIG,
    bearer,
    clock_fixture,  # noqa: F401
    devices_fixture,  # noqa: F401
    http_fixture,  # noqa: F401
    sim_fixture,  # noqa: F401
)

FIXTURES = Path(__file__).parent / "fixtures"


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
