"""Reconcile queries that decide an order: the sweep visits accounts in turns, not one account after another."""

from __future__ import annotations

from aggregator.reconcile import repository as reconciles
from tests.factories import Tenant, insert_account, insert_devices


async def test_the_sweep_visits_the_accounts_in_turns(tenant: Tenant) -> None:
    accounts = [await insert_account(tenant) for _ in range(3)]
    locks = {account: await insert_devices(tenant, account, 3 - index) for index, account in enumerate(accounts)}
    for lock in (lock for account_locks in locks.values() for lock in account_locks):
        await reconciles.ensure(tenant.db, lock, tenant.workspace.id)

    order = await reconciles.all_devices(tenant.db)

    account_of = {lock: account for account, account_locks in locks.items() for lock in account_locks}
    assert sorted(order) == sorted(account_of)
    turns = [account_of[lock] for lock in order]
    assert turns[:3] == sorted(accounts) and turns[3:5] == sorted(accounts[:2]) and turns[5:] == [accounts[0]]
    for account_locks in locks.values():  # within an account, the same order as before: by lock id
        assert [lock for lock in order if lock in account_locks] == sorted(account_locks)
