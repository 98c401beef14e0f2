"""`/v1/connect_sessions`: an OAuth login at the simulated Nuki, from the consent link to the connected account."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from aggregator.db import Database
from providers.nuki.adapter import NukiProvider
from schemas import Scope
from tests.factories import Tenant
from tests.sandbox import NukiSandbox

pytestmark = pytest.mark.sandbox
Client = httpx.AsyncClient


async def start(client: Client, tenant: Tenant, **body: str) -> dict[str, str]:
    answer = await client.post("/v1/connect_sessions", json={"provider": "nuki", **body}, headers=tenant.headers)
    assert answer.status_code == 201, answer.text
    session: dict[str, str] = answer.json()
    return session


async def test_the_oauth_flow_connects_the_account_and_its_locks(client: Client, tenant: Tenant, nuki: NukiSandbox):
    session = await start(client, tenant)
    assert session["status"] == "pending"
    assert session["url"].startswith("http://testserver/sandbox/nuki/oauth/authorize?")
    page = await client.get(session["url"])
    assert page.status_code == 200 and 'name="password"' in page.text

    done = await nuki.connect()
    assert done["status"] == "authorized" and done["url"] is None and done["error"] is None
    account = (
        await client.get(f"/v1/connected_accounts/{done['connected_account_id']}", headers=tenant.headers)
    ).json()
    assert account["provider"] == "nuki" and account["status"] == "active"
    assert account["display_name"] == "host@example.com"
    assert set(await nuki.devices()) == {"Front door", "Cellar", "Garden gate", "Back door"}


async def test_signing_in_with_the_password_form_works_too(client: Client, tenant: Tenant, nuki: NukiSandbox):
    session = await start(client, tenant)
    form = {"email": "host@example.com", "password": "sandbox", "login": "1"}
    consent = await client.post(session["url"], data=form)
    assert consent.status_code == 302
    back = await client.get(consent.headers["location"])
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "authorized"


@pytest.mark.redirect_origins("https://app.example")
async def test_the_callback_redirects_to_the_sessions_redirect_url(client: Client, tenant: Tenant, nuki: NukiSandbox):
    session = await start(client, tenant, redirect_url="https://app.example/done?from=gateway")
    consent = await client.post(session["url"], data={"sandbox_approve": "1"})
    back = await client.get(consent.headers["location"])
    assert back.status_code == 303
    target = urlsplit(back.headers["location"])
    assert (target.netloc, target.path) == ("app.example", "/done")
    assert parse_qs(target.query) == {
        "from": ["gateway"],
        "connect_session_id": [session["id"]],
        "status": ["authorized"],
    }


async def test_a_replayed_state_is_refused(client: Client, tenant: Tenant, nuki: NukiSandbox):
    session = await start(client, tenant)
    consent = await client.post(session["url"], data={"sandbox_approve": "1"})
    first = await client.get(consent.headers["location"])
    assert first.status_code == 200
    replay = await client.get(consent.headers["location"])
    assert replay.status_code == 400
    assert replay.json()["code"] == "invalid_connect_state"
    forged = await client.get("/v1/connect_sessions/callback", params={"code": "x", "state": "never-issued"})
    assert forged.json()["code"] == "invalid_connect_state"
    bare = await client.get("/v1/connect_sessions/callback")
    assert bare.status_code == 400 and bare.json()["code"] == "invalid_connect_state"


async def test_denied_consent_fails_the_session_clearly(client: Client, tenant: Tenant, nuki: NukiSandbox):
    session = await start(client, tenant)
    consent = await client.post(session["url"], data={"deny": "1"})
    back = await client.get(consent.headers["location"])
    assert back.status_code == 400
    assert back.json()["code"] == "provider_auth_failed"
    assert "access_denied" in back.json()["detail"]
    failed = (await client.get(f"/v1/connect_sessions/{session['id']}", headers=tenant.headers)).json()
    assert failed["status"] == "failed" and failed["connected_account_id"] is None
    assert failed["error"]["code"] == "provider_auth_failed"
    accounts = (await client.get("/v1/connected_accounts", headers=tenant.headers)).json()
    assert accounts["data"] == []


async def test_a_code_the_vendor_refuses_fails_the_session(client: Client, tenant: Tenant, nuki: NukiSandbox):
    session = await start(client, tenant)
    state = parse_qs(urlsplit(session["url"]).query)["state"][0]
    back = await client.get("/v1/connect_sessions/callback", params={"code": "forged", "state": state})
    assert back.status_code == 400
    assert back.json()["code"] == "provider_auth_failed"
    failed = (await client.get(f"/v1/connect_sessions/{session['id']}", headers=tenant.headers)).json()
    assert failed["status"] == "failed"


async def test_sessions_belong_to_their_workspace(client: Client, tenant: Tenant, other_tenant: Tenant):
    session = await start(client, tenant)
    theirs = await client.get(f"/v1/connect_sessions/{session['id']}", headers=other_tenant.headers)
    assert theirs.status_code == 404 and theirs.json()["code"] == "connect_session_not_found"


async def test_bad_requests_are_clear(client: Client, tenant: Tenant):
    unknown = await client.post("/v1/connect_sessions", json={"provider": "acme-locks"}, headers=tenant.headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "provider"
    relative = await client.post(
        "/v1/connect_sessions", json={"provider": "nuki", "redirect_url": "/done"}, headers=tenant.headers
    )
    assert relative.status_code == 422
    elsewhere = await client.post(
        "/v1/connect_sessions",
        json={"provider": "nuki", "redirect_url": "https://evil.example/phish"},
        headers=tenant.headers,
    )
    assert elsewhere.status_code == 422 and elsewhere.json()["errors"][0]["field"] == "redirect_url"
    assert "AGGREGATOR_REDIRECT_ORIGINS" in elsewhere.json()["detail"]
    reader = await tenant.key(Scope.DEVICES_OPERATE)
    forbidden = await client.post(
        "/v1/connect_sessions", json={"provider": "nuki"}, headers={"Authorization": f"Bearer {reader}"}
    )
    assert forbidden.status_code == 403


async def test_creating_a_session_is_audited(client: Client, tenant: Tenant, nuki: NukiSandbox):
    await nuki.connect()
    entries = (await client.get("/v1/audit_entries", headers=tenant.headers)).json()["data"]
    actions = {entry["action"] for entry in entries}
    assert {"connect_session.created", "connected_account.created"} <= actions


async def test_an_expired_session_cannot_finish(client: Client, tenant: Tenant, nuki: NukiSandbox, db: Database):
    session = await start(client, tenant)
    consent = await client.post(session["url"], data={"sandbox_approve": "1"})
    long_ago = nuki.sim.clock() - timedelta(hours=1)
    await db.execute("UPDATE connect_sessions SET expires_at = ? WHERE id = ?", long_ago, uuid.UUID(session["id"]))
    back = await client.get(consent.headers["location"])
    assert back.status_code == 400 and back.json()["code"] == "connect_session_expired"
    failed = (await client.get(f"/v1/connect_sessions/{session['id']}", headers=tenant.headers)).json()
    assert failed["status"] == "failed" and failed["error"]["code"] == "connect_session_expired"


async def test_an_unexpected_failure_still_ends_the_session(
    client: Client, tenant: Tenant, nuki: NukiSandbox, monkeypatch: pytest.MonkeyPatch
):
    async def broken(*_: object, **__: object) -> dict[str, str]:
        raise RuntimeError("the token answer could not be read")

    monkeypatch.setattr(NukiProvider, "exchange_code", broken)
    session = await start(client, tenant)
    consent = await client.post(session["url"], data={"sandbox_approve": "1"})
    back = await client.get(consent.headers["location"])
    assert back.status_code == 500 and back.json()["code"] == "internal_error"
    ended = (await client.get(f"/v1/connect_sessions/{session['id']}", headers=tenant.headers)).json()
    assert ended["status"] == "failed" and ended["error"]["code"] == "internal_error"


async def test_two_logins_of_one_vendor_account_at_once_make_one_account(
    client: Client, tenant: Tenant, nuki: NukiSandbox
):
    sessions = [await start(client, tenant) for _ in range(2)]
    consents = [await client.post(session["url"], data={"sandbox_approve": "1"}) for session in sessions]
    backs = await asyncio.gather(*(client.get(consent.headers["location"]) for consent in consents))
    assert [back.status_code for back in backs] == [200, 200]
    assert backs[0].json()["connected_account_id"] == backs[1].json()["connected_account_id"]
    accounts = (await client.get("/v1/connected_accounts", headers=tenant.headers)).json()["data"]
    assert len(accounts) == 1 and accounts[0]["status"] == "active"
    assert len(await nuki.devices()) == 4
