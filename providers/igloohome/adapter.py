"""The igloohome adapter: the provider contract on top of the igloohome API (translations in mapping*.py, PINs in
adapter_codes.py and adapter_offline.py).

Accounts connect with an API client id and secret from the iglooaccess portal. igloohome has no account endpoint,
so the account is known by its client id. Locks with a bridge lock, unlock and take custom PINs through bridge
jobs; every lock issues offline algoPINs. igloohome cannot list a lock's PINs and sends no webhooks (none found).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from providers.base import Provider, ProviderContext, SandboxCloud
from providers.errors import ProviderRejected
from providers.igloohome import adapter_codes, adapter_offline, mapping
from providers.igloohome.client import DEFAULT_BASE_URL, IgloohomeClient, job_state
from providers.igloohome.client_auth import client_credentials, request_token
from providers.igloohome.mapping_events import entry_time, event_of
from providers.igloohome.models import ActivityEntry
from providers.manifest import Capability, DeviceModel, ProviderManifest, WebhookTrust
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
)

MANIFEST = ProviderManifest(
    slug="igloohome",
    display_name="igloohome",
    auth_kind=AuthKind.CLIENT_CREDENTIALS,
    models=(
        DeviceModel(
            mapping.WITH_BRIDGE,
            mapping.BRIDGE_CAPABILITIES,
            "A lock linked to an igloohome Bridge: remote lock and unlock, custom PINs with native windows, algoPINs.",
        ),
        DeviceModel(mapping.WITHOUT_BRIDGE, mapping.OFFLINE_CAPABILITIES, "A lock without a bridge: algoPINs only."),
        DeviceModel(mapping.PADLOCK, mapping.OFFLINE_CAPABILITIES, "A padlock without a bridge: algoPINs only."),
    ),
    credential_fields=("client_id", "client_secret"),
    default_base_url=DEFAULT_BASE_URL,
    native_schedule_lead=timedelta(hours=72),
    native_window_step=timedelta(minutes=1),
    action_timeout=timedelta(seconds=60),
    exempt={
        Capability.LIST_ACCESS_CODES: "The igloohome API has no endpoint that lists a lock's PINs.",
    },
    says_when_to_retry=True,
    webhooks=WebhookTrust.NONE,
    offline_codes_removable=False,
)
MAX_ACTIVITY_PAGES = 20
"""At most 1,000 log rows per lock and read; the next read continues from the newest event seen."""
_JOBS = {ActionKind.LOCK: IgloohomeClient.lock, ActionKind.UNLOCK: IgloohomeClient.unlock}


class IgloohomeProvider(Provider):
    manifest = MANIFEST

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self.api = IgloohomeClient(context.http, context.config, context.credentials, context.pace, context.clock)

    # -- accounts ---------------------------------------------------------------------------------------------

    @classmethod
    async def connect(cls, context: ProviderContext, submitted: Mapping[str, str]) -> dict[str, Any]:
        """The client credentials are tried (a token is requested) before they are kept."""
        credentials = {name: submitted.get(name, "").strip() for name in MANIFEST.credential_fields}
        await request_token(context.http, context.config, *client_credentials(credentials), context.pace)
        return credentials

    @classmethod
    def sandbox_cloud(cls, *, redirect_uri: str, base_url: str = "") -> SandboxCloud:
        from providers.igloohome.sandbox import sandbox_cloud  # the simulator loads only when a sandbox asks for it

        return sandbox_cloud(redirect_uri=redirect_uri, base_url=base_url)

    async def _identify(self) -> AccountIdentity:
        """The igloohome API has no account endpoint: reading the devices proves the credentials, and the client id
        names the account (one iglooaccess account with two API clients is two connected accounts).
        """
        await self.api.devices_page()
        client_id, _ = client_credentials(await self.context.credentials.load())
        return AccountIdentity(provider_account_id=client_id, display_name=f"igloohome API client {client_id}")

    # -- devices and actions ----------------------------------------------------------------------------------

    async def _list_devices(self) -> list[ProviderDevice]:
        devices, now = await self.api.devices(), self.context.clock()
        return [mapping.to_device(device, devices, now) for device in devices if mapping.is_lock(device)]

    async def _get_device(self, provider_device_id: str) -> ProviderDevice:
        lock = await self.api.device(provider_device_id)
        if not mapping.is_lock(lock):
            raise ProviderRejected("device_not_found", f"igloohome device {provider_device_id} is a {lock.type}.")
        return mapping.to_device(lock, await self.api.devices(), self.context.clock())

    async def _perform(self, device: ProviderDevice, action: ActionKind) -> ActionReceipt:
        """A bridge job: accepted now, carried out when the bridge reaches the lock (`check_action` follows it)."""
        bridge = await adapter_codes.bridge_id(self.api, device)
        job_id = await _JOBS[action](self.api, device.provider_device_id, bridge)
        return ActionReceipt(confirmed=False, accepted_at=self.context.clock(), reference=job_id)

    async def _check_action(self, device: ProviderDevice, action: ActionKind, receipt: ActionReceipt) -> ActionCheck:
        """Confirmed once the job completed: the bridge heard back from the lock (its lock state stays unknown)."""
        if not receipt.reference:
            return ActionCheck(state=ActionState.FAILED, error_code="action_failed", message="No bridge job to follow.")
        try:
            status = await self.api.job(receipt.reference)
        except ProviderRejected as exc:
            if exc.code != "job_not_found":
                raise
            return ActionCheck(state=ActionState.FAILED, error_code="action_failed", message=exc.message)
        state = job_state(status, self.context.clock())
        if state is ActionState.SUCCEEDED:
            return ActionCheck(state=state, was_confirmed_by_device=True)
        if state is ActionState.FAILED:
            failure = adapter_codes.job_failure(status, "act")
            code = failure.code if failure.code == "device_offline" else "action_failed"
            return ActionCheck(state=state, error_code=code, message=failure.message)
        return ActionCheck(state=ActionState.PENDING)

    # -- access codes -----------------------------------------------------------------------------------------

    async def _create_access_code(self, device: ProviderDevice, spec: AccessCodeSpec) -> ObservedAccessCode:
        adapter_codes.check_code(device, spec)
        return await adapter_codes.create(self.api, device, spec)

    async def _update_access_code(
        self, device: ProviderDevice, provider_code_id: str, spec: AccessCodeSpec
    ) -> ObservedAccessCode:
        return await adapter_codes.update(self.api, device, provider_code_id, spec)

    async def _delete_access_code(self, device: ProviderDevice, provider_code_id: str) -> None:
        await adapter_codes.delete(self.api, device, adapter_codes.pin_of(provider_code_id))

    async def _create_offline_access_code(self, device: ProviderDevice, spec: OfflineCodeSpec) -> OfflineAccessCode:
        return await adapter_offline.issue(self.api, device, spec)

    # -- events -----------------------------------------------------------------------------------------------

    async def _fetch_events(self, since: datetime) -> list[ProviderEvent]:
        """Every lock's rows since `since`, oldest first; a row read twice (a page boundary that moved as new rows
        came in) counts once.
        """
        events: dict[str, ProviderEvent] = {}
        for lock in [device for device in await self.api.devices() if mapping.is_lock(device)]:
            for entry in reversed(await self._activity(lock.device_id, since)):
                event = event_of(lock.device_id, entry)
                if event is not None and event.occurred_at >= since:
                    events.setdefault(event.provider_event_id, event)
        return sorted(events.values(), key=lambda event: event.occurred_at)

    async def _activity(self, device_id: str, since: datetime) -> list[ActivityEntry]:
        """The lock's rows, page by page, until a page in newest-first order reaches back past `since`."""
        rows: list[ActivityEntry] = []
        cursor: str | None = None
        for _ in range(MAX_ACTIVITY_PAGES):
            page = await self.api.activity(device_id, cursor)
            rows += page.payload
            cursor = page.next_cursor or None
            if cursor is None or _reaches_back(page.payload, since):
                break
        return rows


def _reaches_back(rows: list[ActivityEntry], since: datetime) -> bool:
    """The page is newest first and its oldest row is before `since` (igloohome documents no order: a page in
    any other order never ends the reading early).
    """
    times = [moment for moment in (entry_time(row) for row in rows) if moment is not None]
    descending = all(later >= earlier for later, earlier in itertools.pairwise(times))
    return bool(times) and descending and times[-1] < since
