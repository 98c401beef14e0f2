"""The simulated bridges: jobs accepted while the bridge is online and carried out later, refused with 406 while
it is offline, queued jobs expiring, the pending-job limit, custom PINs at the keypad, and logs that reach the
cloud only through a bridge or a Bluetooth sync.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.providers.igloohome.simulator_support import START, Cloud, cloud_fixture  # noqa: F401

PIN_DATA = {
    "accessName": "Guest",
    "pin": "4821",
    "pinType": 4,
    "startDate": "2025-03-01T11:30:00+01:00",
    "endDate": "2025-03-03T11:00:00+01:00",
}


async def job(cloud: Cloud, job_type: int, data: dict | None = None, lock: str | None = None) -> tuple[int, dict]:
    path = f"/devices/{lock or cloud.lock}/jobs/bridges/{cloud.bridge}"
    answer = await cloud.call("POST", path, json={"jobType": job_type, "jobData": data})
    return answer.status_code, answer.json()


async def status(cloud: Cloud, job_id: str) -> dict:
    return (await cloud.call("GET", f"/jobs/{job_id}")).json()


async def log_types(cloud: Cloud, lock: str | None = None) -> list[int]:
    answer = await cloud.call("GET", f"/devices/{lock or cloud.lock}/activity")
    return [row["logType"] for row in answer.json()["payload"]]


async def test_an_unlock_is_queued_then_carried_out_and_logged(cloud):
    created, answer = await job(cloud, 2)
    pending = await status(cloud, answer["jobId"])
    await cloud.sim.settle()
    done = await status(cloud, answer["jobId"])

    assert created == 200 and (pending["completed"], pending["jobResponse"]) == (False, {"jobStatus": 1})
    assert done["completed"] is True and done["jobResponse"] == {"jobStatus": 0, "opResult": {"result": 0}}
    assert done["jobType"] == 2 and done["expiryDate"] == "2025-03-01T10:05:00+00:00"
    assert await log_types(cloud) == [11]


async def test_a_job_to_an_offline_bridge_is_refused_with_406(cloud):
    cloud.sim.set_bridge_online(cloud.bridge, False)

    created, answer = await job(cloud, 1)

    assert (created, answer) == (406, {"message": "Unable to contact bridge"})


async def test_a_queued_job_waits_for_its_bridge(cloud):
    _, answer = await job(cloud, 1)
    cloud.sim.set_bridge_online(cloud.bridge, False)
    await cloud.sim.settle()
    waiting = await status(cloud, answer["jobId"])
    cloud.clock.advance(minutes=2)
    cloud.sim.set_bridge_online(cloud.bridge, True)
    await cloud.sim.settle()

    assert waiting["completed"] is False and (await status(cloud, answer["jobId"]))["completed"] is True
    assert await log_types(cloud) == [37]


async def test_a_job_the_bridge_never_carries_out_expires(cloud):
    _, answer = await job(cloud, 2)
    cloud.sim.set_bridge_online(cloud.bridge, False)
    await cloud.sim.settle()
    cloud.clock.advance(minutes=5)

    expired = await status(cloud, answer["jobId"])

    assert expired["completed"] is False and expired["jobResponse"] == {"jobStatus": 2, "message": "Job expired"}


async def test_an_offline_bridge_shows_in_its_last_sync(cloud):
    cloud.sim.set_bridge_online(cloud.bridge, False, silent_for=timedelta(hours=3))

    bridge = (await cloud.call("GET", f"/devices/{cloud.bridge}")).json()

    assert bridge["lastSync"] == "2025-03-01T07:00:00+00:00" and bridge["linkedDevices"][0]["deviceId"] == cloud.lock


async def test_a_bridge_takes_at_most_twenty_pending_jobs(cloud):
    answers = [await job(cloud, 1) for _ in range(20)]
    refused = await job(cloud, 1)

    assert {status for status, _ in answers} == {200}
    assert refused == (400, {"message": "Too many pending jobs for this bridge"})


async def test_a_lock_not_linked_to_the_bridge_takes_no_job(cloud):
    assert await job(cloud, 2, lock=cloud.lonely) == (400, {"message": "Lock is not linked to the bridge"})


async def test_a_custom_pin_opens_once_the_job_is_done_and_within_its_window(cloud):
    await job(cloud, 4, PIN_DATA)
    sim, inside = cloud.sim, datetime(2025, 3, 2, 12, tzinfo=UTC)
    before_sync = sim.would_open(cloud.lock, "4821", inside)
    await sim.settle()

    assert before_sync is False and sim.would_open(cloud.lock, "4821", inside)
    assert not sim.would_open(cloud.lock, "4821", datetime(2025, 3, 1, 10, 29, tzinfo=UTC))
    assert not sim.would_open(cloud.lock, "4821", datetime(2025, 3, 3, 10, tzinfo=UTC))
    assert sim.keypad_entry(cloud.lock, "4821", inside) and await log_types(cloud) == [18]
    assert (await cloud.call("GET", "/app/locks")).json()[0]["pins"][0]["pin"] == "4821"


async def test_a_custom_pin_is_deleted_by_its_value(cloud):
    await job(cloud, 4, PIN_DATA)
    await cloud.sim.settle()

    await job(cloud, 5, {"pin": "4821"})
    await job(cloud, 5, {"pin": "9999"})
    await cloud.sim.settle()

    assert cloud.sim.locks[cloud.lock].custom_pins == {}


async def test_custom_pins_igloohome_refuses(cloud):
    await job(cloud, 4, PIN_DATA)

    duplicate = await job(cloud, 4, PIN_DATA)
    too_long = await job(cloud, 4, {**PIN_DATA, "pin": "1234567"})
    bad_date = await job(cloud, 4, {**PIN_DATA, "startDate": "2025-03-01T11:30:15+01:00"})
    reversed_window = await job(cloud, 4, {**PIN_DATA, "endDate": "2025-03-01T11:00:00+01:00"})

    assert duplicate == (409, {"message": "PIN already exists on the lock"})
    assert too_long == (400, {"message": "'pin' must be 4 to 6 digits"})
    assert bad_date[0] == 400 and "'startDate' must be in format" in bad_date[1]["message"]
    assert reversed_window == (400, {"message": "'endDate' must be after 'startDate'"})


async def test_logs_of_a_lock_without_a_bridge_arrive_after_a_bluetooth_sync(cloud):
    sim = cloud.sim
    sim.manual_action(cloud.lonely)
    sim.keypad_entry(cloud.lonely, "000000000")
    before = await log_types(cloud, cloud.lonely)

    assert (await cloud.call("POST", f"/app/locks/{cloud.lonely}/sync")).json() == {"synced": 2}
    assert before == [] and sorted(await log_types(cloud, cloud.lonely)) == [52, 54]


async def test_logs_wait_on_the_lock_while_its_bridge_is_offline(cloud):
    cloud.sim.set_bridge_online(cloud.bridge, False)
    cloud.sim.manual_action(cloud.lock, unlock=False)
    offline = await log_types(cloud)
    cloud.sim.set_bridge_online(cloud.bridge, True)

    assert offline == [] and await log_types(cloud) == [51]


async def test_activity_pages_newest_first(cloud):
    for minute in range(5):
        cloud.sim.manual_action(cloud.lock, unlock=minute % 2 == 0)
        cloud.clock.advance(minutes=1)

    first = (await cloud.call("GET", f"/devices/{cloud.lock}/activity", params={"pageSize": 3})).json()
    rest = (await cloud.call("GET", f"/devices/{cloud.lock}/activity", params={"cursor": first["nextCursor"]})).json()

    dates = [row["entryDate"] for row in first["payload"] + rest["payload"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 5 and rest["nextCursor"] == ""
    assert dates[0] == int((START + timedelta(minutes=4)).timestamp() * 1000)
