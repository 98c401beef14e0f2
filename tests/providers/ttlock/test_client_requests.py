"""The TTLock client's requests as reference/vendors.md section 2 documents them: `clientId`, `accessToken` and
`date` (ms) on every call, reads as query strings, writes form-encoded, codes through the gateway; answers shaped
as TTLock documents them decode.
"""

from __future__ import annotations

from datetime import timedelta

from providers.ttlock.models import PasscodeType

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`ttlock`, `http`)
from tests.providers.ttlock.client_support import (
    NOW,
    NOW_MS,
    client,
    fixture,
    form,
    http_fixture,  # noqa: F401
    query,
    ttlock_fixture,  # noqa: F401
)


async def test_a_read_is_a_get_with_the_common_parameters_in_the_query(ttlock, http):
    route = ttlock.get("/v3/lock/list").respond(200, content=fixture("lock_list.json"))

    [lock] = await client(http)[0].locks()

    sent = query(route.calls.last.request)
    assert sent == {
        "clientId": "ttlock-client-id",
        "accessToken": "access-1",
        "date": str(NOW_MS),
        "pageNo": "1",
        "pageSize": "1000",
    }
    assert (lock.lock_id, lock.lock_alias, lock.lock_name, lock.electric_quantity) == (
        532323,
        "Front door lock",
        "YS1003_c18c9c",
        55,
    )
    assert lock.has_gateway == 1 and lock.has(0) and lock.feature_value == "3F0421C4F5F3"


async def test_pages_are_followed_until_the_last(ttlock, http):
    first = b'{"list":[{"lockId":1}],"pageNo":1,"pageSize":1,"pages":2,"total":2}'
    second = b'{"list":[{"lockId":2}],"pageNo":2,"pageSize":1,"pages":2,"total":2}'
    route = ttlock.get("/v3/lock/list").mock(side_effect=[_answer(first), _answer(second)])

    locks = await client(http)[0].locks()

    assert [lock.lock_id for lock in locks] == [1, 2]
    assert [query(call.request)["pageNo"] for call in route.calls] == ["1", "2"]


async def test_a_custom_code_is_added_through_the_gateway_as_a_period_code(ttlock, http):
    route = ttlock.post("/v3/keyboardPwd/add").respond(200, json={"keyboardPwdId": 24242})
    start = NOW + timedelta(days=1)

    passcode_id = await client(http)[0].add_passcode(532323, "0458", "Guest", start, start + timedelta(hours=5))

    sent = form(route.calls.last.request)
    assert passcode_id == 24242
    assert route.calls.last.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent["addType"] == "2" and sent["keyboardPwdType"] == "3" and sent["keyboardPwd"] == "0458"
    assert (sent["startDate"], sent["endDate"]) == (str(NOW_MS + 86_400_000), str(NOW_MS + 104_400_000))
    assert (sent["clientId"], sent["accessToken"], sent["date"]) == ("ttlock-client-id", "access-1", str(NOW_MS))


async def test_changes_and_deletes_go_through_the_gateway_with_both_dates(ttlock, http):
    change = ttlock.post("/v3/keyboardPwd/change").respond(200, json={"errcode": 0, "errmsg": "none error message"})
    delete = ttlock.post("/v3/keyboardPwd/delete").respond(200, json={"errcode": 0, "errmsg": "none error message"})
    api = client(http)[0]

    await api.change_passcode(532323, 7, name="Guest", code="2468", start=NOW, end=NOW + timedelta(hours=1))
    await api.delete_passcode(532323, 7)

    changed = form(change.calls.last.request)
    assert changed["changeType"] == "2" and changed["newKeyboardPwd"] == "2468"
    assert {"startDate", "endDate", "keyboardPwdName"} <= set(changed)
    assert form(delete.calls.last.request)["deleteType"] == "2"


async def test_a_random_code_is_asked_for_with_its_type_and_dates(ttlock, http):
    route = ttlock.post("/v3/keyboardPwd/get").respond(200, json={"keyboardPwd": "0563456", "keyboardPwdId": 10236})

    issued = await client(http)[0].random_passcode(532323, PasscodeType.ONE_TIME, "Cleaner", NOW, None)

    sent = form(route.calls.last.request)
    assert (issued.keyboard_pwd, issued.keyboard_pwd_id) == ("0563456", 10236)
    assert sent["keyboardPwdType"] == "1" and sent["startDate"] == str(NOW_MS) and "endDate" not in sent


async def test_documented_answers_decode(ttlock, http):
    ttlock.get("/v3/lock/detail").respond(200, content=fixture("lock_detail.json"))
    ttlock.get("/v3/gateway/list").respond(200, content=fixture("gateway_list.json"))
    ttlock.get("/v3/gateway/listLock").respond(200, content=fixture("gateway_list_lock.json"))
    ttlock.get("/v3/lock/listKeyboardPwd").respond(200, content=fixture("passcode_list.json"))
    ttlock.get("/v3/lockRecord/list").respond(200, content=fixture("lock_records.json"))
    ttlock.get("/v3/lock/queryOpenState").respond(200, json={"state": 1})
    api = client(http)[0]

    detail = await api.lock_detail(3466251)
    [gateway] = await api.gateways()
    [seen] = await api.gateway_locks(78979)
    [passcode] = await api.passcodes(532323)
    records = await api.records(163377, NOW - timedelta(days=1), NOW)

    assert (detail.timezone_raw_offset, detail.model_num, detail.has_gateway) == (28800000, "SN284-FINGER-T0_PV53", 0)
    assert (gateway.gateway_id, gateway.is_online, seen.lock_id) == (78979, 1, 532323)
    assert (passcode.keyboard_pwd, passcode.kind, passcode.end_date) == ("034234", 3, 1628878944000)
    assert [record.record_type for record in records] == [1, 4]
    assert (await api.open_state(532323)).state == 1


def _answer(content: bytes):  # type: ignore[no-untyped-def]
    import httpx

    return httpx.Response(200, content=content)
