"""A code's life on a sandbox lock through the API: `setting` -> `set`, changed, deleted (`removing` -> gone), ended
at its window's end, loaded ahead of its start (native windows) or deferred, each step announced by an event."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.factories import Tenant
from tests.sandbox import NukiSandbox, code_status, lock_codes, lock_id, until

pytestmark = pytest.mark.sandbox
Client = httpx.AsyncClient


def later(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


async def door(nuki: NukiSandbox, name: str = "Front door") -> dict[str, Any]:
    await nuki.connect()
    return (await nuki.devices())[name]


async def make(client: Client, tenant: Tenant, **body: Any) -> dict[str, Any]:
    for name in ("starts_at", "ends_at"):
        if isinstance(body.get(name), datetime):
            body[name] = body[name].isoformat()
    answer = await client.post("/v1/access_codes", json=body, headers=tenant.headers)
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


async def events_of(client: Client, tenant: Tenant, code_id: str) -> list[str]:
    events = (await client.get("/v1/events?limit=500", headers=tenant.headers)).json()["data"]
    return [event["type"] for event in events if event["access_code_id"] == code_id]


async def reaches(client: Client, tenant: Tenant, code_id: str, status: str | None) -> None:
    async def there() -> bool:
        return await code_status(client, tenant.headers, code_id) == status

    await until(there)


async def test_a_code_goes_setting_then_set_and_is_on_the_lock(client: Client, tenant: Tenant, nuki: NukiSandbox):
    front = await door(nuki)
    end = later(days=2)
    code = await make(client, tenant, device_id=front["id"], name="Guest Smith", code="345678", ends_at=end)
    assert code["status"] == "setting"
    await reaches(client, tenant, code["id"], "set")
    assert lock_codes(nuki.sim, "Front door") == {"345678": "Guest Smith"}
    [auth] = [auth for auth in nuki.sim.auths.values() if auth.code == 345678]
    assert datetime.fromisoformat(auth.window["allowedUntilDate"].replace("Z", "+00:00")) == end.replace(microsecond=0)
    assert await events_of(client, tenant, code["id"]) == ["access_code.created", "access_code.set_on_device"]
    assert nuki.sim.keypad_entry(lock_id(nuki.sim, "Front door"), "345678") is True


async def test_a_change_reaches_the_lock(client: Client, tenant: Tenant, nuki: NukiSandbox):
    front = await door(nuki)
    code = await make(client, tenant, device_id=front["id"], name="Guest Smith", code="345678")
    await reaches(client, tenant, code["id"], "set")
    changed = await client.patch(
        f"/v1/access_codes/{code['id']}", json={"name": "Guest Jones", "code": "456789"}, headers=tenant.headers
    )
    assert changed.status_code == 200 and changed.json()["code"] == "456789"

    await until(lambda: lock_codes(nuki.sim, "Front door") == {"456789": "Guest Jones"})
    await reaches(client, tenant, code["id"], "set")
    assert "access_code.changed" in await events_of(client, tenant, code["id"])
    bad = await client.patch(f"/v1/access_codes/{code['id']}", json={"code": "120000"}, headers=tenant.headers)
    assert bad.status_code == 422 and bad.json()["code"] == "code_constraint_violated"


async def test_a_deleted_code_is_removing_until_the_lock_lost_it_then_gone(
    client: Client, tenant: Tenant, nuki: NukiSandbox
):
    front = await door(nuki)
    code = await make(client, tenant, device_id=front["id"], code="345678")
    await reaches(client, tenant, code["id"], "set")
    deleted = await client.delete(f"/v1/access_codes/{code['id']}", headers=tenant.headers)
    assert deleted.status_code == 202 and deleted.json()["status"] == "removing"
    await reaches(client, tenant, code["id"], None)
    assert lock_codes(nuki.sim, "Front door") == {}
    assert (await events_of(client, tenant, code["id"]))[-2:] == [
        "access_code.deleted",
        "access_code.removed_from_device",
    ]
    assert nuki.sim.keypad_entry(lock_id(nuki.sim, "Front door"), "345678") is False


async def test_a_code_leaves_the_lock_at_its_window_end(client: Client, tenant: Tenant, nuki: NukiSandbox):
    front = await door(nuki)
    code = await make(client, tenant, device_id=front["id"], code="345678", ends_at=later(seconds=1.5))
    await reaches(client, tenant, code["id"], "set")
    await reaches(client, tenant, code["id"], "unset")
    assert lock_codes(nuki.sim, "Front door") == {}
    assert (await events_of(client, tenant, code["id"]))[-1] == "access_code.removed_from_device"
    assert (await client.get(f"/v1/access_codes/{code['id']}", headers=tenant.headers)).json()[
        "pending_mutations"
    ] == []


async def test_a_code_starting_within_the_preload_is_scheduled_on_the_lock(
    client: Client, tenant: Tenant, nuki: NukiSandbox
):
    front = await door(nuki)
    start = later(hours=10)
    code = await make(client, tenant, device_id=front["id"], code="345678", starts_at=start, ends_at=later(hours=20))

    async def scheduled() -> bool:
        body = (await client.get(f"/v1/access_codes/{code['id']}", headers=tenant.headers)).json()
        return bool(body["is_scheduled_on_device"])

    await until(scheduled)
    assert (await code_status(client, tenant.headers, code["id"])) == "unset"
    assert "345678" in lock_codes(nuki.sim, "Front door")
    assert nuki.sim.keypad_entry(lock_id(nuki.sim, "Front door"), "345678") is False  # the lock keeps the window
    assert "access_code.scheduled_on_device" in await events_of(client, tenant, code["id"])


async def test_a_code_far_ahead_is_deferred_off_the_lock(client: Client, tenant: Tenant, nuki: NukiSandbox):
    front = await door(nuki)
    start = later(hours=100)
    code = await make(client, tenant, device_id=front["id"], code="345678", starts_at=start, ends_at=later(hours=120))
    assert code["status"] == "unset"
    [deferred] = code["pending_mutations"]
    assert deferred["mutation_code"] == "deferring_creation"
    assert datetime.fromisoformat(deferred["scheduled_at"]) == start - timedelta(hours=72)
    await client.post(f"/v1/devices/{front['id']}/reconcile", headers=tenant.headers)
    drift = (await client.get(f"/v1/devices/{front['id']}/drift?refresh=true", headers=tenant.headers)).json()
    assert drift["in_sync"] is True and lock_codes(nuki.sim, "Front door") == {}


async def test_an_offline_lock_is_looked_at_less_and_less_often(
    client: Client, tenant: Tenant, nuki: NukiSandbox, monkeypatch: pytest.MonkeyPatch
):
    """Nuki holds the code until the lock is back: the gateway looks again, each time after about half of how long
    it has waited so far (never sooner than `FIRST_LOOK`), instead of reading an offline lock every few seconds.
    """
    from aggregator.reconcile import tasks

    monkeypatch.setattr(tasks, "FIRST_LOOK", timedelta(milliseconds=20))
    delays: list[float] = []
    schedule = tasks.reconcile_at

    async def noted(jobs: Any, device: Any, at: datetime) -> None:
        delays.append((at - datetime.now(UTC)).total_seconds())
        await schedule(jobs, device, at)

    monkeypatch.setattr(tasks, "reconcile_at", noted)
    garden = await door(nuki, "Garden gate")
    made = await make(client, tenant, device_id=garden["id"], name="Gardener", code="345678")
    await until(lambda: len(delays) >= 4)

    assert delays[0] < 0.1
    assert all(later >= earlier - 0.01 for earlier, later in itertools.pairwise(delays)), delays
    assert delays[3] > 10 * delays[0], delays
    assert (await client.get(f"/v1/access_codes/{made['id']}", headers=tenant.headers)).json()["status"] == "setting"
