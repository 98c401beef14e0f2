"""Reading an account's devices and events from its vendor, and what a refused login means for the account."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from aggregator.audit import repository as audit
from aggregator.auth.principal import SYSTEM
from aggregator.connected_accounts import repository
from aggregator.connected_accounts.repository import AccountRecord
from aggregator.db import Database
from aggregator.devices.discovery import apply_devices
from aggregator.events.repository import NewEvent, insert_event
from aggregator.vendors import Vendors
from providers.errors import ProviderAuthError
from schemas import ConnectedAccountStatus, EventSource, EventType
from schemas.providers import ProviderEvent

logger = logging.getLogger("aggregator.sync")

FIRST_EVENTS_WINDOW = timedelta(days=1)
"""How far back the first sync of an account reads its vendor's event log."""


async def sync_account(db: Database, vendors: Vendors, account_id: uuid.UUID, now: datetime) -> bool:
    """Rediscover the account's devices and read its new events; False when the account was not synced
    (gone, disconnected, or its login refused: then it is marked `needs_reauthorization`).
    """
    account = await repository.get_record(db, account_id)
    if account is None or account.status is ConnectedAccountStatus.DISCONNECTED:
        return False
    adapter = vendors.adapter(account.provider, account.id)
    try:
        devices = await adapter.list_devices()
        vendor_events = await adapter.fetch_events(account.events_synced_until or now - FIRST_EVENTS_WINDOW)
    except ProviderAuthError as exc:
        await needs_reauthorization(db, account, exc.message, now)
        return False
    async with db.transaction():
        await repository.lock_account(db, account.id)
        device_ids, events = await apply_devices(db, account, devices, now)
        events += [from_vendor(account, event, device_ids) for event in vendor_events]
        for event in events:
            await insert_event(db, account.workspace_id, event, received_at=now)
        until = max((event.occurred_at for event in vendor_events), default=None)
        await repository.mark_synced(db, account.id, at=now, events_until=until)
        if account.status is ConnectedAccountStatus.NEEDS_REAUTHORIZATION:
            await repository.set_status(db, account.id, ConnectedAccountStatus.ACTIVE, [], now)
    return True


async def needs_reauthorization(db: Database, account: AccountRecord, message: str, now: datetime) -> None:
    """The vendor refused the account's login: say so on the account, once, with an event and an audit entry."""
    problem = repository.issue("account_reauthorization_required", f"{message} Connect the account again.", now)
    async with db.transaction():
        changed = await repository.set_status(
            db, account.id, ConnectedAccountStatus.NEEDS_REAUTHORIZATION, [problem], now
        )
        if not changed:
            return
        logger.warning("connected account %s needs reauthorization: %s", account.id, message)
        event = NewEvent(
            type=EventType.CONNECTED_ACCOUNT_NEEDS_REAUTHORIZATION,
            occurred_at=now,
            source=EventSource.GATEWAY,
            connected_account_id=account.id,
            data={"reason": message},
        )
        await insert_event(db, account.workspace_id, event, received_at=now)
        await audit.record(
            db,
            workspace_id=account.workspace_id,
            actor=SYSTEM,
            action="connected_account.needs_reauthorization",
            resource_type="connected_account",
            resource_id=account.id,
            after={"status": ConnectedAccountStatus.NEEDS_REAUTHORIZATION.value, "reason": message},
            at=now,
        )


def from_vendor(account: AccountRecord, event: ProviderEvent, device_ids: dict[str, uuid.UUID]) -> NewEvent:
    return NewEvent(
        type=event.type,
        occurred_at=event.occurred_at,
        source=EventSource.DEVICE if event.was_confirmed_by_device else EventSource.CLOUD,
        device_id=device_ids.get(event.provider_device_id or ""),
        connected_account_id=account.id,
        method=event.method,
        was_confirmed_by_device=event.was_confirmed_by_device,
        data=event.data,
        dedupe_key=f"{account.provider}:{event.provider_event_id}",
    )
