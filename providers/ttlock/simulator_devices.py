"""What happens at the simulated TTLock locks and gateways: synchronous round trips through a gateway (or a Wi-Fi
lock's own connection) that take `gateway_delay` and keep the gateway busy, remote lock and unlock, keypad entries
judged by the lock, knob turns, lock records, and the device knobs.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TypeVar

from providers.ttlock.simulator_codes import judge
from providers.ttlock.simulator_state import Account, Gateway, Lock, LockState, Passcode, Record, TTLockError, ms

UNLOCK_BY_GATEWAY, LOCK_BY_APP, UNLOCK_BY_PASSCODE = 12, 11, 4
UNLOCK_BY_KEY, LOCK_BY_KEY, ADMIN_PASSCODE = 10, 36, 92
"""Cloud `recordType` values the simulator writes."""
RAW_GATEWAY_UNLOCK, RAW_BLE_LOCK, RAW_PASSCODE_OK = 28, 26, 4
RAW_UNKNOWN_PASSCODE, RAW_EXPIRED_PASSCODE, RAW_KEY_UNLOCK, RAW_KEY_LOCK = 7, 11, 27, 36
"""`recordTypeFromLock` values (the lock's raw table)."""
T = TypeVar("T")
FIRST_IDS = {"uid": 2_340_001, "gateway": 78_979, "lock": 5_323_001, "pwd": 10_236_001, "record": 1_635_556_821}


class SimulatedLocks:
    """The accounts' gateways, locks, passcodes and records, and how they change."""

    def __init__(self, clock: Callable[[], datetime], gateway_delay: float, rng: random.Random) -> None:
        self.clock = clock
        self.gateway_delay = gateway_delay
        """Seconds a round trip to a lock takes (the API call waits for it)."""
        self.random = rng
        self.accounts: dict[int, Account] = {}
        self.gateways: dict[int, Gateway] = {}
        self.locks: dict[int, Lock] = {}
        self.passcodes: dict[int, Passcode] = {}
        """keyboardPwdId -> the passcode as the cloud lists it."""
        self.records: list[Record] = []
        self._ids = dict(FIRST_IDS)
        self._busy: set[tuple[str, int]] = set()
        self._in_flight: set[asyncio.Future[None]] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    def now_ms(self) -> int:
        return ms(self.clock())

    def new_id(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind] - 1

    def owner(self, lock: Lock) -> Account:
        return self.accounts[lock.uid]

    # -- device knobs -----------------------------------------------------------------------------------------

    def set_gateway_online(self, gateway_id: int, online: bool) -> None:
        """Offline: calls through it answer -3002. Back online: nothing to replay (gateway calls are synchronous)."""
        self.gateways[gateway_id].online = online

    def set_lock_reachable(self, lock_id: int, reachable: bool) -> None:
        """Unreachable (out of the gateway's range, asleep, battery dead): round trips to it answer -3036."""
        self.locks[lock_id].reachable = reachable

    def set_battery(self, lock_id: int, percent: int) -> None:
        self.locks[lock_id].battery = percent

    # -- round trips to the lock ------------------------------------------------------------------------------

    def _channel(self, lock: Lock) -> tuple[str, int]:
        """What carries a command to the lock: its first online gateway, or a Wi-Fi lock's own connection."""
        if lock.frozen:
            raise TTLockError(-2025)
        if lock.wifi:
            if ("lock", lock.lock_id) in self._busy:
                raise TTLockError(-3037)
            return "lock", lock.lock_id
        if not lock.gateways:
            raise TTLockError(-2012)
        online = [gateway_id for gateway_id in lock.gateways if self.gateways[gateway_id].online]
        if not online:
            raise TTLockError(-3002)
        if ("gateway", online[0]) in self._busy:
            raise TTLockError(-3003)
        return "gateway", online[0]

    @asynccontextmanager
    async def remote(self, lock: Lock) -> AsyncIterator[None]:
        """Hold the lock's gateway (-2012 none, -3002 offline, -3003 busy) for one operation; `settle()` waits."""
        channel = self._channel(lock)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._busy.add(channel)
        self._in_flight.add(done)
        try:
            yield
        finally:
            self._busy.discard(channel)
            self._in_flight.discard(done)
            done.set_result(None)

    async def reach(self, lock: Lock) -> None:
        """The gateway's round trip to the lock (inside `remote`): `gateway_delay`, then -3036 if it did not answer."""
        await asyncio.sleep(self.gateway_delay)
        if not lock.reachable:
            raise TTLockError(-3036)

    async def remote_move(self, lock: Lock, state: int) -> None:
        """`lock/unlock` or `lock/lock`: the gateway tells the lock, which moves and records it."""
        if state == LockState.UNLOCKED and not lock.remote_unlock:
            raise TTLockError(-4043)
        async with self.remote(lock):
            await self.reach(lock)
        lock.state = state
        kinds = (UNLOCK_BY_GATEWAY, RAW_GATEWAY_UNLOCK) if state == LockState.UNLOCKED else (LOCK_BY_APP, RAW_BLE_LOCK)
        self.add_record(lock, *kinds, success=True, username=self.owner(lock).username)

    async def query_state(self, lock: Lock) -> int:
        async with self.remote(lock):
            await self.reach(lock)
        return lock.state

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `work` as a task of its own (a request's work, which carries on if the client gives up, or a write
        to a Wi-Fi lock in the background); `settle()` waits for it.
        """
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a refusal nobody waits for any more is not an error of the simulator

    async def settle(self) -> None:
        """Wait until every gateway operation in flight (and every background write) has ended."""
        while self._in_flight or self._tasks:
            await asyncio.gather(*self._in_flight, *self._tasks, return_exceptions=True)
        await asyncio.sleep(0)

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        """Cancel background writes: nothing of the simulator runs after this."""
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()

    # -- at the lock ------------------------------------------------------------------------------------------

    def keypad_entry(self, lock_id: int, code: str, at: datetime | None = None) -> bool:
        """Someone types `code` at the lock (at instant `at`, default now). It opens only for a code the lock itself
        holds whose window allows the instant on the lock's clock; one-time codes once, random ones only if first
        used within 24 h of their start. Either way the lock records it (recordType 4; raw 4, 7 unknown, 11 expired).
        The admin passcode (`noKeyPwd`) opens too; a lock without a keypad takes nothing (False, no record).
        """
        lock = self.locks[lock_id]
        at_ms = self.now_ms() if at is None else ms(at)
        if not lock.keypad:
            return False
        if code == lock.no_key_pwd:
            lock.state = LockState.UNLOCKED
            self.add_record(lock, ADMIN_PASSCODE, ADMIN_PASSCODE, success=True, username="", pwd=code, at_ms=at_ms)
            return True
        held, opens = judge(lock, code, at_ms)
        if held is not None and opens:
            if held.first_used is None:
                held.first_used = lock.local(at_ms)
            lock.state = LockState.UNLOCKED
            self.add_record(lock, UNLOCK_BY_PASSCODE, RAW_PASSCODE_OK, True, held.name, pwd=code, at_ms=at_ms)
            return True
        raw = RAW_UNKNOWN_PASSCODE if held is None else RAW_EXPIRED_PASSCODE
        name = "" if held is None else held.name
        self.add_record(lock, UNLOCK_BY_PASSCODE, raw, success=False, username=name, pwd=code, at_ms=at_ms)
        return False

    def would_open(self, lock_id: int, code: str, *, at: datetime | None = None) -> bool:
        """Whether `keypad_entry` would open at instant `at` (default now): nothing moves, nothing is recorded."""
        lock = self.locks[lock_id]
        at_ms = self.now_ms() if at is None else ms(at)
        return lock.keypad and (code == lock.no_key_pwd or judge(lock, code, at_ms)[1])

    def manual_action(self, lock_id: int) -> None:
        """Someone turns the knob or the key at the lock: it unlocks when locked and locks when unlocked."""
        lock = self.locks[lock_id]
        if lock.state == LockState.UNLOCKED:
            lock.state = LockState.LOCKED
            self.add_record(lock, LOCK_BY_KEY, RAW_KEY_LOCK, success=True, username="")
        else:
            lock.state = LockState.UNLOCKED
            self.add_record(lock, UNLOCK_BY_KEY, RAW_KEY_UNLOCK, success=True, username="")

    def add_record(
        self,
        lock: Lock,
        record_type: int,
        from_lock: int,
        success: bool,
        username: str,
        *,
        pwd: str | None = None,
        at_ms: int | None = None,
    ) -> Record:
        """A lock record, uploaded at once (a gateway or Wi-Fi lock): `serverDate` is the simulator's now."""
        now = self.now_ms()
        lock_date = now if at_ms is None else at_ms
        record = Record(
            record_id=self.new_id("record"),
            lock_id=lock.lock_id,
            record_type=record_type,
            from_lock=from_lock,
            success=success,
            username=username,
            keyboard_pwd=pwd,
            lock_date=lock_date,
            server_date=now,
            battery=lock.battery,
        )
        self.records.append(record)
        return record
