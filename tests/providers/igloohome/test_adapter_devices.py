"""Accounts, devices and events through the adapter: connecting tries the client credentials, the account is
known by its client id, locks are read with their bridges, and activity pages are read back to `since`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from providers.base import ProviderContext
from providers.errors import ProviderAuthError, ProviderRejected
from providers.igloohome.adapter import MAX_ACTIVITY_PAGES, IgloohomeProvider
from tests.providers.igloohome.client_support import (
    CONFIG,
    FRONT_DOOR,
    HOME_BRIDGE,
    NOW,
    MemoryStore,
    adapter,
    api,
    fixture,
    http_fixture,  # noqa: F401
    igloo_fixture,  # noqa: F401
    payload,
)


def both_pages(igloo) -> None:
    igloo.get(api("/devices"), params={"cursor": "page-2"}).respond(200, content=fixture("devices_page_2.json"))
    igloo.get(api("/devices")).respond(200, content=fixture("devices_page_1.json"))


async def test_connecting_tries_the_client_credentials_and_keeps_only_them(igloo, http):
    context = ProviderContext(http=http, config=CONFIG, credentials=MemoryStore({}))

    kept = await IgloohomeProvider.connect(context, {"client_id": " igloo-client ", "client_secret": "igloo-secret"})

    assert kept == {"client_id": "igloo-client", "client_secret": "igloo-secret"} and igloo["token"].called


async def test_wrong_client_credentials_do_not_connect(igloo, http):
    igloo["token"].respond(401, json={"error": "invalid_client"})
    context = ProviderContext(http=http, config=CONFIG, credentials=MemoryStore({}))

    with pytest.raises(ProviderAuthError):
        await IgloohomeProvider.connect(context, {"client_id": "igloo-client", "client_secret": "wrong"})


async def test_the_account_is_known_by_its_client_id_once_the_devices_answer(igloo, http):
    devices = igloo.get(api("/devices")).respond(200, content=fixture("devices_page_1.json"))

    identity = await adapter(http).identify()

    assert identity.provider_account_id == "igloo-client" and devices.call_count == 1


async def test_list_devices_reads_every_page_and_keeps_the_locks(igloo, http):
    both_pages(igloo)

    devices = await adapter(http).list_devices()

    assert [device.provider_device_id for device in devices] == [
        FRONT_DOOR,
        "OE1X777aaa22",
        "OE1X999ccc33",
        "SP2X24ec23e1",
    ]


async def test_one_lock_is_read_with_its_bridge(igloo, http):
    igloo.get(api(f"/devices/{FRONT_DOOR}")).respond(200, json=payload("devices_page_1.json")["payload"][0])
    both_pages(igloo)

    device = await adapter(http).get_device(FRONT_DOOR)

    assert device.metadata["bridge_id"] == HOME_BRIDGE and device.properties.online is True


@pytest.mark.parametrize(("status", "body"), [(404, {"message": "Device not found"}), (200, None)])
async def test_an_unknown_device_or_a_bridge_is_not_found(igloo, http, status, body):
    bridge = payload("devices_page_1.json")["payload"][1]
    igloo.get(api(f"/devices/{HOME_BRIDGE}")).respond(status, json=body or bridge)

    with pytest.raises(ProviderRejected) as refused:
        await adapter(http).get_device(HOME_BRIDGE)
    assert refused.value.code == "device_not_found"


def rows(start: datetime, count: int, step: timedelta = timedelta(minutes=-1)) -> list[dict]:
    """`count` thumbturn unlocks, newest first from `start`."""
    moments = [start + step * index for index in range(count)]
    return [
        {"logType": 52, "entryDate": int(moment.timestamp() * 1000), "operationId": 1000 - index}
        for index, moment in enumerate(moments)
    ]


async def test_events_are_read_back_to_since_and_come_oldest_first(igloo, http):
    igloo.get(api("/devices")).respond(
        200, json={"nextCursor": "", "payload": payload("devices_page_1.json")["payload"]}
    )
    since = NOW - timedelta(minutes=70)
    first, second = rows(NOW, 50), rows(NOW - timedelta(minutes=50), 50)
    activity = igloo.get(api(f"/devices/{FRONT_DOOR}/activity"))
    activity.side_effect = [
        httpx.Response(200, json={"nextCursor": "2", "payload": first}),
        httpx.Response(200, json={"nextCursor": "3", "payload": second}),
    ]

    events = await adapter(http).fetch_events(since)

    assert activity.call_count == 2 and len(events) == 71
    assert events[0].occurred_at == since and events[-1].occurred_at == NOW
    assert [event.occurred_at for event in events] == sorted(event.occurred_at for event in events)


async def test_pages_in_another_order_are_read_to_the_end(igloo, http):
    igloo.get(api("/devices")).respond(
        200, json={"nextCursor": "", "payload": payload("devices_page_1.json")["payload"]}
    )
    oldest_first = rows(datetime(2025, 1, 1, tzinfo=UTC), 50, step=timedelta(minutes=1))
    activity = igloo.get(api(f"/devices/{FRONT_DOOR}/activity"))
    activity.side_effect = [
        httpx.Response(200, json={"nextCursor": "2", "payload": oldest_first}),
        httpx.Response(200, json={"nextCursor": "", "payload": rows(NOW, 1)}),
    ]

    events = await adapter(http).fetch_events(NOW - timedelta(hours=1))

    assert activity.call_count == 2 and [event.occurred_at for event in events] == [NOW]


async def test_reading_stops_after_the_most_pages(igloo, http):
    igloo.get(api("/devices")).respond(
        200, json={"nextCursor": "", "payload": payload("devices_page_1.json")["payload"]}
    )
    activity = igloo.get(api(f"/devices/{FRONT_DOOR}/activity")).respond(
        200, json={"nextCursor": "more", "payload": rows(NOW, 2)}
    )

    await adapter(http).fetch_events(NOW - timedelta(days=1))

    assert activity.call_count == MAX_ACTIVITY_PAGES
