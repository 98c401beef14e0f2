"""`PATCH /v1/devices/{id}`: the gateway's own name and time zone win over the vendor's, and survive syncs."""

from __future__ import annotations

import httpx
import pytest

from schemas import Scope
from tests.factories import Tenant, bearer
from tests.sandbox import NukiSandbox, lock_id, until

pytestmark = pytest.mark.sandbox
Client = httpx.AsyncClient


async def test_rename_and_set_a_time_zone(client: Client, tenant: Tenant, nuki: NukiSandbox):
    await nuki.connect()
    door = (await nuki.devices())["Front door"]
    assert door["timezone"] is None and door["warnings"][0]["error_code"] == "time_zone_unknown"
    answer = await client.patch(
        f"/v1/devices/{door['id']}",
        json={"name": "Flat 3 entrance", "timezone": "Europe/Berlin"},
        headers=tenant.headers,
    )
    assert answer.status_code == 200, answer.text
    changed = answer.json()
    assert (changed["name"], changed["timezone"], changed["warnings"]) == ("Flat 3 entrance", "Europe/Berlin", [])
    assert changed["provider_metadata"]["vendor_name"] == "Front door"
    assert (await client.get(f"/v1/devices/{door['id']}", headers=tenant.headers)).json() == changed


async def test_overrides_survive_a_sync_and_null_gives_the_vendors_back(
    client: Client, tenant: Tenant, nuki: NukiSandbox
):
    account_id = (await nuki.connect())["connected_account_id"]
    door = (await nuki.devices())["Front door"]
    await client.patch(f"/v1/devices/{door['id']}", json={"name": "Flat 3"}, headers=tenant.headers)
    nuki.sim.locks[lock_id(nuki.sim, "Front door")].name = "Haustür"
    await client.post(f"/v1/connected_accounts/{account_id}/sync", headers=tenant.headers)

    async def vendor_name() -> bool:
        return (await nuki.devices())["Flat 3"]["provider_metadata"]["vendor_name"] == "Haustür"

    await until(vendor_name)
    back = await client.patch(f"/v1/devices/{door['id']}", json={"name": None}, headers=tenant.headers)
    assert back.json()["name"] == "Haustür"


async def test_bad_updates_are_refused(client: Client, tenant: Tenant, other_tenant: Tenant, nuki: NukiSandbox):
    await nuki.connect()
    door = (await nuki.devices())["Front door"]
    url = f"/v1/devices/{door['id']}"
    zone = await client.patch(url, json={"timezone": "Mars/Olympus"}, headers=tenant.headers)
    assert zone.status_code == 422 and zone.json()["errors"] == [
        {"field": "timezone", "message": "'Mars/Olympus' is not an IANA time zone name (such as Europe/Berlin)."}
    ]
    empty_name = await client.patch(url, json={"name": ""}, headers=tenant.headers)
    assert empty_name.status_code == 422
    unknown_field = await client.patch(url, json={"colour": "red"}, headers=tenant.headers)
    assert unknown_field.status_code == 422
    reader = await client.patch(url, json={"name": "x"}, headers=bearer(await tenant.key(Scope.DEVICES_READ)))
    assert reader.status_code == 403
    foreign = await client.patch(url, json={"name": "x"}, headers=other_tenant.headers)
    assert foreign.status_code == 404
    assert (await client.get(url, headers=tenant.headers)).json()["name"] == "Front door"


async def test_a_rename_is_audited(client: Client, tenant: Tenant, nuki: NukiSandbox):
    await nuki.connect()
    door = (await nuki.devices())["Cellar"]
    await client.patch(f"/v1/devices/{door['id']}", json={"name": "Wine cellar"}, headers=tenant.headers)
    entries = (await client.get("/v1/audit_entries", headers=tenant.headers)).json()["data"]
    [entry] = [entry for entry in entries if entry["action"] == "device.updated"]
    assert entry["before"]["name"] == "Cellar" and entry["after"]["name"] == "Wine cellar"
