"""Vendor callbacks through `POST /v1/provider_webhooks/nuki/{token}` on the sandbox: the URL an account hands out,
a signed status callback that has a lock's codes checked at once, log callbacks recorded once, and bad callbacks
refused with stable codes.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import httpx
import pytest

from aggregator.reconcile import tasks
from tests.sandbox import NukiSandbox, code_status, lock_codes, lock_id, until

pytestmark = pytest.mark.sandbox
Client = httpx.AsyncClient


@pytest.fixture(autouse=True)
def quick_follow_ups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look again at a change the vendor has not carried to the lock yet after 50 ms (2 s in production)."""
    monkeypatch.setattr(tasks, "FIRST_LOOK", timedelta(milliseconds=50))


async def callback_url(client: Client, nuki: NukiSandbox) -> str:
    account = (await nuki.connect())["connected_account_id"]
    answer = await client.get(f"/v1/connected_accounts/{account}/provider_webhook", headers=nuki.headers)
    assert answer.status_code == 200, answer.text
    webhook: dict[str, Any] = answer.json()
    assert webhook["provider"] == "nuki"
    assert webhook["trust"] == "signed"
    assert webhook["url"].startswith("http://testserver/v1/provider_webhooks/nuki/")
    return str(webhook["url"])


async def test_a_status_callback_has_a_lock_checked_at_once(client: Client, nuki: NukiSandbox):
    url = await callback_url(client, nuki)
    front = (await nuki.devices())["Front door"]
    body = {"device_id": front["id"], "name": "Guest", "code": "345678"}
    code = (await client.post("/v1/access_codes", json=body, headers=nuki.headers)).json()

    async def is_set() -> bool:
        return await code_status(client, nuki.headers, code["id"]) == "set"

    await until(is_set)
    lock = lock_id(nuki.sim, "Front door")
    auth_id = next(auth_id for auth_id, auth in nuki.sim.auths.items() if auth.smartlock_id == lock)
    nuki.sim.external_delete_code(lock, auth_id)
    assert lock_codes(nuki.sim, "Front door") == {}

    message = nuki.sim.webhook(lock)
    answer = await client.post(url, content=message.body, headers=message.headers)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"events_recorded": 0, "devices_refreshed": 1}
    # Restored long before the periodic sweep: the callback asked for the lock's codes to be read.
    await until(lambda: lock_codes(nuki.sim, "Front door") == {"345678": "Guest"}, within=5)


async def test_a_log_callback_is_recorded_once_whatever_else_reads_the_log(client: Client, nuki: NukiSandbox):
    url = await callback_url(client, nuki)
    front = (await nuki.devices())["Front door"]
    lock = lock_id(nuki.sim, "Front door")
    assert nuki.sim.keypad_entry(lock, "999999") is False  # a wrong PIN at the keypad: Nuki logs it
    message = nuki.sim.webhook(lock, "DEVICE_LOGS")
    before = await vendor_events(client, nuki, front["id"])

    first = await client.post(url, content=message.body, headers=message.headers)
    again = await client.post(url, content=message.body, headers=message.headers)

    assert first.json() == {"events_recorded": 1, "devices_refreshed": 1}
    assert again.json() == {"events_recorded": 0, "devices_refreshed": 1}
    after = await vendor_events(client, nuki, front["id"])
    assert len(after) == len(before) + 1


async def vendor_events(client: Client, nuki: NukiSandbox, device_id: str) -> list[dict[str, Any]]:
    """The device's events that came from the vendor (its log), not from the gateway."""
    events = (await client.get("/v1/events?limit=500", headers=nuki.headers)).json()["data"]
    return [event for event in events if event["device_id"] == device_id and event["source"] != "gateway"]


async def test_bad_callbacks_are_refused_with_stable_codes(client: Client, nuki: NukiSandbox):
    url = await callback_url(client, nuki)
    message = nuki.sim.webhook(lock_id(nuki.sim, "Front door"))
    forged = dict(message.headers) | {"X-Nuki-Signature-SHA256": "0" * 64}
    tampered_token = url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB")
    cases = {
        "signature": await client.post(url, content=message.body, headers=forged),
        "token": await client.post(tampered_token, content=message.body, headers=message.headers),
        "provider": await client.post(url.replace("/nuki/", "/ttlock/"), content=message.body, headers=message.headers),
        "no token": await client.post("/v1/provider_webhooks/nuki/x", content=message.body, headers=message.headers),
    }
    codes = {case: (answer.status_code, answer.json()["code"]) for case, answer in cases.items()}
    assert codes == {
        "signature": (401, "provider_webhook_signature_invalid"),
        "token": (404, "provider_webhook_not_found"),
        "provider": (404, "provider_webhook_not_found"),
        "no token": (404, "provider_webhook_not_found"),
    }
    assert all(answer.headers["content-type"].startswith("application/problem+json") for answer in cases.values())


async def test_a_signed_callback_that_is_not_json_is_a_400(client: Client, nuki: NukiSandbox):
    url = await callback_url(client, nuki)
    body = b'{"feature": "DEVICE_STATUS", "smartlockId": "not a number"}'
    secret = next(iter(nuki.sim.oauth.clients.values())).client_secret
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    answer = await client.post(url, content=body, headers={"X-Nuki-Signature-SHA256": signature})

    assert (answer.status_code, answer.json()["code"]) == (400, "provider_webhook_invalid")
