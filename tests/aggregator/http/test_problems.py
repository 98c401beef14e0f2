"""Bad input and faults: each gets the right status and a problem+json body with a stable code, never a 500."""

from __future__ import annotations

import httpx
import pytest

from aggregator.http.errors import CATALOGUE
from tests.factories import Tenant

Client = httpx.AsyncClient


def assert_problem(answer: httpx.Response, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["type"] == f"/problems/{code}"
    assert problem["title"]
    assert problem["detail"]
    assert problem["request_id"] == answer.headers["x-request-id"]
    return problem


async def test_malformed_json_is_a_400(client: Client, tenant: Tenant):
    for body in (b"{", b'{"name": "x",}', b"\xff\xfe", b"null garbage"):
        answer = await client.post("/v1/api_keys", headers=tenant.headers, content=body)
        assert_problem(answer, 400, "malformed_json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": ["admin"], "unknown": 1}, "unknown"),
        ({"name": ["x"], "scopes": ["admin"]}, "name"),
        ({"scopes": ["admin"]}, "name"),
        ([{"name": "x", "scopes": ["admin"]}], "body"),
        ("just a string", "body"),
    ],
)
async def test_wrong_shapes_are_a_422_naming_the_field(client: Client, tenant: Tenant, body: object, field: str):
    answer = await client.post("/v1/api_keys", headers=tenant.headers, json=body)
    problem = assert_problem(answer, 422, "validation_error")
    assert [error["field"] for error in problem["errors"]] == [field]
    assert all(error["message"] for error in problem["errors"])


async def test_oversized_body_is_a_413(client: Client, tenant: Tenant):
    body = b'{"name": "' + b"x" * 2_000_000 + b'", "scopes": ["admin"]}'
    answer = await client.post("/v1/api_keys", headers=tenant.headers, content=body)
    assert_problem(answer, 413, "request_body_too_large")
    with_key = await client.post("/v1/api_keys", headers={**tenant.headers, "Idempotency-Key": "big-1"}, content=body)
    assert_problem(with_key, 413, "request_body_too_large")


async def test_unknown_route_and_method(client: Client, tenant: Tenant):
    assert_problem(await client.get("/v1/nothing", headers=tenant.headers), 404, "not_found")
    assert_problem(await client.get("/nothing"), 404, "not_found")
    answer = await client.put("/v1/devices", headers=tenant.headers)
    assert_problem(answer, 405, "method_not_allowed")
    assert "GET" in answer.headers["allow"]


async def test_query_parameters_are_validated(client: Client, tenant: Tenant):
    for query in ("limit=0", "limit=501", "limit=ten", "connected_account_id=zzz", "type=lock.exploded"):
        path = "/v1/events" if query.startswith("type") else "/v1/devices"
        answer = await client.get(f"{path}?{query}", headers=tenant.headers)
        problem = assert_problem(answer, 422, "validation_error")
        assert problem["errors"][0]["field"] == query.split("=")[0]


async def test_naive_datetimes_are_refused(client: Client, tenant: Tenant):
    answer = await client.get("/v1/events?since=2026-05-01T12:00:00", headers=tenant.headers)
    problem = assert_problem(answer, 422, "validation_error")
    assert problem["errors"] == [{"field": "since", "message": "Expected a datetime with an offset"}]
    aware = await client.get("/v1/events?since=2026-05-01T12:00:00%2B02:00", headers=tenant.headers)
    assert aware.status_code == 200


async def test_an_unexpected_crash_is_a_500_that_leaks_nothing(
    client: Client, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
):
    from aggregator.devices import service

    async def explode(*_: object, **__: object) -> bytes:
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(service, "device_page", explode)
    answer = await client.get("/v1/devices", headers=tenant.headers)
    problem = assert_problem(answer, 500, "internal_error")
    assert "hunter2" not in answer.text
    assert "RuntimeError" not in problem["detail"]


async def test_every_response_has_a_request_id_and_a_sane_incoming_one_is_kept(client: Client, tenant: Tenant):
    for answer in (
        await client.get("/health"),
        await client.get("/v1/devices", headers=tenant.headers),
        await client.get("/v1/devices"),
        await client.get("/nowhere"),
    ):
        assert answer.headers["x-request-id"].startswith("req_")
    kept = await client.get("/v1/devices", headers={**tenant.headers, "X-Request-ID": "trace-42.a:b"})
    assert kept.headers["x-request-id"] == "trace-42.a:b"
    replaced = await client.get("/v1/devices", headers={**tenant.headers, "X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["x-request-id"].startswith("req_")
    ids = {(await client.get("/health")).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


async def test_the_catalogue_describes_every_code(client: Client):
    listed = (await client.get("/problems")).json()
    assert {entry["code"] for entry in listed} == set(CATALOGUE)
    for entry in listed:
        one = await client.get(f"/problems/{entry['code']}")
        assert one.json() == entry
    assert_problem(await client.get("/problems/no_such_code"), 404, "problem_not_found")


async def test_bodies_the_decoder_cannot_take_are_a_400(client: Client, tenant: Tenant):
    for body, hint in ((b'{"name": "\xff", "scopes": ["admin"]}', "UTF-8"), (b"[" * 100_000, "nested too deeply")):
        for extra in ({}, {"Idempotency-Key": "odd-body"}):
            answer = await client.post("/v1/api_keys", headers={**tenant.headers, **extra}, content=body)
            problem = assert_problem(answer, 400, "malformed_json")
            assert hint in problem["detail"]


async def test_an_empty_body_says_a_body_is_required(client: Client, tenant: Tenant):
    problem = assert_problem(await client.post("/v1/api_keys", headers=tenant.headers), 422, "validation_error")
    assert problem["errors"] == [{"field": "body", "message": "A JSON body is required."}]


async def test_control_characters_in_names_are_refused(client: Client, tenant: Tenant):
    for name in ("a\u0000b", "tab\there", "new\nline"):
        answer = await client.post("/v1/api_keys", headers=tenant.headers, json={"name": name, "scopes": ["admin"]})
        assert_problem(answer, 422, "validation_error")


async def test_nul_in_query_filters_is_never_a_500(client: Client, tenant: Tenant):
    for path in (
        "/v1/devices?provider=%00",
        "/v1/audit_entries?resource_type=a%00b",
        "/v1/connected_accounts?provider=%00",
    ):
        answer = await client.get(path, headers=tenant.headers)
        assert answer.status_code in (200, 422), answer.text
        if answer.status_code == 422:
            assert_problem(answer, 422, "validation_error")
