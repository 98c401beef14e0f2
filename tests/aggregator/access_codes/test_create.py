"""`POST /v1/access_codes`: everything that can be checked is checked before anything is stored or sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from providers import code_rules
from schemas import CodeConstraints, Scope
from tests.factories import Tenant, bearer
from tests.sandbox import NukiSandbox

pytestmark = pytest.mark.sandbox
Client = httpx.AsyncClient
Doors = dict[str, dict[str, Any]]


def soon(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


async def create(client: Client, tenant: Tenant, **body: Any) -> httpx.Response:
    return await client.post("/v1/access_codes", json=body, headers=tenant.headers)


@pytest.fixture
async def doors(nuki: NukiSandbox) -> dict[str, dict[str, Any]]:
    await nuki.connect()
    return await nuki.devices()


async def test_a_code_is_created_setting_and_carries_what_was_asked(client: Client, tenant: Tenant, doors: Doors):
    start, end = soon(1), soon(30)
    answer = await create(
        client,
        tenant,
        device_id=doors["Front door"]["id"],
        name="Guest Smith",
        code="345678",
        starts_at=start,
        ends_at=end,
    )
    assert answer.status_code == 201, answer.text
    code = answer.json()
    assert (code["name"], code["code"], code["type"], code["is_managed"]) == (
        "Guest Smith",
        "345678",
        "time_bound",
        True,
    )
    assert datetime.fromisoformat(code["starts_at"]) == datetime.fromisoformat(start)
    assert code["status"] in ("setting", "unset")
    assert [mutation["mutation_code"] for mutation in code["pending_mutations"]] == ["creating"]
    again = (await client.get(f"/v1/access_codes/{code['id']}", headers=tenant.headers)).json()
    assert again["id"] == code["id"] and again["code"] == "345678"


async def test_a_lock_without_keypad_refuses_codes_by_its_flag(client: Client, tenant: Tenant, doors: Doors):
    answer = await create(client, tenant, device_id=doors["Cellar"]["id"], code="345678")
    assert answer.status_code == 422
    assert answer.json()["code"] == "capability_not_supported"
    assert "can_program_online_access_codes" in answer.json()["detail"]
    one_time = await create(client, tenant, device_id=doors["Front door"]["id"], code="345678", is_one_time_use=True)
    assert one_time.status_code == 422 and one_time.json()["code"] == "capability_not_supported"
    offline = await create(client, tenant, device_id=doors["Front door"]["id"], is_offline_access_code=True)
    assert offline.status_code == 422 and "can_program_offline_access_codes" in offline.json()["detail"]


@pytest.mark.parametrize(
    ("pin", "rule"),
    [
        ("345670", "no_zeros"),
        ("123456", "cannot_start_with_12"),
        ("34567", "supported_code_lengths"),
        ("3456789", "supported_code_lengths"),
    ],
)
async def test_a_pin_breaking_the_locks_rules_is_refused_naming_the_rule(
    client: Client,
    tenant: Tenant,
    doors,
    nuki: NukiSandbox,
    pin: str,
    rule: str,
):
    codes_before = len(nuki.sim.auths)
    answer = await create(client, tenant, device_id=doors["Front door"]["id"], code=pin)
    assert answer.status_code == 422
    assert answer.json()["code"] == "code_constraint_violated"
    assert rule in answer.json()["detail"]
    assert len(nuki.sim.auths) == codes_before
    listed = (
        await client.get(f"/v1/access_codes?device_id={doors['Front door']['id']}", headers=tenant.headers)
    ).json()
    assert listed["data"] == []


async def test_malformed_pins_and_windows_are_validation_errors(client: Client, tenant: Tenant, doors: Doors):
    door = doors["Front door"]["id"]
    letters = await create(client, tenant, device_id=door, code="34a678")
    assert letters.status_code == 422 and letters.json()["code"] == "validation_error"
    naive = await create(client, tenant, device_id=door, starts_at="2030-01-01T10:00:00", ends_at=soon(10))
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "starts_at"
    backwards = await create(client, tenant, device_id=door, starts_at=soon(5), ends_at=soon(2))
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "ends_at"
    past = await create(client, tenant, device_id=door, starts_at=soon(-5), ends_at=soon(-2))
    assert past.status_code == 422 and "past" in past.json()["detail"]
    unknown = await create(client, tenant, device_id=door, colour="red")
    assert unknown.status_code == 422


async def test_a_pin_taken_on_the_lock_is_a_conflict(client: Client, tenant: Tenant, doors: Doors):
    door = doors["Front door"]["id"]
    assert (await create(client, tenant, device_id=door, code="345678")).status_code == 201
    taken = await create(client, tenant, device_id=door, code="345678")
    assert taken.status_code == 409 and taken.json()["code"] == "duplicate_code_on_device"
    elsewhere = await create(client, tenant, device_id=doors["Back door"]["id"], code="345678")
    assert elsewhere.status_code == 201


async def test_a_generated_pin_keeps_the_rules_and_avoids_taken_ones(client: Client, tenant: Tenant, doors: Doors):
    door = doors["Front door"]
    rules = CodeConstraints(**door["code_constraints"])
    pins = set()
    for index in range(25):
        answer = await create(client, tenant, device_id=door["id"], name=f"Guest {index}")
        assert answer.status_code == 201, answer.text
        pin = answer.json()["code"]
        assert code_rules.violation(pin, rules) is None
        pins.add(pin)
    assert len(pins) == 25


async def test_a_common_code_key_gives_several_doors_one_pin(client: Client, tenant: Tenant, doors: Doors):
    first = await create(client, tenant, device_id=doors["Front door"]["id"], common_code_key="booking-42")
    second = await create(client, tenant, device_id=doors["Back door"]["id"], common_code_key="booking-42")
    assert first.status_code == second.status_code == 201
    assert first.json()["code"] == second.json()["code"]
    assert second.json()["common_code_key"] == "booking-42"
    clash = await create(client, tenant, device_id=doors["Garden gate"]["id"], code=first.json()["code"])
    assert clash.status_code == 201
    shared = await create(client, tenant, device_id=doors["Garden gate"]["id"], common_code_key="booking-42")
    assert shared.status_code == 409 and shared.json()["code"] == "code_not_shareable"


async def test_scopes_and_workspaces_are_enforced(client: Client, tenant: Tenant, other_tenant: Tenant, doors: Doors):
    door = doors["Front door"]["id"]
    reader = bearer(await tenant.key(Scope.ACCESS_CODES_READ))
    refused = await client.post("/v1/access_codes", json={"device_id": door}, headers=reader)
    assert refused.status_code == 403
    writer = bearer(await tenant.key(Scope.ACCESS_CODES_WRITE))
    made = await client.post("/v1/access_codes", json={"device_id": door}, headers=writer)
    assert made.status_code == 201
    assert (await client.get(f"/v1/access_codes/{made.json()['id']}", headers=reader)).status_code == 200
    foreign = await create(client, other_tenant, device_id=door)
    assert foreign.status_code == 404 and foreign.json()["code"] == "device_not_found"
    theirs = await client.get(f"/v1/access_codes/{made.json()['id']}", headers=other_tenant.headers)
    assert theirs.status_code == 404 and theirs.json()["code"] == "access_code_not_found"
