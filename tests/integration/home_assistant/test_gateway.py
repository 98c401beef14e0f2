"""The gateway on a real Home Assistant 2024.3.3, through its REST API alone: connect the instance (a bad token, an
unreachable or malformed URL are clear 400s), list its locks, unlock the front door and see Home Assistant's own
state change, lock the door that jams and see the attempt fail with a clear error; PIN codes are refused up front
(this Home Assistant has no Matter lock actions).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.factories import Tenant
from tests.integration.home_assistant.hass_server import HomeAssistant

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database_target", ["sqlite"], indirect=True)]


async def connect(client: httpx.AsyncClient, tenant: Tenant, **credentials: str) -> httpx.Response:
    body = {"provider": "home_assistant", "credentials": credentials}
    return await client.post("/v1/connected_accounts", json=body, headers=tenant.headers)


async def outcome(client: httpx.AsyncClient, tenant: Tenant, attempt: httpx.Response) -> dict[str, Any]:
    assert attempt.status_code == 202, attempt.text
    async with asyncio.timeout(30):
        while True:
            answer = await client.get(f"/v1/action_attempts/{attempt.json()['id']}", headers=tenant.headers)
            if answer.json()["status"] != "pending":
                found: dict[str, Any] = answer.json()
                return found
            await asyncio.sleep(0.1)


async def test_connect_list_unlock_and_a_jam_on_a_real_home_assistant(
    client: httpx.AsyncClient, tenant: Tenant, real_home_assistant: HomeAssistant
) -> None:
    real = real_home_assistant
    for credentials, code in (
        ({"base_url": real.url, "access_token": "not-a-token"}, "provider_auth_failed"),
        ({"base_url": "http://127.0.0.1:9", "access_token": real.token}, "provider_unreachable"),
        ({"base_url": "ftp://example.com", "access_token": real.token}, "invalid_base_url"),
    ):
        refused = await connect(client, tenant, **credentials)
        assert (refused.status_code, refused.json()["code"]) == (400, code), refused.text
    connected = await connect(client, tenant, base_url=real.url + "/", access_token=real.token)
    assert connected.status_code == 201, connected.text
    assert connected.json()["display_name"] == "Aggregator Test"

    answer = await client.get("/v1/devices", params={"provider": "home_assistant"}, headers=tenant.headers)
    doors = {device["name"]: device for device in answer.json()["data"]}
    assert set(doors) == {"Front Door", "Kitchen Door", "Poorly Installed Door", "Openable Lock"}
    front = doors["Front Door"]
    assert front["timezone"] == "Europe/Berlin" and front["capabilities"]["can_remotely_unlock"]

    await real_call(real, "lock", "lock.front_door")
    unlocked = await outcome(
        client, tenant, await client.post(f"/v1/devices/{front['id']}/unlock", headers=tenant.headers)
    )
    assert (unlocked["status"], unlocked["was_confirmed_by_device"]) == ("success", True)
    assert (await real_state(real, "lock.front_door"))["state"] == "unlocked"

    jamming = doors["Poorly Installed Door"]["id"]
    jammed = await outcome(client, tenant, await client.post(f"/v1/devices/{jamming}/lock", headers=tenant.headers))
    assert jammed["status"] == "error" and jammed["error"]["type"] == "device_jammed", jammed
    assert (await real_state(real, "lock.poorly_installed_door"))["state"] == "jammed"

    code = {"device_id": front["id"], "name": "Guest", "code": "4821"}
    refused = await client.post("/v1/access_codes", json=code, headers=tenant.headers)
    assert refused.status_code == 422 and refused.json()["code"] == "capability_not_supported"


async def real_state(real: HomeAssistant, entity_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        answer = await http.get(f"{real.url}/api/states/{entity_id}", headers={"Authorization": f"Bearer {real.token}"})
        found: dict[str, Any] = answer.json()
        return found


async def real_call(real: HomeAssistant, service: str, entity_id: str) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        headers = {"Authorization": f"Bearer {real.token}"}
        answer = await http.post(
            f"{real.url}/api/services/lock/{service}", json={"entity_id": entity_id}, headers=headers
        )
        answer.raise_for_status()
