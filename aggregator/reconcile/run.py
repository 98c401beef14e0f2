"""One reconcile of one lock: read its codes, plan, note, execute, settle, remember what it holds. The caller holds
the lock's lease; vendor failures that stop the run come back in the result (or raise, for the first read).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from aggregator.access_codes import repository as codes_repository
from aggregator.connected_accounts import repository as accounts
from aggregator.devices import repository as devices
from aggregator.devices.discovery import as_provider_device
from aggregator.jobs.base import JobContext
from aggregator.reconcile import outcomes
from aggregator.reconcile import repository as reconciles
from aggregator.reconcile.executor import execute, lock_after
from aggregator.reconcile.journal import Journal
from aggregator.reconcile.model import Terms
from aggregator.reconcile.plan import plan
from aggregator.reconcile.settle import settle_codes, sync_unmanaged
from providers.base import Provider
from providers.errors import ProviderError
from providers.manifest import ProviderManifest
from schemas import ConnectedAccountStatus, Device
from schemas.providers import ObservedAccessCode, ProviderDevice

KNOWN_FRESH = timedelta(seconds=10)
"""A lock the gateway read and wrote itself this recently is not read again for a follow-on run."""


@dataclass(frozen=True, slots=True)
class Known:
    """What the previous run left on the lock: its read plus the effect of its own operations."""

    codes: list[ObservedAccessCode]
    at: datetime


@dataclass(frozen=True, slots=True)
class RunResult:
    in_sync: bool
    next_change_at: datetime | None
    """When the plan changes by itself next (a window edge): reconcile again then."""
    waiting_since: datetime | None
    """The vendor holds a change that has not reached the lock yet (since then): look again soon."""
    stopped_by: ProviderError | None = None
    known: Known | None = None


def terms_for(device: Device, manifest: ProviderManifest) -> Terms:
    return Terms(
        native_windows=device.capabilities.can_program_time_bound_codes_natively,
        preload=manifest.native_schedule_lead or timedelta(0),
        name_length=device.code_constraints.max_name_length,
        window_step=manifest.native_window_step,
        lists_codes=device.capabilities.can_list_access_codes,
        offline_removable=manifest.offline_codes_removable and device.capabilities.can_program_online_access_codes,
    )


async def reconcile_once(ctx: JobContext, device_id: uuid.UUID, known: Known | None = None) -> RunResult | None:
    """None when the lock has nothing to reconcile now (gone, its account not active, it takes no codes). `known`:
    the lock as a run moments ago left it, used instead of reading it again (changes that came in through the API
    during that run cost no extra read), unless a read of the lock was asked for meanwhile.
    """
    stored = await devices.stored_device(ctx.db, device_id)
    account = await accounts.get_record(ctx.db, stored.device.connected_account_id) if stored else None
    if stored is None or account is None or account.status is not ConnectedAccountStatus.ACTIVE:
        return None
    if not takes_codes(stored.device):
        return None
    adapter = ctx.vendors.adapter(account.provider, account.id)
    terms = terms_for(stored.device, adapter.manifest)
    device = as_provider_device(stored.device)
    read_at = ctx.clock()
    observed = await _observed(ctx, device_id, (adapter, device), known, read_at, lists=terms.lists_codes)
    codes = {record.code.id: record for record in await codes_repository.device_records(ctx.db, device_id)}
    journal = Journal(ctx.db, stored.workspace_id, device_id, account.id, read_at)
    planned = plan([record.wanted() for record in codes.values() if record.code.is_managed], observed, read_at, terms)
    for entry in planned.notes:
        await outcomes.note(journal, codes, entry, planned.matched, terms)
    execution = await execute(
        adapter,
        device,
        planned,
        lambda done: outcomes.report(journal, codes, done),
        lambda operation: outcomes.sending(journal, codes, operation),
    )
    lock = lock_after(observed, execution)
    journal = replace(journal, now=ctx.clock())
    await sync_unmanaged(journal, codes, await settle_codes(journal, codes, lock, terms))
    return await _remember(ctx, journal, codes, lock, terms, execution.stopped_by)


def takes_codes(device: Device) -> bool:
    flags = device.capabilities
    return any(
        (flags.can_list_access_codes, flags.can_program_online_access_codes, flags.can_program_offline_access_codes)
    )


async def _observed(
    ctx: JobContext,
    device_id: uuid.UUID,
    vendor: tuple[Provider, ProviderDevice],
    known: Known | None,
    now: datetime,
    *,
    lists: bool,
) -> list[ObservedAccessCode]:
    """The lock's codes: read from the vendor, or what a run moments ago left (unless a read was asked for since);
    where the vendor cannot list codes, what the gateway itself last put on the lock.
    """
    if not lists:
        if known is not None:
            return known.codes
        state = await reconciles.get_state(ctx.db, device_id)
        return state.observed or [] if state is not None else []
    fresh = known is not None and now - known.at < KNOWN_FRESH
    fresh = fresh and not await reconciles.take_read_request(ctx.db, device_id)
    if known is not None and fresh:
        return known.codes
    adapter, device = vendor
    return await adapter.list_access_codes(device)


async def _remember(
    ctx: JobContext,
    journal: Journal,
    codes: dict[uuid.UUID, codes_repository.CodeRecord],
    lock: list[ObservedAccessCode],
    terms: Terms,
    stopped_by: ProviderError | None,
) -> RunResult:
    managed = [record for record in codes.values() if record.code.is_managed]
    after = plan([record.wanted() for record in managed], lock, journal.now, terms)
    waiting = [seen for seen in lock if seen.is_pending]
    troubled = any(record.code.errors for record in managed)
    in_sync = after.in_sync and not waiting and not troubled and stopped_by is None
    await reconciles.record_observation(
        ctx.db, journal.device_id, observed=lock, at=journal.now, in_sync=in_sync, next_change_at=after.next_change_at
    )
    waiting_since = _waiting_since(codes, after.matched, journal.now) if waiting else None
    return RunResult(in_sync, after.next_change_at, waiting_since, stopped_by, Known(lock, journal.now))


def _waiting_since(
    codes: dict[uuid.UUID, codes_repository.CodeRecord], matched: dict[uuid.UUID, ObservedAccessCode], now: datetime
) -> datetime:
    """Since when the lock has had changes the vendor holds back (a code changes state, and so `updated_at`, when
    its change is sent): the longer it waits, the less often the gateway looks (an offline lock is not polled).
    """
    changed = [codes[code_id].code.updated_at for code_id, seen in matched.items() if seen.is_pending]
    return min(changed, default=now)
