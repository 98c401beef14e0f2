"""Custom PINs and lock actions through the adapter: bridge jobs sent and followed until done, a failed or expired
job and an unreachable bridge as `device_offline`, updates as removal plus creation, constraints checked first.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from providers.base import ProviderConfig
from providers.errors import CapabilityNotSupported, DeviceOffline, ProviderRejected, ProviderUnavailable
from schemas.providers import AccessCodeSpec, ActionKind, ActionReceipt, ActionState

# the `*_fixture` imports are pytest fixtures, requested by the name each declares (`igloo`, `http`)
from tests.providers.igloohome.client_support import (
    BASE,
    FRONT_DOOR,
    HOME_BRIDGE,
    NOW,
    adapter,
    api,
    device,
    fixture,
    http_fixture,  # noqa: F401
    igloo_fixture,  # noqa: F401
)

POLLING = ProviderConfig(base_url=BASE, extra={"job_poll_seconds": "0.001", "job_wait_seconds": "1"})
JOBS = api(f"/devices/{FRONT_DOOR}/jobs/bridges/{HOME_BRIDGE}")
STATUS = api("/jobs/job-7f3a")
SPEC = AccessCodeSpec(
    name="Guest",
    code="4821",
    starts_at=datetime(2025, 3, 2, 14, 30, tzinfo=UTC),
    ends_at=datetime(2025, 3, 4, 10, tzinfo=UTC),
)


def answers(*names: str) -> list[httpx.Response]:
    return [httpx.Response(200, content=fixture(name)) for name in names]


def bodies(route) -> list[dict]:
    return [json.loads(call.request.content) for call in route.calls]


async def test_a_custom_pin_is_a_bridge_job_followed_until_done(igloo, http):
    jobs = igloo.post(JOBS).respond(200, content=fixture("job_created.json"))
    igloo.get(STATUS).side_effect = answers("job_pending.json", "job_pending.json", "job_completed.json")

    seen = await adapter(http, config=POLLING).create_access_code(device(timezone="Europe/Berlin"), SPEC)

    assert bodies(jobs)[0]["jobData"] == {
        "accessName": "Guest",
        "pin": "4821",
        "pinType": 4,
        "startDate": "2025-03-02T15:30:00+01:00",
        "endDate": "2025-03-04T11:00:00+01:00",
    }
    assert (seen.provider_code_id, seen.code, seen.is_pending) == ("pin:4821", "4821", False)
    assert (seen.starts_at, seen.ends_at) == (SPEC.starts_at, SPEC.ends_at)


async def test_a_pin_without_a_window_starts_now_and_ends_ten_years_on(igloo, http):
    jobs = igloo.post(JOBS).respond(200, content=fixture("job_created.json"))
    igloo.get(STATUS).respond(200, content=fixture("job_completed.json"))

    seen = await adapter(http).create_access_code(device(), AccessCodeSpec(name="Owner", code="7391"))

    data = bodies(jobs)[0]["jobData"]
    assert (data["startDate"], data["endDate"]) == ("2025-03-01T10:00:00+00:00", "2035-02-27T10:00:00+00:00")
    assert (seen.starts_at, seen.ends_at) == (None, None)


async def test_a_job_still_queued_when_the_wait_ends_is_tried_again_later(igloo, http):
    """igloohome cannot list PINs: nothing could confirm the job later, so the try is a transient failure."""
    igloo.post(JOBS).respond(200, content=fixture("job_created.json"))
    igloo.get(STATUS).respond(200, content=fixture("job_pending.json"))

    with pytest.raises(ProviderUnavailable, match="not set the PIN yet"):
        await adapter(http).create_access_code(device(), SPEC)


async def test_a_pin_the_lock_holds_already_is_taken_as_set(igloo, http):
    """An earlier try (its job done after the wait ended) put it there: igloohome knows a PIN by its value."""
    igloo.post(JOBS).respond(409, json={"message": "PIN already exists: duplicate"})

    seen = await adapter(http).create_access_code(device(), SPEC)

    assert (seen.code, seen.is_pending) == (SPEC.code, False)


async def test_an_expired_job_is_device_offline(igloo, http):
    igloo.post(JOBS).respond(200, content=fixture("job_created.json"))
    igloo.get(STATUS).respond(200, content=fixture("job_failed.json"))

    with pytest.raises(DeviceOffline, match="expired"):
        await adapter(http).create_access_code(device(), SPEC)


async def test_an_unreachable_bridge_is_device_offline(igloo, http):
    igloo.post(JOBS).respond(406, json={"message": "Unable to contact bridge"})

    with pytest.raises(DeviceOffline):
        await adapter(http).create_access_code(device(), SPEC)


@pytest.mark.parametrize("code", ["482", "4821937", "48a1"])
async def test_a_pin_igloohome_would_refuse_is_refused_first(igloo, http, code):
    anything = igloo.route().respond(500)
    bad = AccessCodeSpec(name="Guest", code=code)

    for call in (adapter(http).create_access_code(device(), bad), adapter(http).update_access_code(device(), "x", bad)):
        with pytest.raises(ProviderRejected) as refused:
            await call
        assert refused.value.code == "code_constraint_violated"
    assert not anything.called


async def test_a_one_time_custom_pin_is_not_supported(igloo, http):
    with pytest.raises(CapabilityNotSupported):
        await adapter(http).create_access_code(device(), AccessCodeSpec(name="G", code="4821", is_one_time_use=True))


async def test_an_update_of_the_window_removes_the_pin_before_it_is_sent_again(igloo, http):
    jobs = igloo.post(JOBS).respond(200, content=fixture("job_created.json"))
    igloo.get(STATUS).respond(200, content=fixture("job_completed.json"))

    seen = await adapter(http).update_access_code(device(), "pin:4821", SPEC)

    assert [body["jobType"] for body in bodies(jobs)] == [5, 4] and seen.provider_code_id == "pin:4821"


async def test_an_update_to_another_pin_sends_the_new_one_first(igloo, http):
    jobs = igloo.post(JOBS).respond(200, content=fixture("job_created.json"))
    igloo.get(STATUS).respond(200, content=fixture("job_completed.json"))

    seen = await adapter(http).update_access_code(device(), "pin:1357", SPEC)

    assert [(body["jobType"], body["jobData"]["pin"]) for body in bodies(jobs)] == [(4, "4821"), (5, "1357")]
    assert seen.provider_code_id == "pin:4821"


async def test_an_update_that_finds_its_new_pin_there_already_finishes_the_swap(igloo, http):
    jobs = igloo.post(JOBS)
    jobs.side_effect = [
        httpx.Response(409, json={"message": "PIN already exists on the lock"}),
        *answers("job_created.json"),
    ]
    igloo.get(STATUS).respond(200, content=fixture("job_completed.json"))

    seen = await adapter(http).update_access_code(device(), "pin:1357", SPEC)

    assert bodies(jobs)[-1] == {"jobType": 5, "jobData": {"pin": "1357"}} and seen.code == "4821"


async def test_a_code_id_that_is_no_custom_pin_is_not_found(igloo, http):
    with pytest.raises(ProviderRejected) as refused:
        await adapter(http).delete_access_code(device(), "pin-0001")
    assert refused.value.code == "access_code_not_found"


async def test_a_removal_the_bridge_has_not_done_yet_is_retried_later(igloo, http):
    igloo.post(JOBS).respond(200, content=fixture("job_created.json"))
    igloo.get(STATUS).respond(200, content=fixture("job_pending.json"))

    with pytest.raises(ProviderUnavailable):
        await adapter(http).delete_access_code(device(), "pin:4821")


@pytest.mark.parametrize(("action", "job_type"), [(ActionKind.LOCK, 1), (ActionKind.UNLOCK, 2)])
async def test_a_lock_action_is_a_job_its_receipt_follows(igloo, http, action, job_type):
    jobs = igloo.post(JOBS).respond(200, content=fixture("job_created.json"))

    receipt = await adapter(http).perform(device(), action)

    assert bodies(jobs) == [{"jobType": job_type, "jobData": None}]
    assert (receipt.confirmed, receipt.reference, receipt.accepted_at) == (False, "job-7f3a", NOW)


@pytest.mark.parametrize(
    ("name", "state", "error"),
    [
        ("job_pending.json", ActionState.PENDING, None),
        ("job_completed.json", ActionState.SUCCEEDED, None),
        ("job_failed.json", ActionState.FAILED, "device_offline"),
    ],
)
async def test_the_job_tells_where_the_action_stands(igloo, http, name, state, error):
    igloo.get(STATUS).respond(200, content=fixture(name))
    receipt = ActionReceipt(confirmed=False, accepted_at=NOW, reference="job-7f3a")

    check = await adapter(http).check_action(device(), ActionKind.UNLOCK, receipt)

    assert (check.state, check.error_code) == (state, error)
    assert check.was_confirmed_by_device is (state is ActionState.SUCCEEDED)


async def test_a_lock_not_known_with_its_bridge_finds_it_first(igloo, http):
    igloo.get(api("/devices"), params={"cursor": "page-2"}).respond(200, content=fixture("devices_page_2.json"))
    igloo.get(api("/devices")).respond(200, content=fixture("devices_page_1.json"))
    jobs = igloo.post(JOBS).respond(200, content=fixture("job_created.json"))
    lock = device()
    lock.metadata.pop("bridge_id")

    await adapter(http).perform(lock, ActionKind.UNLOCK)

    assert jobs.called


async def test_a_job_igloohome_no_longer_knows_fails_the_action(igloo, http):
    igloo.get(STATUS).respond(404, json={"message": "Job not found"})
    receipt = ActionReceipt(confirmed=False, accepted_at=NOW, reference="job-7f3a")

    check = await adapter(http).check_action(device(), ActionKind.LOCK, receipt)

    assert (check.state, check.error_code) == (ActionState.FAILED, "action_failed")
