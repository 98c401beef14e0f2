"""`/v1/events`: filters by device, type and time; another workspace's events stay invisible."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.factories import Tenant, insert_account, insert_devices, insert_event

Client = httpx.AsyncClient
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


async def test_event_filters(client: Client, tenant: Tenant):
    account = await insert_account(tenant)
    front, back = await insert_devices(tenant, account, 2)
    early = await insert_event(tenant, front, occurred_at=T0, type="lock.locked", method="manual")
    middle = await insert_event(tenant, back, occurred_at=T0 + timedelta(hours=1))
    late = await insert_event(tenant, front, occurred_at=T0 + timedelta(hours=2), type="lock.access_denied")

    async def ids(query: str) -> list[str]:
        answer = await client.get(f"/v1/events?{query}", headers=tenant.headers)
        assert answer.status_code == 200, answer.text
        return [event["id"] for event in answer.json()["data"]]

    assert await ids("") == [str(early), str(middle), str(late)]
    assert await ids(f"device_id={front}") == [str(early), str(late)]
    assert await ids("type=lock.unlocked") == [str(middle)]
    assert await ids("since=2026-05-01T13:00:00Z") == [str(middle), str(late)]
    assert await ids("until=2026-05-01T13:00:00Z") == [str(early)]
    assert await ids("since=2026-05-01T14:30:00%2B02:00&until=2026-05-01T14:00:00Z") == [str(middle)]
    assert await ids(f"device_id={front}&type=lock.locked") == [str(early)]


async def test_get_event_and_its_fields(client: Client, tenant: Tenant):
    account = await insert_account(tenant)
    [device] = await insert_devices(tenant, account, 1)
    event_id = await insert_event(tenant, device, occurred_at=T0)
    event = (await client.get(f"/v1/events/{event_id}", headers=tenant.headers)).json()
    assert event["type"] == "lock.unlocked"
    assert event["occurred_at"] == "2026-05-01T12:00:00Z"
    assert event["device_id"] == str(device)
    assert event["method"] == "keycode"
    assert event["source"] == "device"
    assert event["was_confirmed_by_device"] is True
    assert event["data"] == {"code_name": "guest"}


async def test_until_before_since_is_refused(client: Client, tenant: Tenant):
    answer = await client.get(
        "/v1/events?since=2026-05-02T00:00:00Z&until=2026-05-01T00:00:00Z", headers=tenant.headers
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "until"


async def test_events_of_another_workspace_are_invisible(client: Client, tenant: Tenant, other_tenant: Tenant):
    theirs = await insert_event(other_tenant, None, type="device.connected", source="gateway")
    assert (await client.get(f"/v1/events/{theirs}", headers=tenant.headers)).status_code == 404
    assert (await client.get("/v1/events", headers=tenant.headers)).json()["data"] == []
    assert (await client.get(f"/v1/events/{theirs}", headers=other_tenant.headers)).status_code == 200
