"""Custom PINs through the lock's bridge: created and deleted by bridge jobs (followed until the bridge carried them
out), with their native start and end. igloohome knows a custom PIN only by its value, so its provider code id is
`pin:<digits>`; an update is a removal and a creation (the new PIN first when the value changes, so the door is
never without a working code).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from providers import code_rules
from providers.errors import (
    CapabilityNotSupported,
    DeviceOffline,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
)
from providers.igloohome.client import IgloohomeClient, igloo_date, job_state
from providers.igloohome.mapping import NAME_LENGTH, bridge_of
from providers.igloohome.mapping_events import CUSTOM_PIN_PREFIX, custom_pin_id
from providers.igloohome.models import DURATION_PIN, CreatePinData, JobStatus, JobStatusCode
from schemas.providers import AccessCodeSpec, ActionState, ObservedAccessCode, ProviderDevice

OPEN_END = timedelta(days=3650)
"""A custom PIN always carries an end (`pinType` 4 is the only type any source shows): "no end" is ten years on."""


def zone_of(device: ProviderDevice) -> tzinfo:
    """Where the lock's local time is: the device's zone, else UTC (igloohome reports none)."""
    try:
        return ZoneInfo(device.timezone) if device.timezone else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def check_code(device: ProviderDevice, spec: AccessCodeSpec) -> None:
    """Refuse, before any vendor call, what the lock would refuse."""
    if spec.is_one_time_use:
        raise CapabilityNotSupported("is_one_time_use", "igloohome custom PINs cannot be limited to one use.")
    problem = code_rules.violation(spec.code, device.code_constraints)
    if problem is not None:
        raise ProviderRejected("code_constraint_violated", problem[1])


def pin_of(provider_code_id: str) -> str:
    pin = provider_code_id.removeprefix(CUSTOM_PIN_PREFIX)
    if not provider_code_id.startswith(CUSTOM_PIN_PREFIX) or not pin.isdigit():
        raise ProviderRejected("access_code_not_found", f"{provider_code_id!r} is no igloohome custom PIN.")
    return pin


async def bridge_id(api: IgloohomeClient, device: ProviderDevice) -> str:
    """The lock's bridge as last discovered, or as igloohome lists it now."""
    known = device.metadata.get("bridge_id")
    if known:
        return str(known)
    devices = await api.devices()
    lock = next((found for found in devices if found.device_id == device.provider_device_id), None)
    bridge = bridge_of(lock, devices) if lock else None
    if bridge is None:
        raise CapabilityNotSupported("can_program_online_access_codes", "The lock has no igloohome Bridge.")
    return bridge.device_id


def pin_data(spec: AccessCodeSpec, zone: tzinfo, now: datetime) -> CreatePinData:
    """The job's PIN: an open start is now (to the minute), an open end `OPEN_END` after the start."""
    start = spec.starts_at or now.replace(second=0, microsecond=0)
    end = spec.ends_at or start + OPEN_END
    if end <= start:
        raise ProviderRejected("time_frame_not_supported", "The code's window ends before it starts.")
    return CreatePinData(
        access_name=spec.name[:NAME_LENGTH],
        pin=spec.code,
        pin_type=DURATION_PIN,
        start_date=igloo_date(start, zone, minutes=True),
        end_date=igloo_date(end, zone, minutes=True),
    )


def job_failure(status: JobStatus, what: str) -> ProviderError:
    """Why a job failed: expired in the bridge's queue (bridge offline or out of the lock's reach), or refused."""
    response = status.job_response
    if response is not None and response.job_status != JobStatusCode.FAILED and response.op_result is not None:
        detail = response.message or f"result {response.op_result.result}"
        return ProviderRejected(f"failed_to_{what}", f"The lock refused the bridge's job ({detail}).")
    return DeviceOffline(f"The bridge did not carry out the job before it expired (job {status.job_id}).")


async def create(api: IgloohomeClient, device: ProviderDevice, spec: AccessCodeSpec) -> ObservedAccessCode:
    """Send the PIN and follow the job until the bridge carried it out. igloohome cannot list PINs, so nothing could
    confirm a job left queued later: it is a transient failure (the next try finds the PIN there or sends it again).
    A PIN the lock holds already is this code's (igloohome knows a PIN by its value): an earlier try put it there.
    """
    data = pin_data(spec, zone_of(device), api.clock())
    try:
        job_id = await api.create_pin(device.provider_device_id, await bridge_id(api, device), data)
    except ProviderRejected as exc:
        if exc.code != "duplicate_code_on_device":
            raise
        return _observed(spec)
    status = await api.wait_for_job(job_id)
    state = job_state(status, api.clock())
    if state is ActionState.FAILED:
        raise job_failure(status, "set_on_device")
    if state is ActionState.PENDING:
        raise ProviderUnavailable(f"The bridge has not set the PIN yet (job {job_id}); try again later.")
    return _observed(spec)


async def delete(api: IgloohomeClient, device: ProviderDevice, pin: str) -> None:
    """Removing a PIN the lock does not hold is no error; the removal must be done before this returns."""
    job_id = await api.delete_pin(device.provider_device_id, await bridge_id(api, device), pin)
    status = await api.wait_for_job(job_id)
    state = job_state(status, api.clock())
    if state is ActionState.FAILED:
        raise job_failure(status, "remove_from_device")
    if state is ActionState.PENDING:
        raise ProviderUnavailable(f"The bridge has not removed the PIN yet (job {job_id}); try again later.")


async def update(
    api: IgloohomeClient, device: ProviderDevice, provider_code_id: str, spec: AccessCodeSpec
) -> ObservedAccessCode:
    check_code(device, spec)
    old = pin_of(provider_code_id)
    if spec.code == old:
        await delete(api, device, old)
        return await create(api, device, spec)
    created = await create(api, device, spec)
    await delete(api, device, old)
    return created


def _observed(spec: AccessCodeSpec) -> ObservedAccessCode:
    return ObservedAccessCode(
        provider_code_id=custom_pin_id(spec.code),
        name=spec.name[:NAME_LENGTH],
        code=spec.code,
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
    )
