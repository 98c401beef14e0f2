"""Connecting, syncing and removing Nuki accounts through the API (sandbox mode), and what a refused grant does."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from aggregator.db import Database
from aggregator.settings import Settings
from schemas import Scope
from tests.factories import Tenant
from tests.sandbox import NukiSandbox, until

pytestmark = pytest.mark.sandbox
Client = httpx.AsyncClient


async def account_status(client: Client, tenant: Tenant, account_id: str, want: str) -> dict[str, Any]:
    """Poll the account until it has status `want` (a background sync changes it)."""
    async with asyncio.timeout(10):
        while True:
            account: dict[str, Any] = (
                await client.get(f"/v1/connected_accounts/{account_id}", headers=tenant.headers)
            ).json()
            if account["status"] == want:
                return account
            await asyncio.sleep(0.05)


def refreshes(nuki: NukiSandbox) -> int:
    """How many refresh tokens the gateway has spent at the simulated Nuki."""
    return sum(grant.used for grant in nuki.sim.oauth.refresh_tokens.values())


async def event_types(client: Client, tenant: Tenant) -> list[str]:
    events = (await client.get("/v1/events?limit=500", headers=tenant.headers)).json()["data"]
    return [event["type"] for event in events]


async def test_an_api_token_connects_an_account(client: Client, tenant: Tenant, nuki: NukiSandbox):
    token = nuki.sim.issue_api_token(min(nuki.sim.accounts))
    body = {"provider": "nuki", "credentials": {"api_token": token}}
    answer = await client.post("/v1/connected_accounts", json=body, headers=tenant.headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "active" and answer.json()["display_name"] == "host@example.com"
    assert len(await nuki.devices()) == 4
    assert token not in answer.text


async def test_bad_credentials_are_refused_before_anything_is_kept(client: Client, tenant: Tenant, nuki: NukiSandbox):
    wrong = {"provider": "nuki", "credentials": {"api_token": "not-a-token"}}
    refused = await client.post("/v1/connected_accounts", json=wrong, headers=tenant.headers)
    assert refused.status_code == 400 and refused.json()["code"] == "provider_auth_failed"
    missing = await client.post(
        "/v1/connected_accounts", json={"provider": "nuki", "credentials": {}}, headers=tenant.headers
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "credentials.api_token"
    unknown = await client.post(
        "/v1/connected_accounts", json={"provider": "nope", "credentials": {}}, headers=tenant.headers
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "provider"
    assert (await client.get("/v1/connected_accounts", headers=tenant.headers)).json()["data"] == []


async def test_vendor_tokens_are_never_stored_in_clear_text(
    client: Client, tenant: Tenant, nuki: NukiSandbox, db: Database, settings: Settings
):
    await nuki.connect()
    tokens = [*nuki.sim.oauth.access_tokens, *nuki.sim.oauth.refresh_tokens]
    assert len(tokens) >= 2
    stored = ""
    for table in ("connected_accounts", "connect_sessions", "audit_entries", "events", "idempotency_records"):
        stored += repr(await db.fetch_all(f"SELECT * FROM {table}"))
    if settings.database_url.startswith("sqlite"):
        path = Path(settings.database_url.removeprefix("sqlite:///"))
        stored += b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*")).decode("latin-1")
    leaked = [token for token in tokens if token in stored]
    assert leaked == []
    [(sealed,)] = await db.fetch_all("SELECT credentials_ciphertext FROM connected_accounts")
    assert isinstance(sealed, str) and len(sealed) > 100


async def test_a_revoked_grant_needs_reauthorization_and_recovers(client: Client, tenant: Tenant, nuki: NukiSandbox):
    account_id = (await nuki.connect())["connected_account_id"]
    devices_before = await nuki.devices()
    nuki.sim.revoke_credentials()
    synced = await client.post(f"/v1/connected_accounts/{account_id}/sync", headers=tenant.headers)
    assert synced.status_code == 202
    broken = await account_status(client, tenant, account_id, "needs_reauthorization")
    assert broken["errors"][0]["error_code"] == "account_reauthorization_required"
    assert "connected_account.needs_reauthorization" in await event_types(client, tenant)

    again = await nuki.connect()
    assert again["connected_account_id"] == account_id
    healed = await account_status(client, tenant, account_id, "active")
    assert healed["errors"] == []
    assert {name: device["id"] for name, device in (await nuki.devices()).items()} == {
        name: device["id"] for name, device in devices_before.items()
    }


async def test_an_expired_access_token_is_refreshed_and_the_new_refresh_token_kept(
    client: Client, tenant: Tenant, nuki: NukiSandbox
):
    account_id = (await nuki.connect())["connected_account_id"]
    for rounds in (1, 2):  # the second round only works if the rotated refresh token was saved
        nuki.sim.expire_tokens()
        answer = await client.post(f"/v1/connected_accounts/{account_id}/sync", headers=tenant.headers)
        assert answer.status_code == 202
        await until(lambda wanted=rounds: refreshes(nuki) >= wanted)
    await asyncio.sleep(0.1)
    account = (await client.get(f"/v1/connected_accounts/{account_id}", headers=tenant.headers)).json()
    assert account["status"] == "active"
    assert refreshes(nuki) == 2


async def test_deleting_an_account_removes_its_devices_and_keeps_history(
    client: Client, tenant: Tenant, nuki: NukiSandbox
):
    account_id = (await nuki.connect())["connected_account_id"]
    deleted = await client.delete(f"/v1/connected_accounts/{account_id}", headers=tenant.headers)
    assert deleted.status_code == 200 and deleted.json()["id"] == account_id
    assert await nuki.devices() == {}
    again = await client.get(f"/v1/connected_accounts/{account_id}", headers=tenant.headers)
    assert again.status_code == 404
    types = await event_types(client, tenant)
    assert "connected_account.disconnected" in types and "device.added" in types


async def test_managing_accounts_needs_admin(client: Client, tenant: Tenant, nuki: NukiSandbox):
    account_id = (await nuki.connect())["connected_account_id"]
    operator = {"Authorization": f"Bearer {await tenant.key(Scope.DEVICES_OPERATE)}"}
    assert (await client.post(f"/v1/connected_accounts/{account_id}/sync", headers=operator)).status_code == 403
    assert (await client.delete(f"/v1/connected_accounts/{account_id}", headers=operator)).status_code == 403
