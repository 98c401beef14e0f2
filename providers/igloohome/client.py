"""The igloohome API (iglooaccess), one method per endpoint: paths, bodies, date format, authentication and error
decoding into the typed provider errors. The token side is in client_auth.py.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import httpx
import msgspec

from providers.base import CredentialStore, ProviderConfig, unpaced
from providers.errors import DeviceOffline, ProviderRejected, ProviderUnavailable
from providers.http import raise_for_common_status, vendor_message
from providers.igloohome.client_auth import VENDOR, TokenCache
from providers.igloohome.models import (
    ActivityJobData,
    ActivityPage,
    AlgoPin,
    AlgoPinBody,
    CreatePinData,
    DeletePinData,
    Device,
    DevicePage,
    ErrorBody,
    JobBody,
    JobCreated,
    JobStatus,
    JobStatusCode,
    JobType,
)
from schemas.providers import ActionState

DEFAULT_BASE_URL = "https://api.igloodeveloper.co/igloohome"
ACTIVITY_PAGE_SIZE = 50
MAX_DEVICE_PAGES = 50
JOB_POLL_SECONDS, JOB_WAIT_SECONDS = 2.0, 45.0
"""How third-party pollers follow a bridge job (every 2-3 s, up to 45-60 s); `config.extra` may shorten both."""
VARIANCE_USED = "variance_used"
"""A refusal of one variance of a time slot: the next variance may still be free."""
_TIME_WORDS = ("date", "duration", "hour", "day", "time", "limit")


class AlgoPinKind(enum.StrEnum):
    HOURLY = "hourly"
    DAILY = "daily"
    ONE_TIME = "onetime"
    PERMANENT = "permanent"


def igloo_date(moment: datetime, zone: tzinfo, *, minutes: bool = False) -> str:
    """`YYYY-MM-DDTHH:00:00+hh:mm` in `zone` with its explicit offset (`minutes`: `HH:MM:00`, for bridge PINs)."""
    local = moment.astimezone(zone)
    if local.second or local.microsecond or (local.minute and not minutes):
        step = "minute" if minutes else "hour"
        raise ProviderRejected("time_frame_not_supported", f"{VENDOR} takes whole {step}s only, not {moment}.")
    offset = local.utcoffset() or timedelta(0)
    sign, size = ("-", -offset) if offset < timedelta(0) else ("+", offset)
    hours, rest = divmod(int(size.total_seconds()) // 60, 60)
    return f"{local:%Y-%m-%dT%H:%M}:00{sign}{hours:02d}:{rest:02d}"


def job_state(status: JobStatus, now: datetime) -> ActionState:
    """Done when `completed` (or `jobStatus` 0), failed on `jobStatus` 2, a non-zero operation result or a job past
    its `expiryDate`; otherwise still waiting in the bridge's queue.
    """
    response = status.job_response
    code = response.job_status if response else None
    result = response.op_result.result if response and response.op_result else None
    if code == JobStatusCode.FAILED or result not in (None, 0, "0"):
        return ActionState.FAILED
    if status.completed or code == JobStatusCode.DONE:
        return ActionState.SUCCEEDED
    expiry = _instant(status.expiry_date)
    return ActionState.FAILED if expiry is not None and expiry <= now else ActionState.PENDING


class IgloohomeClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        config: ProviderConfig,
        credentials: CredentialStore,
        pace: Callable[[], Awaitable[None]] = unpaced,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.http = http
        self.config = config
        self.base_url = (config.base_url or DEFAULT_BASE_URL).rstrip("/")
        self.pace = pace
        self.clock = clock
        self.auth = TokenCache(http, config, credentials, pace)
        self.job_poll_seconds = float(config.extra.get("job_poll_seconds", JOB_POLL_SECONDS))
        self.job_wait_seconds = float(config.extra.get("job_wait_seconds", JOB_WAIT_SECONDS))

    # -- devices ----------------------------------------------------------------------------------------------

    async def devices_page(self, cursor: str | None = None) -> DevicePage:
        params = {"cursor": cursor} if cursor else None
        return msgspec.json.decode((await self._call("GET", "/devices", params=params)).content, type=DevicePage)

    async def devices(self) -> list[Device]:
        """Every device of the account: locks, bridges and keypads, following `nextCursor`."""
        found: list[Device] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_DEVICE_PAGES):
            page = await self.devices_page(cursor)
            found += page.payload
            cursor = page.next_cursor or None
            if cursor is None or cursor in seen:
                break
            seen.add(cursor)
        return found

    async def device(self, device_id: str) -> Device:
        return msgspec.json.decode((await self._call("GET", f"/devices/{device_id}")).content, type=Device)

    # -- algoPINs ---------------------------------------------------------------------------------------------

    async def algopin(self, device_id: str, kind: AlgoPinKind, body: AlgoPinBody) -> AlgoPin:
        """A PIN computed for the window; a variance of the slot issued before is refused as `variance_used`."""
        response = await self._call(
            "POST", f"/devices/{device_id}/algopin/{kind}", json=msgspec.to_builtins(body), conflict=VARIANCE_USED
        )
        return msgspec.json.decode(response.content, type=AlgoPin)

    # -- bridge jobs ------------------------------------------------------------------------------------------

    async def create_job(self, lock_id: str, bridge_id: str, job_type: JobType, data: Any = None) -> str:
        body = JobBody(job_type=job_type, job_data=msgspec.to_builtins(data) if data is not None else None)
        response = await self._call(
            "POST",
            f"/devices/{lock_id}/jobs/bridges/{bridge_id}",
            json=msgspec.to_builtins(body),
            conflict="duplicate_code_on_device",
        )
        return msgspec.json.decode(response.content, type=JobCreated).job_id

    async def lock(self, lock_id: str, bridge_id: str) -> str:
        return await self.create_job(lock_id, bridge_id, JobType.LOCK)

    async def unlock(self, lock_id: str, bridge_id: str) -> str:
        return await self.create_job(lock_id, bridge_id, JobType.UNLOCK)

    async def create_pin(self, lock_id: str, bridge_id: str, data: CreatePinData) -> str:
        return await self.create_job(lock_id, bridge_id, JobType.CREATE_PIN, data)

    async def delete_pin(self, lock_id: str, bridge_id: str, pin: str) -> str:
        """Custom PINs are deleted by their value (there is no PIN id for them)."""
        return await self.create_job(lock_id, bridge_id, JobType.DELETE_PIN, DeletePinData(pin=pin))

    async def request_activity_upload(self, lock_id: str, bridge_id: str, lock_time: str) -> str:
        """Job 15: the bridge fetches the lock's logs, which then appear on `activity` (the job carries none)."""
        return await self.create_job(lock_id, bridge_id, JobType.GET_ACTIVITY_LOGS, ActivityJobData(lock_time))

    async def job(self, job_id: str) -> JobStatus:
        response = await self._call("GET", f"/jobs/{job_id}", not_found="job_not_found")
        return msgspec.json.decode(response.content, type=JobStatus)

    async def wait_for_job(self, job_id: str) -> JobStatus:
        """The job's status once it is done or failed, or as it is when `job_wait_seconds` have passed."""
        waited = 0.0
        while True:
            status = await self.job(job_id)
            if job_state(status, self.clock()) is not ActionState.PENDING or waited >= self.job_wait_seconds:
                return status
            await asyncio.sleep(self.job_poll_seconds)
            waited += self.job_poll_seconds

    # -- activity ---------------------------------------------------------------------------------------------

    async def activity(self, device_id: str, cursor: str | None = None) -> ActivityPage:
        params: dict[str, Any] = {"pageSize": ACTIVITY_PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        response = await self._call("GET", f"/devices/{device_id}/activity", params=params)
        return msgspec.json.decode(response.content, type=ActivityPage)

    # -- requests ---------------------------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        *,
        conflict: str = "provider_rejected",
        not_found: str = "device_not_found",
        **kwargs: Any,
    ) -> httpx.Response:
        """One request with the cached token; refused as unauthorised, it is sent once more with a new token."""
        token = await self.auth.token()
        response = await self._send(method, path, token, **kwargs)
        if response.status_code in (401, 403):
            response = await self._send(method, path, await self.auth.refetch(token), **kwargs)
        raise_for_status(response, conflict=conflict, not_found=not_found)
        return response

    async def _send(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        await self.pace()
        return await self.http.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)


