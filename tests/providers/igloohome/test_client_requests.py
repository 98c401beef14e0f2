"""The client's requests as vendors.md 3.2-3.5 and the fact sheet document them: device paging, algoPIN bodies
with on-the-hour dates and explicit offsets, bridge jobs and their status, activity paging, and igloohome's error
answers as typed errors.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest

from providers.base import ProviderConfig
from providers.errors import DeviceOffline, ProviderRateLimited, ProviderRejected, ProviderUnavailable
from providers.igloohome.client import VARIANCE_USED, AlgoPinKind, igloo_date, job_state
from providers.igloohome.models import AlgoPinBody, CreatePinData, JobStatus
from schemas.providers import ActionState

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`igloo`, `http`)
from tests.providers.igloohome.client_support import (
    BASE,
    FRONT_DOOR,
    HOME_BRIDGE,
    NOW,
    api,
    client,
    fixture,
    http_fixture,  # noqa: F401
    igloo_fixture,  # noqa: F401
    payload,
)

BERLIN = ZoneInfo("Europe/Berlin")


async def test_devices_follow_next_cursor_until_it_is_empty(igloo, http):
    first = igloo.get(api("/devices"), params={"cursor": "page-2"}).respond(200, content=fixture("devices_page_2.json"))
    igloo.get(api("/devices")).respond(200, content=fixture("devices_page_1.json"))

    devices = await client(http).devices()

    assert [device.device_id for device in devices][:3] == [FRONT_DOOR, HOME_BRIDGE, "OE1X777aaa22"]
    assert len(devices) == 7 and first.called
    assert devices[1].linked_ids == [FRONT_DOOR] and devices[3].linked_ids == ["OE1X777aaa22"]


async def test_one_device_is_read_by_its_device_id(igloo, http):
    igloo.get(api(f"/devices/{FRONT_DOOR}")).respond(200, json=payload("devices_page_1.json")["payload"][0])

    device = await client(http).device(FRONT_DOOR)

    assert (device.device_name, device.battery_level, device.type) == ("Front Door", 100, "Lock")


def test_dates_are_on_the_hour_with_the_zone_s_explicit_offset():
    winter, summer = datetime(2025, 1, 10, 14, tzinfo=UTC), datetime(2025, 7, 10, 14, tzinfo=UTC)
    assert igloo_date(winter, BERLIN) == "2025-01-10T15:00:00+01:00"
    assert igloo_date(summer, BERLIN) == "2025-07-10T16:00:00+02:00"
    assert igloo_date(summer.replace(minute=30), ZoneInfo("America/St_Johns")) == "2025-07-10T12:00:00-02:30"
    assert igloo_date(summer, UTC) == "2025-07-10T14:00:00+00:00"
    assert igloo_date(summer.replace(minute=30), UTC, minutes=True) == "2025-07-10T14:30:00+00:00"


@pytest.mark.parametrize(
    "moment", [datetime(2025, 7, 10, 14, 30, tzinfo=UTC), datetime(2025, 7, 10, 14, 0, 5, tzinfo=UTC)]
)
def test_a_date_off_the_hour_is_refused_not_rounded(moment):
    with pytest.raises(ProviderRejected) as refused:
        igloo_date(moment, UTC)
    assert refused.value.code == "time_frame_not_supported"


@pytest.mark.parametrize("kind", list(AlgoPinKind))
async def test_an_algopin_is_posted_to_its_kind(igloo, http, kind):
    route = igloo.post(api(f"/devices/{FRONT_DOOR}/algopin/{kind}")).respond(200, content=fixture("algopin.json"))
    body = AlgoPinBody(variance=2, access_name="Guest", start_date="2025-03-02T15:00:00+01:00")

    pin = await client(http).algopin(FRONT_DOOR, kind, body)

    assert (pin.pin, pin.pin_id) == ("123456789", "pin-0001")
    sent = json.loads(route.calls.last.request.content)
    assert sent == {"variance": 2, "accessName": "Guest", "startDate": "2025-03-02T15:00:00+01:00"}


async def test_a_used_variance_is_told_apart(igloo, http):
    igloo.post(api(f"/devices/{FRONT_DOOR}/algopin/hourly")).respond(409, json={"message": "variance used"})
    body = AlgoPinBody(variance=1, access_name="Guest", start_date="x", end_date="y")

    with pytest.raises(ProviderRejected) as refused:
        await client(http).algopin(FRONT_DOOR, AlgoPinKind.HOURLY, body)
    assert refused.value.code == VARIANCE_USED


async def test_lock_and_unlock_are_bridge_jobs_without_data(igloo, http):
    route = igloo.post(api(f"/devices/{FRONT_DOOR}/jobs/bridges/{HOME_BRIDGE}")).respond(
        200, content=fixture("job_created.json")
    )

    assert await client(http).lock(FRONT_DOOR, HOME_BRIDGE) == "job-7f3a"
    assert json.loads(route.calls.last.request.content) == {"jobType": 1, "jobData": None}
    await client(http).unlock(FRONT_DOOR, HOME_BRIDGE)
    assert json.loads(route.calls.last.request.content) == {"jobType": 2, "jobData": None}


async def test_custom_pins_are_created_with_dates_and_deleted_by_value(igloo, http):
    route = igloo.post(api(f"/devices/{FRONT_DOOR}/jobs/bridges/{HOME_BRIDGE}")).respond(
        201, content=fixture("job_created.json")
    )
    data = CreatePinData("Guest", "4821", 4, "2025-03-02T15:30:00+01:00", "2025-03-04T11:00:00+01:00")

    await client(http).create_pin(FRONT_DOOR, HOME_BRIDGE, data)
    created = json.loads(route.calls.last.request.content)
    await client(http).delete_pin(FRONT_DOOR, HOME_BRIDGE, "4821")

    assert created == {
        "jobType": 4,
        "jobData": {
            "accessName": "Guest",
            "pin": "4821",
            "pinType": 4,
            "startDate": "2025-03-02T15:30:00+01:00",
            "endDate": "2025-03-04T11:00:00+01:00",
        },
    }
    assert json.loads(route.calls.last.request.content) == {"jobType": 5, "jobData": {"pin": "4821"}}


@pytest.mark.parametrize(
    ("name", "state"),
    [("job_pending.json", "pending"), ("job_completed.json", "succeeded"), ("job_failed.json", "failed")],
)
async def test_a_job_s_status_is_read_whatever_type_its_job_type_has(igloo, http, name, state):
    igloo.get(api("/jobs/job-7f3a")).respond(200, content=fixture(name))

    status = await client(http).job("job-7f3a")

    assert job_state(status, NOW) == ActionState(state)


def test_a_job_past_its_expiry_or_with_a_failed_result_has_failed():
    expired = JobStatus(job_id="j", expiry_date="2025-03-01T09:59:00+00:00")
    refused = msgspec.convert({"jobId": "j", "completed": True, "jobResponse": {"opResult": {"result": 3}}}, JobStatus)
    assert job_state(expired, NOW) is ActionState.FAILED
    assert job_state(refused, NOW) is ActionState.FAILED
    assert job_state(JobStatus(job_id="j"), NOW) is ActionState.PENDING


async def test_wait_for_job_polls_until_the_job_is_done(igloo, http):
    route = igloo.get(api("/jobs/job-7f3a"))
    route.side_effect = [httpx.Response(200, content=fixture("job_pending.json"))] * 2 + [
        httpx.Response(200, content=fixture("job_completed.json"))
    ]
    config = ProviderConfig(base_url=BASE, extra={"job_poll_seconds": "0.001", "job_wait_seconds": "5"})

    status = await client(http, config=config).wait_for_job("job-7f3a")

    assert status.completed and route.call_count == 3


async def test_wait_for_job_gives_up_after_its_wait(igloo, http):
    route = igloo.get(api("/jobs/job-7f3a")).respond(200, content=fixture("job_pending.json"))
    config = ProviderConfig(base_url=BASE, extra={"job_poll_seconds": "0.001", "job_wait_seconds": "0.003"})

    status = await client(http, config=config).wait_for_job("job-7f3a")

    assert not status.completed and 3 <= route.call_count <= 5


async def test_activity_is_read_fifty_rows_a_page(igloo, http):
    route = igloo.get(api(f"/devices/{FRONT_DOOR}/activity")).respond(200, content=fixture("activity.json"))

    page = await client(http).activity(FRONT_DOOR, cursor="abc")

    assert dict(route.calls.last.request.url.params) == {"pageSize": "50", "cursor": "abc"}
    assert len(page.payload) == 8 and page.payload[0].log_type == 52


NO_ROOM, TOO_LONG = "Lock has reached maximum amount of codes", "Exceeded the limit of 367 days"
ERRORS = [
    (406, {"message": "Unable to contact bridge"}, DeviceOffline, "device_offline"),
    (400, {"message": "Too many pending jobs for this bridge"}, ProviderUnavailable, "provider_unavailable"),
    (404, {"message": "Device not found"}, ProviderRejected, "device_not_found"),
    (400, {"message": "'startDate' must be in format YYYY-MM-DDTHH:00"}, ProviderRejected, "time_frame_not_supported"),
    (422, {"status": "ERROR", "code": "422", "message": TOO_LONG}, ProviderRejected, "time_frame_not_supported"),
    (400, {"message": "'pin' must be 4 to 6 digits"}, ProviderRejected, "code_constraint_violated"),
    (422, {"message": NO_ROOM}, ProviderRejected, "no_space_for_access_code_on_device"),
    (400, {"message": "'accessName' is required"}, ProviderRejected, "invalid_request"),
    (409, {"message": "PIN already exists on the lock"}, ProviderRejected, "duplicate_code_on_device"),
]


@pytest.mark.parametrize(("status", "body", "kind", "code"), ERRORS)
async def test_igloohome_s_error_answers_are_typed(igloo, http, status, body, kind, code):
    igloo.post(api(f"/devices/{FRONT_DOOR}/jobs/bridges/{HOME_BRIDGE}")).respond(status, json=body)

    with pytest.raises(kind) as raised:
        await client(http).unlock(FRONT_DOOR, HOME_BRIDGE)
    assert raised.value.code == code and body["message"] in raised.value.message


async def test_a_failing_igloohome_is_unavailable(igloo, http):
    igloo.get(api("/devices")).respond(502, json={"message": "Bad gateway"})

    with pytest.raises(ProviderUnavailable, match="HTTP 502"):
        await client(http).devices_page()


async def test_a_rate_limit_says_when_to_retry(igloo, http):
    igloo.get(api("/devices")).respond(429, headers={"Retry-After": "17"}, text="Too Many Requests")

    with pytest.raises(ProviderRateLimited) as limited:
        await client(http).devices_page()
    assert limited.value.retry_after == 17
