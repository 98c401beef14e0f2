"""The TTLock adapter: the provider contract on top of the TTLock cloud (translations live in mapping.py and
records.py). Everything that reaches the lock goes through its gateway, one command per lock at a time.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from providers import code_rules, time_frames
from providers.base import Provider, ProviderContext, SandboxCloud
from providers.errors import CapabilityNotSupported, DeviceOffline, ProviderRejected
from providers.manifest import Capability, DeviceModel, ProviderManifest, WebhookTrust
from providers.ttlock import mapping, records
from providers.ttlock.client import TTLockClient, login, md5_hex
from providers.ttlock.models import Feature, Gateway, LockDetail, OpenState, PasscodeType
from schemas.providers import (
    AccessCodeSpec,
    AccountIdentity,
    ActionCheck,
    ActionKind,
    ActionReceipt,
    ActionState,
    AuthKind,
    ObservedAccessCode,
    OfflineAccessCode,
    OfflineCodeSpec,
    ProviderDevice,
    ProviderEvent,
    ProviderIssue,
    WebhookResult,
)

KEYPAD = {Capability.PROGRAM_OFFLINE_ACCESS_CODES, Capability.LIST_ACCESS_CODES}
REMOTE = {Capability.REMOTELY_LOCK, Capability.REMOTELY_UNLOCK}
ONLINE_CODES = {Capability.PROGRAM_ONLINE_ACCESS_CODES, Capability.PROGRAM_TIME_BOUND_CODES_NATIVELY}
MANIFEST = ProviderManifest(
    slug="ttlock",
    display_name="TTLock",
    auth_kind=AuthKind.PASSWORD,
    models=(
        DeviceModel(
            mapping.KEYPAD_WITH_GATEWAY,
            frozenset(KEYPAD | REMOTE | ONLINE_CODES),
            "A keypad lock bound to a gateway (or on Wi-Fi): codes and commands reach it.",
        ),
        DeviceModel(mapping.KEYPAD_ALONE, frozenset(KEYPAD), "A keypad lock without gateway: offline codes only."),
        DeviceModel(mapping.LOCK_WITH_GATEWAY, frozenset(REMOTE), "A lock without keypad, bound to a gateway."),
        DeviceModel(mapping.LOCK_ALONE, frozenset(), "A lock without keypad or gateway: Bluetooth only."),
    ),
    credential_fields=("username", "password"),
    default_base_url="https://euapi.ttlock.com",
    native_schedule_lead=timedelta(hours=72),
    native_window_step=timedelta(minutes=1),
    action_timeout=timedelta(seconds=60),
    exempt={},
    requests_per_second=10.0,
    request_burst=20,
    says_when_to_retry=False,
    webhooks=WebhookTrust.URL_TOKEN,
    webhook_answer="success",
    offline_codes_removable=True,
)
_KINDS = {"Period": PasscodeType.PERIOD, "One-time": PasscodeType.ONE_TIME, "Permanent": PasscodeType.PERMANENT}
_commands: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
"""One gateway command per lock at a time in this process (a second one would find the gateway busy)."""


class TTLockProvider(Provider):
    manifest = MANIFEST

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self.api = TTLockClient(context.http, context.config, context.credentials, context.pace, context.clock)

    # -- accounts ---------------------------------------------------------------------------------------------

    @classmethod
    async def connect(cls, context: ProviderContext, submitted: Mapping[str, str]) -> dict[str, Any]:
        """The app account's login, tried before it is kept; the password only as its MD5 (TTLock's own form)."""
        username, password_md5 = submitted["username"].strip(), md5_hex(submitted["password"])
        token = await login(context.http, context.config, context.clock, username, password_md5)
        return {"username": username, "password_md5": password_md5, **token}

    @classmethod
    def sandbox_cloud(cls, *, redirect_uri: str, base_url: str = "") -> SandboxCloud:
        from providers.ttlock.sandbox import sandbox_cloud  # the simulator loads only when a sandbox asks for it

        return sandbox_cloud(redirect_uri=redirect_uri)

    @classmethod
    def parse_webhook(cls, config: Any, headers: Mapping[str, str], body: bytes) -> WebhookResult:
        """TTLock signs nothing: a callback is only a hint to read the lock (or, for a gateway, the account) again;
        its URL's token says which account it is about.
        """
        form = {name: values[0] for name, values in parse_qs(body.decode(errors="replace")).items() if values}
        kind = form.get("notifyType", "")
        if kind == "2":
            return WebhookResult(refresh_account=True)
        if kind.isdigit() and form.get("lockId", "").isdigit():
            return WebhookResult(refresh_device_ids=[form["lockId"]])
        raise ProviderRejected("invalid_webhook", "The TTLock callback names no notifyType and lock.")

    async def _identify(self) -> AccountIdentity:
        await self.api.gateways()  # proves the token works (and refreshes it first if need be)
        credentials = await self.context.credentials.load()
        username = credentials.get("username")
        return AccountIdentity(provider_account_id=str(credentials.get("uid") or username), display_name=username)

    # -- devices and actions ----------------------------------------------------------------------------------

    async def _list_devices(self) -> list[ProviderDevice]:
        gateways = await self.api.gateways()
        bound: defaultdict[int, list[Gateway]] = defaultdict(list)
        for gateway in gateways:
            for seen in await self.api.gateway_locks(gateway.gateway_id):
                bound[seen.lock_id].append(gateway)
        return [await self._device(item.lock_id, bound[item.lock_id]) for item in await self.api.locks()]

    async def _get_device(self, provider_device_id: str) -> ProviderDevice:
        lock_id = _lock_id(provider_device_id)
        bound = []
        for gateway in await self.api.gateways():
            if any(seen.lock_id == lock_id for seen in await self.api.gateway_locks(gateway.gateway_id)):
                bound.append(gateway)
        return await self._device(lock_id, bound)

    async def _device(self, lock_id: int, gateways: list[Gateway]) -> ProviderDevice:
        detail = await self.api.lock_detail(lock_id)
        state, answers = await self._state(detail, gateways)
        return mapping.to_device(detail, gateways, state, answers=answers)

    async def _state(self, lock: LockDetail, gateways: list[Gateway]) -> tuple[OpenState | None, bool]:
        """Whether the lock is open, asked through its gateway when one is online (the only way TTLock knows)."""
        online = lock.has(Feature.WIFI) or any(gateway.is_online for gateway in gateways)
        if not mapping.reachable_remotely(lock) or not online:
            return None, True
        try:
            async with _one_command(lock.lock_id):
                return await self.api.open_state(lock.lock_id), True
        except DeviceOffline:
            return None, False

    async def _perform(self, device: ProviderDevice, action: ActionKind) -> ActionReceipt:
        """Synchronous through the gateway: the answer comes once the lock has moved."""
        lock_id = _lock_id(device.provider_device_id)
        async with _one_command(lock_id):
            await (self.api.lock(lock_id) if action is ActionKind.LOCK else self.api.unlock(lock_id))
        return ActionReceipt(confirmed=True, accepted_at=self.context.clock())

    async def _check_action(self, device: ProviderDevice, action: ActionKind, receipt: ActionReceipt) -> ActionCheck:
        return ActionCheck(state=ActionState.SUCCEEDED, was_confirmed_by_device=True)

    # -- access codes -----------------------------------------------------------------------------------------

    async def _list_access_codes(self, device: ProviderDevice) -> list[ObservedAccessCode]:
        passcodes = await self.api.passcodes(_lock_id(device.provider_device_id))
        return [mapping.observed(passcode) for passcode in passcodes]

    async def _create_access_code(self, device: ProviderDevice, spec: AccessCodeSpec) -> ObservedAccessCode:
        _check_code(device, spec)
        lock_id = _lock_id(device.provider_device_id)
        start, end = mapping.dates(spec.starts_at, spec.ends_at)
        async with _one_command(lock_id):
            passcode_id = await self.api.add_passcode(lock_id, spec.code, spec.name, start, end)
        return _written(str(passcode_id), spec)

    async def _update_access_code(
        self, device: ProviderDevice, provider_code_id: str, spec: AccessCodeSpec
    ) -> ObservedAccessCode:
        _check_code(device, spec)
        lock_id = _lock_id(device.provider_device_id)
        start, end = mapping.dates(spec.starts_at, spec.ends_at)
        async with _one_command(lock_id):
            await self.api.change_passcode(
                lock_id, _code_id(provider_code_id), name=spec.name, code=spec.code, start=start, end=end
            )
        return _written(provider_code_id, spec)

    async def _delete_access_code(self, device: ProviderDevice, provider_code_id: str) -> None:
        lock_id = _lock_id(device.provider_device_id)
        try:
            async with _one_command(lock_id):
                await self.api.delete_passcode(lock_id, _code_id(provider_code_id))
        except ProviderRejected as exc:
            if exc.code != "access_code_not_found":  # gone already: what was asked
                raise

    async def _create_offline_access_code(self, device: ProviderDevice, spec: OfflineCodeSpec) -> OfflineAccessCode:
        """A random code the cloud computes (no gateway needed), for a window one of the lock's options takes."""
        now = self.context.clock()
        try:
            fitted = time_frames.fit(
                device.code_constraints.offline_time_frame_options,
                starts_at=spec.starts_at,
                ends_at=spec.ends_at,
                one_time=spec.is_one_time_use,
                rounding=None,
                now=now,
            )
        except time_frames.NoFit as exc:
            raise ProviderRejected("time_frame_not_supported", str(exc)) from exc
        kind = _KINDS[fitted.option.display_name]
        start = fitted.starts_at or time_frames.floor_to_grid(now, fitted.option)
        end = fitted.ends_at if kind == PasscodeType.PERIOD else None
        lock_id = _lock_id(device.provider_device_id)
        issued = await self.api.random_passcode(lock_id, kind, spec.name, start, end)
        return OfflineAccessCode(
            code=str(issued.keyboard_pwd),
            provider_code_id=str(issued.keyboard_pwd_id),
            starts_at=fitted.starts_at,
            ends_at=fitted.ends_at,
            warnings=[_use_within(start)] if kind == PasscodeType.PERMANENT else [],
        )

    # -- events -----------------------------------------------------------------------------------------------

    async def _fetch_events(self, since: datetime) -> list[ProviderEvent]:
        now = self.context.clock()
        events = [
            event
            for lock in await self.api.locks()
            for record in await self.api.records(lock.lock_id, since, now)
            if (event := records.event_of(lock.lock_id, record)) is not None and event.occurred_at >= since
        ]
        return sorted(events, key=lambda event: (event.occurred_at, event.provider_event_id))


