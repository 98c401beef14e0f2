"""`/v1/devices`: stored device documents served as they are, never across workspaces."""

from __future__ import annotations

import hashlib

import httpx
import msgspec

from aggregator.db import Database
from aggregator.devices import repository
from schemas import Device
from tests.factories import Tenant, insert_account, insert_devices

Client = httpx.AsyncClient


async def test_get_device_answers_its_document(client: Client, tenant: Tenant, db: Database):
    account = await insert_account(tenant)
    [device_id] = await insert_devices(tenant, account, 1)
    answer = await client.get(f"/v1/devices/{device_id}", headers=tenant.headers)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    device = msgspec.json.decode(answer.content, type=Device)
    assert device.id == device_id
    assert device.connected_account_id == account
    assert device.properties.locked is True
    assert device.capabilities.can_remotely_unlock is True
    assert device.code_constraints.rules == ["no_zeros"]
    body = answer.json()
    assert body["created_at"].endswith("Z")
    assert set(body) == set(Device.__struct_fields__)


async def test_devices_of_another_workspace_are_not_found(client: Client, tenant: Tenant, other_tenant: Tenant):
    account = await insert_account(other_tenant)
    [theirs] = await insert_devices(other_tenant, account, 1)
    answer = await client.get(f"/v1/devices/{theirs}", headers=tenant.headers)
    assert answer.status_code == 404
    assert answer.json()["code"] == "device_not_found"
    assert (await client.get("/v1/devices", headers=tenant.headers)).json()["data"] == []
    assert (await client.get(f"/v1/devices/{theirs}", headers=other_tenant.headers)).status_code == 200


async def test_save_device_replaces_the_document(client: Client, tenant: Tenant, db: Database):
    account = await insert_account(tenant)
    [device_id] = await insert_devices(tenant, account, 1)
    device = await repository.get_device(db, tenant.workspace.id, device_id)
    assert device is not None
    renamed = msgspec.structs.replace(device, name="Back door")
    await repository.save_device(db, renamed, workspace_id=tenant.workspace.id)
    answer = await client.get(f"/v1/devices/{device_id}", headers=tenant.headers)
    assert answer.json()["name"] == "Back door"
    assert len((await client.get("/v1/devices", headers=tenant.headers)).json()["data"]) == 1


async def test_a_document_from_an_older_schema_is_re_rendered(client: Client, tenant: Tenant, db: Database):
    account = await insert_account(tenant)
    [device_id] = await insert_devices(tenant, account, 1)
    stored = await repository.get_document(db, tenant.workspace.id, device_id)
    old = msgspec.json.decode(stored)
    del old["warnings"], old["errors"]  # as a version without these fields wrote it
    await db.execute(
        "UPDATE devices SET document = ?, document_version = ? WHERE id = ?",
        msgspec.json.encode(old),
        repository.DOCUMENT_VERSION - 1,
        device_id,
    )
    answer = await client.get(f"/v1/devices/{device_id}", headers=tenant.headers)
    assert answer.status_code == 200
    assert answer.json()["errors"] == []
    assert answer.json()["warnings"] == []
    listed = (await client.get("/v1/devices", headers=tenant.headers)).json()["data"]
    assert listed[0]["errors"] == []


def test_document_version_follows_the_device_schema():
    """Changing `schemas.Device` needs DOCUMENT_VERSION bumped (and new fields with defaults); update both pins."""
    schema = msgspec.json.encode(msgspec.json.schema(Device), order="sorted")
    assert (repository.DOCUMENT_VERSION, hashlib.sha256(schema).hexdigest()[:16]) == (3, SCHEMA_PIN)


SCHEMA_PIN = "6dd52206a8c750a9"


async def test_documents_are_stored_in_utc(client: Client, tenant: Tenant, db: Database):
    from datetime import datetime, timedelta, timezone

    account = await insert_account(tenant)
    [device_id] = await insert_devices(tenant, account, 1)
    device = await repository.get_device(db, tenant.workspace.id, device_id)
    berlin = timezone(timedelta(hours=2))
    local = msgspec.structs.replace(device, created_at=datetime(2026, 5, 1, 14, 0, tzinfo=berlin))
    await repository.save_device(db, local, workspace_id=tenant.workspace.id)
    answer = (await client.get(f"/v1/devices/{device_id}", headers=tenant.headers)).json()
    assert answer["created_at"] == "2026-05-01T12:00:00Z"
