"""Nuki's own webhook payloads through `NukiProvider.parse_webhook`: what each feature means, and the signature."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from providers.base import ProviderConfig
from providers.errors import ProviderAuthError
from providers.nuki.adapter import NukiProvider
from schemas import EventMethod, EventType
from tests.providers.nuki.adapter_support import BASE, CONFIG, SECRET, fixture

SIGNATURE = "X-Nuki-Signature-SHA256"


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {SIGNATURE: hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


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