@asynccontextmanager
async def _one_command(lock_id: int) -> AsyncIterator[None]:
    async with _commands[str(lock_id)]:
        yield


def _written(provider_code_id: str, spec: AccessCodeSpec) -> ObservedAccessCode:
    """The gateway answered only after the lock took the code: the lock holds `spec` now."""
    return ObservedAccessCode(
        provider_code_id=provider_code_id,
        name=spec.name,
        code=spec.code,
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
    )


def _check_code(device: ProviderDevice, spec: AccessCodeSpec) -> None:
    if spec.is_one_time_use:
        raise CapabilityNotSupported("is_one_time_use", "A TTLock custom code cannot be limited to one use.")
    broken = code_rules.violation(spec.code, device.code_constraints)
    if broken is not None:
        raise ProviderRejected("code_constraint_violated", broken[1])


def _use_within(start: datetime) -> ProviderIssue:
    deadline = (start + mapping.FIRST_USE_WITHIN).isoformat()
    return ProviderIssue(
        error_code="must_be_used_within_time_limit",
        message=f"Use the code a first time within 24 h (by {deadline}) or it stops working.",
    )


def _lock_id(provider_device_id: str) -> int:
    try:
        return int(provider_device_id)
    except ValueError:
        raise ProviderRejected("device_not_found", f"{provider_device_id!r} is no TTLock lock id.") from None


def _code_id(provider_code_id: str) -> int:
    try:
        return int(provider_code_id)
    except ValueError:
        raise ProviderRejected("access_code_not_found", f"{provider_code_id!r} is no TTLock passcode id.") from None
