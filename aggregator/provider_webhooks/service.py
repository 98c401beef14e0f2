"""Receiving a vendor callback: check its URL token and signature, record the events it carries, and have the
devices it names read again (their state by an account sync, their codes by a reconcile).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from aggregator.connected_accounts import repository as accounts
from aggregator.connected_accounts.repository import AccountRecord
from aggregator.connected_accounts.service import enqueue_sync
from aggregator.connected_accounts.sync import from_vendor
from aggregator.devices import repository as devices
from aggregator.devices.repository import StoredDevice
from aggregator.events.repository import insert_event
from aggregator.http import errors
from aggregator.http.errors import ApiError
from aggregator.reconcile.triggers import request_reconcile
from aggregator.runtime import Runtime
from providers.base import Provider, ProviderConfig
from providers.errors import CapabilityNotSupported, ProviderAuthError, ProviderError
from providers.manifest import WebhookTrust
from schemas import ConnectedAccountStatus, ProviderWebhook, ProviderWebhookReceipt
from schemas.providers import WebhookResult

PATH = "/v1/provider_webhooks"


def webhook_of(runtime: Runtime, account_id: uuid.UUID, provider: str) -> ProviderWebhook:
    trust = runtime.vendors.provider(provider).manifest.webhooks
    if trust is WebhookTrust.NONE:
        raise ApiError(errors.PROVIDER_WEBHOOK_NOT_FOUND, f"{provider} sends no callbacks.")
    url = f"{runtime.settings.public_base_url}{PATH}/{provider}/{runtime.webhook_tokens.token(account_id)}"
    return ProviderWebhook(connected_account_id=account_id, provider=provider, url=url, trust=trust.value)


async def receive(
    runtime: Runtime, provider: str, token: str, headers: Mapping[str, str], body: bytes
) -> ProviderWebhookReceipt:
    account = await _account(runtime, provider, token)
    adapter = runtime.vendors.provider(provider)
    result = _parsed(adapter, runtime.vendors.config(provider), headers, body)
    anywhere = adapter.manifest.webhooks is WebhookTrust.SIGNED
    named = [event.provider_device_id for event in result.events if event.provider_device_id]
    found = await devices.by_vendor_ids(
        runtime.db, provider, [*result.refresh_device_ids, *named], None if anywhere else account.id
    )
    owners = {account.id: account} | {
        record.id: record
        for record in await _accounts(runtime, {stored.device.connected_account_id for stored in found})
    }
    recorded = await _record_events(runtime, result, found, owners, account)
    await _read_again(runtime, found, owners)
    if result.refresh_account and account.status is ConnectedAccountStatus.ACTIVE:
        await enqueue_sync(runtime.jobs, account.id)  # asked twice (a device named too): one job id, one sync
    return ProviderWebhookReceipt(events_recorded=recorded, devices_refreshed=len(found))


async def _account(runtime: Runtime, provider: str, token: str) -> AccountRecord:
    account_id = runtime.webhook_tokens.account_of(token)
    account = await accounts.get_record(runtime.db, account_id) if account_id else None
    if account is None or account.provider != provider or account.status is ConnectedAccountStatus.DISCONNECTED:
        raise ApiError(errors.PROVIDER_WEBHOOK_NOT_FOUND)
    return account


def _parsed(adapter: type[Provider], config: ProviderConfig, headers: Mapping[str, str], body: bytes) -> WebhookResult:
    try:
        return adapter.parse_webhook(config, headers, body)
    except CapabilityNotSupported as exc:
        raise ApiError(errors.PROVIDER_WEBHOOK_NOT_FOUND, exc.message) from exc
    except ProviderAuthError as exc:
        raise ApiError(errors.PROVIDER_WEBHOOK_SIGNATURE_INVALID, exc.message) from exc
    except ProviderError as exc:
        raise ApiError(errors.PROVIDER_WEBHOOK_INVALID, exc.message) from exc


async def _accounts(runtime: Runtime, ids: set[uuid.UUID]) -> list[AccountRecord]:
    records = [await accounts.get_record(runtime.db, account_id) for account_id in ids]
    return [record for record in records if record is not None]


async def _record_events(
    runtime: Runtime,
    result: WebhookResult,
    found: list[StoredDevice],
    owners: dict[uuid.UUID, AccountRecord],
    account: AccountRecord,
) -> int:
    """Each event under the account that holds its device (events of unknown devices are dropped); deduplicated
    with the same vendor events read from the log.
    """
    by_vendor_id = {stored.device.provider_device_id: stored.device for stored in found}
    recorded, now = 0, runtime.clock()
    for event in result.events:
        device = by_vendor_id.get(event.provider_device_id or "")
        if event.provider_device_id and device is None:
            continue
        owner = owners[device.connected_account_id] if device else account
        new = from_vendor(owner, event, {device.provider_device_id: device.id} if device else {})
        recorded += await insert_event(runtime.db, owner.workspace_id, new, received_at=now)
    return recorded


async def _read_again(runtime: Runtime, found: list[StoredDevice], owners: dict[uuid.UUID, AccountRecord]) -> None:
    for account_id in {stored.device.connected_account_id for stored in found}:
        if owners[account_id].status is ConnectedAccountStatus.ACTIVE:
            await enqueue_sync(runtime.jobs, account_id)
    for stored in found:
        if stored.device.capabilities.can_list_access_codes:
            await request_reconcile(runtime.db, runtime.jobs, stored.device.id, stored.workspace_id)
