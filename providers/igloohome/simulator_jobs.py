"""The simulated igloohome bridges and their jobs: accepted when the bridge is online (406 "Unable to contact
bridge" otherwise), at most 20 pending per bridge, carried out after `job_delay` (or when the bridge is back),
expired after `JOB_LIFETIME` when the bridge never got to them.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from providers.igloohome.models import DURATION_PIN, JobType
from providers.igloohome.simulator_locks import BLUETOOTH_LOCK, BLUETOOTH_UNLOCK, SimulatedLocks
from providers.igloohome.simulator_pins import NAME_MAX, check_room
from providers.igloohome.simulator_state import (
    DONE,
    FAILED,
    JOB_LIFETIME,
    PENDING,
    Bridge,
    CustomPin,
    Job,
    Lock,
    SimError,
    parse_date,
)

MAX_PENDING_JOBS = 20
"""Seam: a bridge with 20 or more pending jobs takes no more."""
_UNCHECKED = (
    JobType.LOCK,
    JobType.UNLOCK,
    JobType.GET_BATTERY_LEVEL,
    JobType.GET_DEVICE_STATUS,
    JobType.GET_ACTIVITY_LOGS,
)
"""Job types whose `jobData` the simulator takes as it comes (`{lockTime}` for the logs, else nothing)."""


class SimulatedBridges(SimulatedLocks):
    # -- the API's side ---------------------------------------------------------------------------------------

    def create_job(self, lock: Lock, bridge_id: str, body: dict[str, Any]) -> Job:
        """`POST /devices/{lockId}/jobs/bridges/{bridgeId}`."""
        bridge = self.bridges.get(bridge_id)
        if bridge is None or bridge.account != lock.account:
            raise SimError(404, "Bridge not found")
        if lock.device_id not in bridge.locks:
            raise SimError(400, "Lock is not linked to the bridge")
        job_type, data = body.get("jobType"), body.get("jobData")
        if job_type not in set(JobType) or not (data is None or isinstance(data, dict)):
            raise SimError(400, "Unsupported jobType or jobData")
        self._check_data(lock, JobType(job_type), data or {})
        if not bridge.online:
            raise SimError(406, "Unable to contact bridge")
        if len(self.pending_jobs(bridge)) >= MAX_PENDING_JOBS:
            raise SimError(400, "Too many pending jobs for this bridge")
        now = self.clock()
        job = Job(secrets.token_hex(12), lock.device_id, bridge_id, job_type, data, now, now + JOB_LIFETIME)
        self.jobs[job.job_id] = job
        self.after(lambda: self._carry_out(job))
        return job

    def job_status(self, job_id: str, account: str) -> Job:
        """`GET /jobs/{jobId}`; a job the bridge did not carry out before its expiry has failed."""
        job = self.jobs.get(job_id)
        if job is None or self.locks[job.lock_id].account != account:
            raise SimError(404, "Job not found")
        if job.state == PENDING and self.clock() >= job.expires_at:
            job.state = FAILED
        return job

    def pending_jobs(self, bridge: Bridge) -> list[Job]:
        return [job for job in self.jobs.values() if job.bridge_id == bridge.device_id and job.state == PENDING]

    def _check_data(self, lock: Lock, job_type: JobType, data: dict[str, Any]) -> None:
        if job_type is JobType.CREATE_PIN:
            self._check_new_pin(lock, data)
        elif job_type is JobType.DELETE_PIN:
            _check_pin(data.get("pin"))
        elif job_type not in _UNCHECKED:
            raise SimError(400, "Unsupported jobType")

    def _check_new_pin(self, lock: Lock, data: dict[str, Any]) -> None:
        pin = _check_pin(data.get("pin"))
        if data.get("pinType") != DURATION_PIN:
            raise SimError(400, "'pinType' is not supported")
        name = data.get("accessName")
        if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
            raise SimError(400, f"'accessName' is required, at most {NAME_MAX} characters")
        start = parse_date(data.get("startDate"), "startDate", minutes=True)
        if parse_date(data.get("endDate"), "endDate", minutes=True) <= start:
            raise SimError(400, "'endDate' must be after 'startDate'")
        queued = {
            (job.data or {}).get("pin")
            for job in self.jobs.values()
            if job.lock_id == lock.device_id and job.state == PENDING and job.job_type == JobType.CREATE_PIN
        }
        if pin in lock.custom_pins or pin in queued:
            raise SimError(409, "PIN already exists on the lock")
        check_room(lock, self.clock())

    # -- the bridge's side ------------------------------------------------------------------------------------

    def _carry_out(self, job: Job) -> None:
        """The bridge reaches the lock and does the job (an offline bridge leaves it queued)."""
        bridge, lock, now = self.bridges[job.bridge_id], self.locks[job.lock_id], self.clock()
        if job.state != PENDING or not bridge.online:
            return
        if now >= job.expires_at:
            job.state = FAILED
            return
        data, key = job.data or {}, f"bridge-{bridge.device_id}"
        if job.job_type == JobType.LOCK:
            self.add_log(lock, BLUETOOTH_LOCK, key_id=key)
        elif job.job_type == JobType.UNLOCK:
            self.add_log(lock, BLUETOOTH_UNLOCK, key_id=key)
        elif job.job_type == JobType.CREATE_PIN:
            start = parse_date(data["startDate"], "startDate", minutes=True)
            end = parse_date(data["endDate"], "endDate", minutes=True)
            lock.custom_pins[data["pin"]] = CustomPin(data["pin"], data["accessName"], start, end)
        elif job.job_type == JobType.DELETE_PIN:
            lock.custom_pins.pop(data["pin"], None)
        elif job.job_type == JobType.GET_BATTERY_LEVEL:
            job.result = {"batteryLevel": lock.battery}
        elif job.job_type == JobType.GET_ACTIVITY_LOGS:
            self.sync_logs(lock.device_id)
        job.state = DONE

    # -- knobs ------------------------------------------------------------------------------------------------

    def set_bridge_online(self, bridge_id: str, online: bool, *, silent_for: timedelta = timedelta(days=1)) -> None:
        """Offline: jobs are refused (406) and queued ones wait; its `lastSync` goes back `silent_for` (as if it
        went silent then: igloohome shows a bridge's state only that way). Back online: queued jobs and the
        locks' logs go through.
        """
        bridge, now = self.bridges[bridge_id], self.clock()
        bridge.online = online
        bridge.last_seen = now if online else now - silent_for
        if not online:
            return
        for lock_id in bridge.locks:
            if self.locks[lock_id].unsynced:
                self.sync_logs(lock_id)
        for job in self.pending_jobs(bridge):
            self.after(partial(self._carry_out, job))

    def expire_jobs(self, when: datetime | None = None) -> None:
        """Every pending job expires now (or at `when`): the bridge never gets to them."""
        for job in self.jobs.values():
            if job.state == PENDING:
                job.expires_at = self.clock() if when is None else when


def _check_pin(pin: object) -> str:
    if not isinstance(pin, str) or not pin.isdigit() or not 4 <= len(pin) <= 6:
        raise SimError(400, "'pin' must be 4 to 6 digits")
    return pin
