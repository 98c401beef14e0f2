"""Activity at a device comes back from `fetch_events(since)`: attributed to the device, with a stable vendor
identity to deduplicate by, an aware time at or after `since`, oldest first.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from contract_tests.support import ONLINE_ROLES, on_the_wire, role_id
from providers.base import Provider
from providers.testing import ProviderUnderTest
from schemas.providers import ProviderEvent

MANY = 120


def of_device(events: list[ProviderEvent], device_id: str) -> list[ProviderEvent]:
    return [event for event in events if event.provider_device_id == device_id]


@pytest.mark.parametrize("role", ONLINE_ROLES)
async def test_activity_at_a_device_becomes_its_events(put: ProviderUnderTest, adapter: Provider, role: str) -> None:
    device_id = role_id(put, role)
    since = put.context.clock() - timedelta(seconds=1)
    assert of_device(await adapter.fetch_events(since), device_id) == []
    await put.simulator.cause_activity(device_id)
    events = await adapter.fetch_events(since)
    assert of_device(events, device_id) != [], f"no event of {device_id} in {events}"
    assert all(on_the_wire(event, ProviderEvent) == event for event in events)
    assert all(event.occurred_at >= since for event in events)
    assert [event.occurred_at for event in events] == sorted(event.occurred_at for event in events)


async def test_events_keep_their_identity_and_respect_since(put: ProviderUnderTest, adapter: Provider) -> None:
    since = put.context.clock() - timedelta(seconds=1)
    for role in ONLINE_ROLES:
        if role in put.devices:
            await put.simulator.cause_activity(put.devices[role])
    first, again = await adapter.fetch_events(since), await adapter.fetch_events(since)
    ids = [event.provider_event_id for event in first]
    assert ids and len(ids) == len(set(ids)) and all(event_id.strip() for event_id in ids)
    assert [event.provider_event_id for event in again] == ids
    later = max(event.occurred_at for event in first) + timedelta(seconds=1)
    assert {event.provider_event_id for event in await adapter.fetch_events(later)} & set(ids) == set()


async def test_every_event_since_comes_back_however_many(put: ProviderUnderTest, adapter: Provider) -> None:
    """More activity than one vendor page holds (most vendors page by 50 or 100)."""
    device_id = next(put.devices[role] for role in ONLINE_ROLES if role in put.devices)
    since = put.context.clock() - timedelta(seconds=1)
    for _ in range(MANY):
        await put.simulator.cause_activity(device_id)
    events = of_device(await adapter.fetch_events(since), device_id)
    assert len({event.provider_event_id for event in events}) == len(events) >= MANY