def error_message(response: httpx.Response) -> str:
    """The error's text as clients read it: `message`, else `error_description` or `error`, else the body."""
    try:
        body = msgspec.json.decode(response.content, type=ErrorBody)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return vendor_message(response)
    return body.message or body.error_description or body.error or vendor_message(response)


def raise_for_status(response: httpx.Response, *, conflict: str, not_found: str) -> None:
    if response.is_success:
        return
    status, message = response.status_code, error_message(response)
    words = message.lower()
    if status == 406 or "contact bridge" in words:
        raise DeviceOffline(f"{VENDOR} cannot reach the lock's bridge (HTTP {status}): {message}")
    if "pending job" in words:
        raise ProviderUnavailable(f"The bridge has too many pending jobs; {VENDOR} takes no more for now: {message}")
    raise_for_common_status(response, VENDOR)
    if status == 404:
        raise ProviderRejected(not_found, f"{VENDOR} does not know it (HTTP 404): {message}")
    code = conflict if status == 409 else _rejection(words) if status in (400, 422) else "provider_rejected"
    raise ProviderRejected(code, f"{VENDOR} refused the request (HTTP {status}): {message}")


def _rejection(words: str) -> str:
    if "maximum" in words and ("code" in words or "pin" in words):
        return "no_space_for_access_code_on_device"
    if any(word in words for word in _TIME_WORDS):
        return "time_frame_not_supported"
    if "pin" in words:
        return "code_constraint_violated"
    return "invalid_request"


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
