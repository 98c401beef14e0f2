"""Bad requests to the drift, reconcile and unmanaged-code endpoints answer RFC 9457 problems with a stable `code`
(never a 500): unknown or foreign ids are 404, malformed bodies and parameters 400/422, missing scopes 403.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from schemas import Scope
from tests.factories import Tenant, bearer
from tests.sandbox import NukiSandbox

pytestmark = pytest.mark.sandbox
Client = httpx.AsyncClient
UNKNOWN = str(uuid.UUID(int=42))


@pytest.fixture
async def front(nuki: NukiSandbox) -> str:
    await nuki.connect()
    return str((await nuki.devices())["Front door"]["id"])


def problem(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The answer is an RFC 9457 problem with this status and stable code, tied to the request's id."""
    assert (answer.status_code, answer.headers["content-type"]) == (status, "application/problem+json"), answer.text
    body: dict[str, Any] = answer.json()
    assert (body["status"], body["code"], body["type"]) == (status, code, f"/problems/{code}")
    assert body["request_id"] == answer.headers["x-request-id"]
    assert isinstance(body["title"], str) and isinstance(body["detail"], str)
    return body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/devices/{id}/drift"),
        ("GET", "/v1/devices/{id}/drift?refresh=true"),
        ("POST", "/v1/devices/{id}/reconcile"),
        ("GET", "/v1/devices/{id}/unmanaged_access_codes"),
    ],
)
async def test_an_unknown_or_foreign_lock_is_404(
    client: Client, tenant: Tenant, other_tenant: Tenant, front: str, method: str, path: str
) -> None:
    for device_id in (UNKNOWN, "not-a-uuid"):
        answer = await client.request(method, path.format(id=device_id), headers=tenant.headers)
        problem(answer, 404, "device_not_found")
    foreign = await client.request(method, path.format(id=front), headers=other_tenant.headers)
    body = problem(foreign, 404, "device_not_found")
    assert front not in str(body["detail"])
    mine = await client.request(method, path.format(id=front), headers=tenant.headers)
    assert mine.status_code in (200, 202)


async def test_converting_an_unknown_or_foreign_code_is_404(
    client: Client, tenant: Tenant, other_tenant: Tenant, front: str
) -> None:
    for code_id in (UNKNOWN, "nope"):
        answer = await client.post(f"/v1/access_codes/{code_id}/convert_to_managed", headers=tenant.headers)
        problem(answer, 404, "access_code_not_found")
    made = await client.post("/v1/access_codes", json={"device_id": front}, headers=tenant.headers)
    assert made.status_code == 201
    theirs = await client.post(f"/v1/access_codes/{made.json()['id']}/convert_to_managed", headers=other_tenant.headers)
    problem(theirs, 404, "access_code_not_found")


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("limit=0", "validation_error", "limit"),
        ("limit=501", "validation_error", "limit"),
        ("limit=many", "validation_error", "limit"),
        ("cursor=not-a-cursor", "invalid_cursor", None),
        ("cursor=WyJ5ZXN0ZXJkYXkiXQ", "invalid_cursor", None),
    ],
)
async def test_bad_drift_list_parameters(
    client: Client, tenant: Tenant, query: str, code: str, field: str | None
) -> None:
    body = problem(await client.get(f"/v1/drift?{query}", headers=tenant.headers), 422, code)
    assert [error["field"] for error in body.get("errors", [])] == ([field] if field else [])


async def test_a_bad_refresh_flag_is_a_validation_error(client: Client, tenant: Tenant, front: str) -> None:
    answer = await client.get(f"/v1/devices/{front}/drift?refresh=perhaps", headers=tenant.headers)
    body = problem(answer, 422, "validation_error")
    assert body["errors"] == [{"field": "refresh", "message": "Expected `bool`, got `str`"}]


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"{not json", 400, "malformed_json"),
        (b'{"code": 345678}', 422, "validation_error"),
        (b'{"code": "34a678"}', 422, "validation_error"),
        (b'{"colour": "red"}', 422, "validation_error"),
        (b'{"ends_at": "2030-01-01T10:00:00"}', 422, "validation_error"),
        (b'{"allow_external_modification": "yes"}', 422, "validation_error"),
        (b'{"type": "forever"}', 422, "validation_error"),
    ],
)
async def test_a_malformed_change_is_refused_and_changes_nothing(
    client: Client, tenant: Tenant, front: str, content: bytes, status: int, code: str
) -> None:
    made = await client.post("/v1/access_codes", json={"device_id": front, "code": "345678"}, headers=tenant.headers)
    assert made.status_code == 201
    headers = tenant.headers | {"Content-Type": "application/json"}
    answer = await client.patch(f"/v1/access_codes/{made.json()['id']}", content=content, headers=headers)
    problem(answer, status, code)
    after = (await client.get(f"/v1/access_codes/{made.json()['id']}", headers=tenant.headers)).json()
    wanted = ("code", "name", "type", "starts_at", "ends_at", "is_external_modification_allowed")
    assert {name: after[name] for name in wanted} == {name: made.json()[name] for name in wanted}
    # (its status may move on meanwhile: the worker carries the new code to the lock; the refused change wrote nothing)
    changes = await client.get("/v1/events", params={"type": "access_code.changed"}, headers=tenant.headers)
    assert changes.json()["data"] == []


async def test_drift_needs_its_scopes(client: Client, tenant: Tenant, front: str) -> None:
    reader = bearer(await tenant.key(Scope.ACCESS_CODES_READ))
    assert (await client.get(f"/v1/devices/{front}/drift", headers=reader)).status_code == 200
    assert (await client.get("/v1/drift", headers=reader)).status_code == 200
    problem(await client.post(f"/v1/devices/{front}/reconcile", headers=reader), 403, "insufficient_scope")
    convert = await client.post(f"/v1/access_codes/{UNKNOWN}/convert_to_managed", headers=reader)
    problem(convert, 403, "insufficient_scope")
    devices_only = bearer(await tenant.key(Scope.DEVICES_READ))
    problem(await client.get(f"/v1/devices/{front}/drift", headers=devices_only), 403, "insufficient_scope")
    problem(await client.get("/v1/drift"), 401, "missing_api_key")
