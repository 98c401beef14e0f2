"""Cursor pagination: every item exactly once, in creation order, with filters, and robust to bad cursors."""

from __future__ import annotations

import uuid

import httpx
import pytest

from aggregator.http.errors import ApiError
from aggregator.http.pagination import PageRequest, decode_cursor, encode_cursor, keyset
from tests.factories import Tenant, insert_account, insert_devices

Client = httpx.AsyncClient


def test_cursor_round_trip_and_rejection():
    some_id = uuid.uuid4()
    assert decode_cursor(encode_cursor(some_id)) == some_id
    for bad in ("", "!!!", "AAAA", encode_cursor(some_id) + "A"):
        with pytest.raises(ApiError) as raised:
            decode_cursor(bad)
        assert raised.value.error.code == "invalid_cursor"


def test_keyset_appends_bound_order_and_limit():
    after = uuid.uuid4()
    tail, params = keyset({"workspace_id = ?": "w", "provider = ?": None}, PageRequest(after=after, limit=10))
    assert tail == "WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?"
    assert params == ["w", after, 11]


async def walk(client: Client, path: str, headers: dict[str, str], limit: int) -> list[list[dict]]:
    pages, cursor = [], None
    while True:
        separator = "&" if "?" in path else "?"
        url = f"{path}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        answer = await client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"data", "next_cursor"}
        pages.append(body["data"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


async def test_walking_device_pages_yields_each_device_once_in_order(client: Client, tenant: Tenant):
    account = await insert_account(tenant)
    ids = [str(device_id) for device_id in await insert_devices(tenant, account, 23)]
    pages = await walk(client, "/v1/devices", tenant.headers, 5)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert [device["id"] for page in pages for device in page] == ids


async def test_a_full_last_page_has_no_cursor(client: Client, tenant: Tenant):
    account = await insert_account(tenant)
    await insert_devices(tenant, account, 4)
    pages = await walk(client, "/v1/devices", tenant.headers, 2)
    assert [len(page) for page in pages] == [2, 2]
    assert (await client.get("/v1/devices?limit=500", headers=tenant.headers)).json()["next_cursor"] is None


async def test_device_filters(client: Client, tenant: Tenant):
    nuki = await insert_account(tenant, provider="nuki")
    ttlock = await insert_account(tenant, provider="ttlock")
    nuki_ids = {str(i) for i in await insert_devices(tenant, nuki, 3, provider="nuki")}
    ttlock_ids = {str(i) for i in await insert_devices(tenant, ttlock, 2, provider="ttlock")}

    async def ids(query: str) -> set[str]:
        answer = await client.get(f"/v1/devices?{query}", headers=tenant.headers)
        return {device["id"] for device in answer.json()["data"]}

    assert await ids("provider=nuki") == nuki_ids
    assert await ids(f"connected_account_id={ttlock}") == ttlock_ids
    assert await ids(f"provider=nuki&connected_account_id={ttlock}") == set()
    pages = await walk(client, "/v1/devices?provider=ttlock", tenant.headers, 1)
    assert {device["id"] for page in pages for device in page} == ttlock_ids


async def test_an_invalid_cursor_is_a_422(client: Client, tenant: Tenant):
    answer = await client.get("/v1/devices?cursor=not-a-cursor", headers=tenant.headers)
    assert answer.status_code == 422
    assert answer.json()["code"] == "invalid_cursor"


async def test_another_workspaces_cursor_reveals_nothing(client: Client, tenant: Tenant, other_tenant: Tenant):
    account = await insert_account(other_tenant)
    await insert_devices(other_tenant, account, 3)
    theirs = (await client.get("/v1/devices?limit=1", headers=other_tenant.headers)).json()["next_cursor"]
    ours = await client.get(f"/v1/devices?cursor={theirs}", headers=tenant.headers)
    assert ours.json() == {"data": [], "next_cursor": None}
