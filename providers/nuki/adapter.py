"""The Nuki adapter: the provider contract on top of the Nuki Web API (translations live in mapping.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import msgspec

from providers.base import HeldCredentials, Provider, ProviderConfig, ProviderContext, SandboxCloud
from providers.errors import CapabilityNotSupported, DeviceOffline, ProviderAuthError, ProviderRejected
from providers.manifest import Capability, DeviceModel, ProviderManifest, WebhookTrust
from providers.nuki import client as api
from providers.nuki import mapping
from providers.nuki.client import NukiClient
from providers.nuki.models import KEYPAD_CODE, LOCK_TYPES, Action, LockState, ServerState, SmartlockLog, WebhookPayload
from schemas.providers import (
    AccessCodeSpec,
    AccountIdentity,
    ActionCheck,
    ActionKind,
    ActionReceipt,
    ActionState,
    AuthKind,
    ObservedAccessCode,
    ProviderDevice,
    ProviderEvent,
    WebhookResult,
)

MANIFEST = ProviderManifest(
    slug="nuki",
    display_name="Nuki",
    auth_kind=AuthKind.OAUTH2_AUTHORIZATION_CODE,
    models=(
        DeviceModel(mapping.WITH_KEYPAD, mapping.KEYPAD_CAPABILITIES, "A smart lock with a paired keypad."),
        DeviceModel(mapping.WITHOUT_KEYPAD, mapping.LOCK_CAPABILITIES, "A smart lock without keypad: no codes."),
    ),
    credential_fields=("api_token",),
    default_base_url="https://api.nuki.io",
    native_schedule_lead=timedelta(hours=72),
    action_timeout=timedelta(seconds=30),
    exempt={Capability.PROGRAM_OFFLINE_ACCESS_CODES: "Nuki has no algorithmic offline codes; keypad codes sync."},
    webhooks=WebhookTrust.SIGNED,
)

_TARGET = {ActionKind.LOCK: Action.LOCK, ActionKind.UNLOCK: Action.UNLOCK}
_REACHED = {ActionKind.LOCK: {LockState.LOCKED}, ActionKind.UNLOCK: {LockState.UNLOCKED, LockState.UNLATCHED}}
_FIND_NEW_CODE_DELAYS = (0.05, 0.2, 0.5, 1.0, 2.0)
MAX_LOG_PAGES = 20
"""At most 1,000 log entries per read; the next sync continues from the newest one read."""


class NukiProvider(Provider):
    manifest = MANIFEST

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self.api = NukiClient(context.http, context.config, context.credentials, context.pace)

    # -- accounts ---------------------------------------------------------------------------------------------

    @classmethod
    async def connect(cls, context: ProviderContext, submitted: Mapping[str, str]) -> dict[str, Any]:
        """API-token accounts: the token is tried before it is kept."""
        credentials = {"api_token": submitted["api_token"].strip()}
        await NukiClient(context.http, context.config, HeldCredentials(credentials)).account()
        return credentials

    @classmethod
    def authorization_url(cls, config: ProviderConfig, *, redirect_uri: str, state: str) -> str:
        return api.authorization_url(config, redirect_uri=redirect_uri, state=state)

    @classmethod
    async def exchange_code(cls, context: ProviderContext, *, code: str, redirect_uri: str) -> dict[str, Any]:
        return await api.request_token(
            context.http, context.config, "authorization_code", code=code, redirect_uri=redirect_uri
        )

    @classmethod
    def sandbox_cloud(cls, *, redirect_uri: str, base_url: str = "") -> SandboxCloud:
        from providers.nuki.sandbox import sandbox_cloud  # the simulator loads only when a sandbox asks for it

        return sandbox_cloud(redirect_uri=redirect_uri)

    @classmethod
    def parse_webhook(cls, config: ProviderConfig, headers: Mapping[str, str], body: bytes) -> WebhookResult:
        """Central webhooks, signed with the client secret (HMAC-SHA256 in `X-Nuki-Signature-SHA256`)."""
        signature = {name.lower(): value for name, value in headers.items()}.get(api.SIGNATURE_HEADER)
        if not config.client_secret or not api.verify_signature(config.client_secret, body, signature):
            raise ProviderAuthError("The Nuki webhook signature does not match.")
        try:
            payload = msgspec.json.decode(body, type=WebhookPayload)
            lock_id = payload.smartlock_auth.smartlock_id if payload.smartlock_auth else payload.smartlock_id
            device_ids = [str(lock_id)] if lock_id is not None else []
            if payload.feature != "DEVICE_LOGS":
                return WebhookResult(refresh_device_ids=device_ids)
            event = mapping.event_of(msgspec.json.decode(body, type=SmartlockLog))
        except msgspec.ValidationError as exc:
            raise ProviderRejected("invalid_webhook", f"The Nuki webhook is not shaped as documented: {exc}") from exc
        return WebhookResult(events=[event] if event else [], refresh_device_ids=device_ids)

    async def _identify(self) -> AccountIdentity:
        account = await self.api.account()
        return AccountIdentity(provider_account_id=str(account.account_id), display_name=account.email or account.name)

    # -- devices and actions ----------------------------------------------------------------------------------

    async def _list_devices(self) -> list[ProviderDevice]:
        return [mapping.to_device(lock) for lock in await self.api.smartlocks() if lock.type in LOCK_TYPES]

    async def _get_device(self, provider_device_id: str) -> ProviderDevice:
        lock = await self.api.smartlock(_lock_id(provider_device_id))
        if lock.type not in LOCK_TYPES:
            raise ProviderRejected(
                "device_not_found", f"Nuki device {provider_device_id} is not a lock (type {lock.type})."
            )
        return mapping.to_device(lock)

    async def _perform(self, device: ProviderDevice, action: ActionKind) -> ActionReceipt:
        lock_id = _lock_id(device.provider_device_id)
        if (await self.api.smartlock(lock_id)).server_state == ServerState.OFFLINE:
            raise DeviceOffline("The lock does not reach Nuki Web; the command would never arrive.")
        await self.api.action(lock_id, _TARGET[action])
        return ActionReceipt(confirmed=False, accepted_at=self.context.clock())

    async def _check_action(self, device: ProviderDevice, action: ActionKind, receipt: ActionReceipt) -> ActionCheck:
        """Nuki answers 204 before the lock moves: the lock's reported state confirms the command."""
        lock = await self.api.smartlock(_lock_id(device.provider_device_id))
        state = lock.state.state if lock.state else LockState.UNDEFINED
        if state in _REACHED[action]:
            return ActionCheck(state=ActionState.SUCCEEDED, was_confirmed_by_device=True)
        if state == LockState.MOTOR_BLOCKED:
            return _failed("device_jammed", "The lock's motor is blocked; the bolt did not move.")
        if lock.server_state == ServerState.OFFLINE:
            return _failed("device_offline", "The lock went offline before it confirmed the command.")
        return ActionCheck(state=ActionState.PENDING)

    # -- access codes -----------------------------------------------------------------------------------------

    async def _list_access_codes(self, device: ProviderDevice) -> list[ObservedAccessCode]:
        auths = await self.api.auths(_lock_id(device.provider_device_id), KEYPAD_CODE)
        return [mapping.observed(auth) for auth in auths]

    async def _create_access_code(self, device: ProviderDevice, spec: AccessCodeSpec) -> ObservedAccessCode:
        _check_code(spec)
        lock_id = _lock_id(device.provider_device_id)
        await self.api.create_auth(lock_id, mapping.auth_write(spec, create=True))
        for delay in _FIND_NEW_CODE_DELAYS:  # PUT answers 204 without an id: find the new auth by name and code
            for auth in await self.api.auths(lock_id, KEYPAD_CODE):
                if (
                    auth.code is not None
                    and str(auth.code) == spec.code
                    and auth.name == spec.name[: mapping.NAME_LENGTH]
                ):
                    return mapping.observed(auth)
            await asyncio.sleep(delay)
        raise ProviderRejected("failed_to_set_on_device", "Nuki accepted the code but does not list it.")

    async def _update_access_code(
        self, device: ProviderDevice, provider_code_id: str, spec: AccessCodeSpec
    ) -> ObservedAccessCode:
        _check_code(spec)
        lock_id = _lock_id(device.provider_device_id)
        await self.api.update_auth(lock_id, provider_code_id, mapping.auth_write(spec, create=False))
        for auth in await self.api.auths(lock_id, KEYPAD_CODE):
            if auth.id == provider_code_id:
                return mapping.observed(auth)
        raise ProviderRejected("access_code_not_found", f"Nuki no longer lists code {provider_code_id}.")

    async def _delete_access_code(self, device: ProviderDevice, provider_code_id: str) -> None:
        try:
            await self.api.delete_auth(_lock_id(device.provider_device_id), provider_code_id)
        except ProviderRejected as exc:
            if exc.code != "device_not_found":  # 404: the code is gone already, which is what was asked
                raise

    # -- events -----------------------------------------------------------------------------------------------

    async def _fetch_events(self, since: Any) -> list[ProviderEvent]:
        """Nuki answers newest first, 50 at most: page back (`id` = older than) until `since` is reached."""
        logs = await self.api.logs(from_date=since)
        for _ in range(MAX_LOG_PAGES):
            if len(logs) % api.LOG_PAGE_SIZE or not logs:
                break
            older = await self.api.logs(from_date=since, older_than=logs[-1].id)
            if not older:
                break
            logs += older
        events = [mapping.event_of(log) for log in reversed(logs)]  # oldest first, so equal times keep their order
        return sorted((event for event in events if event), key=lambda event: event.occurred_at)


def _lock_id(provider_device_id: str) -> int:
    try:
        return int(provider_device_id)
    except ValueError:
        raise ProviderRejected("device_not_found", f"{provider_device_id!r} is no Nuki smartlock id.") from None


def _check_code(spec: AccessCodeSpec) -> None:
    if spec.is_one_time_use:
        raise CapabilityNotSupported("is_one_time_use", "Nuki keypad codes cannot be limited to one use.")
    problem = mapping.code_problem(spec.code)
    if problem:
        raise ProviderRejected("code_constraint_violated", problem)


def _failed(code: str, message: str) -> ActionCheck:
    return ActionCheck(state=ActionState.FAILED, error_code=code, message=message)
