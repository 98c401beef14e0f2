"""The simulated TTLock v3 endpoints for locks, gateways, remote lock and unlock, open state and lock records (the
passcode endpoints are in simulator_api_codes.py). Each takes an authenticated `Call` and answers TTLock's payload.
"""

from __future__ import annotations

from typing import Any

from providers.ttlock.simulator_params import Call, Handler
from providers.ttlock.simulator_payloads import (
    gateway_item,
    lock_detail,
    lock_item,
    near_gateway,
    near_lock,
    page,
    record_item,
)
from providers.ttlock.simulator_state import MINUTE_MS, OK, Gateway, LockState, TTLockError

LOCK_PAGE_MAX, PAGE_MAX = 1000, 200
BY_NAME, NEWEST_FIRST, BY_NAME_DESC = 0, 1, 2
"""`orderBy` values."""


async def list_locks(call: Call) -> dict[str, Any]:
    """Locks the account is top admin of; `lockAlias` filters (fuzzy, as TTLock does)."""
    page_no, page_size = call.paging(LOCK_PAGE_MAX)
    wanted = (call.text("lockAlias") or "").lower()
    locks = [lock for lock in call.sim.locks.values() if lock.uid == call.account.uid and wanted in lock.alias.lower()]
    return page([lock_item(lock) for lock in locks], page_no, page_size)


async def get_lock(call: Call) -> dict[str, Any]:
    return lock_detail(call.lock())


def _order(gateways: list[Gateway], order_by: int) -> list[Gateway]:
    if order_by == BY_NAME:
        return sorted(gateways, key=lambda gateway: (gateway.name.lower(), gateway.gateway_id))
    if order_by == NEWEST_FIRST:
        return sorted(gateways, key=lambda gateway: (gateway.created_ms, gateway.gateway_id), reverse=True)
    if order_by == BY_NAME_DESC:
        return sorted(gateways, key=lambda gateway: (gateway.name.lower(), gateway.gateway_id), reverse=True)
    raise TTLockError(-3, "Invalid Parameter: orderBy is 0, 1 or 2")


def _lock_num(call: Call, gateway: Gateway) -> int:
    return sum(gateway.gateway_id in lock.gateways for lock in call.sim.locks.values())


async def list_gateways(call: Call) -> dict[str, Any]:
    page_no, page_size = call.paging(PAGE_MAX)
    mine = [gateway for gateway in call.sim.gateways.values() if gateway.uid == call.account.uid]
    items = [gateway_item(gateway, _lock_num(call, gateway)) for gateway in _order(mine, call.number("orderBy", 0))]
    return page(items, page_no, page_size)


async def gateways_of_lock(call: Call) -> dict[str, Any]:
    """The gateways linked to the lock (the simulator's gateways always see their locks), unpaged."""
    lock, seen = call.lock(), call.sim.now_ms() - MINUTE_MS
    return {"list": [near_gateway(call.sim.gateways[gateway_id], seen) for gateway_id in lock.gateways]}


async def locks_of_gateway(call: Call) -> dict[str, Any]:
    gateway, seen = call.gateway(), call.sim.now_ms() - MINUTE_MS
    locks = [lock for lock in call.sim.locks.values() if gateway.gateway_id in lock.gateways]
    return {"list": [near_lock(lock, seen) for lock in locks]}


async def unlock(call: Call) -> dict[str, Any]:
    """Synchronous: answers once the gateway has reached the lock (`gateway_delay`), which is then unlocked."""
    await call.sim.remote_move(call.lock(), LockState.UNLOCKED)
    return OK


async def lock(call: Call) -> dict[str, Any]:
    await call.sim.remote_move(call.lock(), LockState.LOCKED)
    return OK


async def open_state(call: Call) -> dict[str, Any]:
    """A round trip to the lock through its gateway: `{"state": 0 locked | 1 unlocked}`."""
    return {"state": await call.sim.query_state(call.lock())}


async def list_records(call: Call) -> dict[str, Any]:
    """Newest first; `startDate`/`endDate` (ms, inclusive; 0 or absent: open) filter on `lockDate`."""
    target = call.lock()
    page_no, page_size = call.paging(PAGE_MAX)
    since, until = call.optional("startDate") or None, call.optional("endDate") or None
    kind = call.optional("recordType")
    found = [
        record
        for record in call.sim.records
        if record.lock_id == target.lock_id
        and (since is None or record.lock_date >= since)
        and (until is None or record.lock_date <= until)
        and (kind is None or record.record_type == kind)
    ]
    found.sort(key=lambda record: (record.lock_date, record.record_id), reverse=True)
    return page([record_item(record) for record in found], page_no, page_size)


LOCK_ROUTES: dict[str, Handler] = {
    "lock/list": list_locks,
    "lock/detail": get_lock,
    "lock/unlock": unlock,
    "lock/lock": lock,
    "lock/queryOpenState": open_state,
    "gateway/list": list_gateways,
    "gateway/listByLock": gateways_of_lock,
    "gateway/listLock": locks_of_gateway,
    "lockRecord/list": list_records,
}
"""v3 path (after `/v3/`) -> endpoint."""
