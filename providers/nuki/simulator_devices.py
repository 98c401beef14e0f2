"""What happens at the simulated Nuki locks: commands in flight (timers that `settle()` can run at once), keypad
entries, manual turns, auths syncing to the lock, codes changed in the Nuki app, and the activity log.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

import msgspec

from providers.nuki.models import Action, LockState
from providers.nuki.simulator_auths import AuthTable
from providers.nuki.simulator_state import (
    Account,
    Auth,
    AuthBody,
    Lock,
    LogEntry,
    SimError,
    check_code,
    check_conflicts,
    check_name,
    merge_window,
    object_id,
    window_allows,
    window_of,
)
from providers.simkit import Timeline

MOVES: dict[int, tuple[int, tuple[int, ...]]] = {
    Action.UNLOCK: (LockState.UNLOCKING, (LockState.UNLOCKED,)),
    Action.LOCK: (LockState.LOCKING, (LockState.LOCKED,)),
    Action.UNLATCH: (LockState.UNLATCHING, (LockState.UNLATCHED, LockState.UNLOCKED)),
    Action.LOCK_N_GO: (LockState.UNLOCKING, (LockState.UNLOCKED_LOCK_N_GO, LockState.LOCKED)),
    Action.LOCK_N_GO_UNLATCH: (LockState.UNLATCHING, (LockState.UNLATCHED, LockState.LOCKED)),
}
"""Action -> (state while moving, the states it then passes through, one per `action_delay`)."""
MANUAL, WEB, KEYPAD = 1, 4, 255
"""Log triggers."""
MOTOR_BLOCKED_LOG, INVALID_CODE_LOG = 1, 224
"""Log completion states."""
KEYPAD_SOURCE = 1


class SimulatedLocks:
    """The accounts' locks, keypad-code auths and logs, and how they change over time."""

    def __init__(self, clock: Callable[[], datetime], action_delay: float, rng: random.Random) -> None:
        self.clock = clock
        self.action_delay = action_delay
        self.random = rng
        self.accounts: dict[int, Account] = {}
        self.locks: dict[int, Lock] = {}
        self.auths = AuthTable()
        self.logs: list[LogEntry] = []
        self.timeline = Timeline()

    # -- device knobs -----------------------------------------------------------------------------------------

    def set_online(self, lock_id: int, online: bool) -> None:
        """Offline: commands are accepted but never arrive, auth changes wait. Back online: they sync."""
        lock = self.locks[lock_id]
        lock.online = online
        if online:
            for auth in self.auths.of_lock(lock_id):
                if auth.operation_id:
                    self._sync_later(auth)

    def set_battery(self, lock_id: int, charge: int, critical: bool | None = None) -> None:
        """Battery level in %; critical defaults to below 20 %."""
        lock = self.locks[lock_id]
        lock.battery_charge = charge
        lock.battery_critical = charge < 20 if critical is None else critical

    def jam(self, lock_id: int, jammed: bool = True) -> None:
        """The motor blocks: every movement from now on ends in state 254 (motor blocked), logged as state 1."""
        self.locks[lock_id].jammed = jammed

    # -- movements --------------------------------------------------------------------------------------------

    def start_action(self, lock: Lock, action: int) -> None:
        """An accepted remote command: the lock moves after `action_delay` (an offline lock never hears of it)."""
        if not lock.online:
            return
        moving, states = MOVES[action]
        lock.state = moving
        self._after(lambda: self._move(lock, action, list(states), first=True))

    def _move(self, lock: Lock, action: int, states: list[int], *, first: bool) -> None:
        if lock.jammed:
            lock.state = LockState.MOTOR_BLOCKED
            self.add_log(lock, action, WEB, MOTOR_BLOCKED_LOG, self._owner_name(lock))
            return
        lock.state, lock.last_action = states.pop(0), action
        if first:
            self.add_log(lock, action, WEB, 0, self._owner_name(lock))
        if states:
            self._after(lambda: self._move(lock, action, states, first=False))

    def keypad_entry(self, lock_id: int, code: int | str) -> bool:
        """Someone types `code` at the lock's keypad now. It unlocks only for an enabled keypad code the lock
        already has (synced) whose window allows now; otherwise the lock logs an invalid code (224).
        """
        lock, now = self.locks[lock_id], self.clock()
        auth = self.admitting(lock_id, code, now)
        if auth is not None:
            auth.last_active = now
            return self._turn(lock, Action.UNLOCK, KEYPAD, auth.name, KEYPAD_SOURCE, auth.id)
        self.add_log(lock, Action.UNLOCK, KEYPAD, INVALID_CODE_LOG, "", KEYPAD_SOURCE)
        return False

    def would_open(self, lock_id: int, code: int | str, *, at: datetime | None = None) -> bool:
        """Whether `code` typed at the keypad at instant `at` (default now) would be accepted by the codes the lock
        holds now, judged as `keypad_entry` judges (the lock's time zone): a question, nothing moves or is logged.
        """
        return self.admitting(lock_id, code, self.clock() if at is None else at) is not None

    def admitting(self, lock_id: int, code: int | str, at: datetime) -> Auth | None:
        """The enabled, synced keypad code of the lock that `code` is and whose window allows the instant `at`."""
        if at.tzinfo is None:
            raise ValueError("a keypad entry happens at an instant: give `at` a time zone")
        lock = self.locks[lock_id]
        for auth in self.auths.of_lock(lock_id):
            if (
                str(auth.code) == str(code)
                and auth.operation_id is None
                and auth.enabled
                and window_allows(auth.window, at, lock.timezone)
            ):
                return auth
        return None

    def manual_action(self, lock_id: int, action: int = Action.UNLOCK) -> bool:
        """Someone turns the knob (or presses the button) at the lock now."""
        lock = self.locks[lock_id]
        return self._turn(lock, action, MANUAL, self._owner_name(lock))

    def _turn(
        self, lock: Lock, action: int, trigger: int, name: str, source: int = 0, auth_id: str | None = None
    ) -> bool:
        """A movement started at the lock itself: done at once, logged."""
        if lock.jammed:
            lock.state = LockState.MOTOR_BLOCKED
            self.add_log(lock, action, trigger, MOTOR_BLOCKED_LOG, name, source, auth_id)
            return False
        lock.state, lock.last_action, lock.trigger = MOVES[action][1][-1], action, trigger
        self.add_log(lock, action, trigger, 0, name, source, auth_id)
        return True

    def add_log(
        self, lock: Lock, action: int, trigger: int, state: int, name: str, source: int = 0, auth_id: str | None = None
    ) -> LogEntry:
        now = self.clock()
        entry = LogEntry(
            id=object_id(self.random, now),
            seq=len(self.logs),
            smartlock_id=lock.smartlock_id,
            device_type=lock.type,
            date=now,
            action=action,
            trigger=trigger,
            state=state,
            name=name,
            source=source,
            auth_id=auth_id,
            account_user_id=None if trigger == KEYPAD else self.accounts[lock.account_id].account_user_id,
        )
        self.logs.append(entry)
        return entry

    def _owner_name(self, lock: Lock) -> str:
        return self.accounts[lock.account_id].name

    # -- keypad codes -----------------------------------------------------------------------------------------

    def new_auth(self, lock: Lock, name: str, code: int, window: dict[str, object]) -> Auth:
        """A keypad-code auth as the lock holds it (the API then calls `changed`, which makes it busy)."""
        now = self.clock()
        auth = Auth(object_id(self.random, now), lock.smartlock_id, lock.next_auth_id, name, code, now, now)
        auth.window = window
        lock.next_auth_id += 1
        self.auths[auth.id] = auth
        return auth

    def changed(self, auth: Auth) -> None:
        """The auth was changed through the API: busy (`operationId`) until the lock synced it."""
        auth.updated = self.clock()
        auth.operation_id = object_id(self.random, auth.updated)
        self._sync_later(auth)

    def _sync_later(self, auth: Auth) -> None:
        if not self.locks[auth.smartlock_id].online:
            return  # Nuki retries at its daily sync; the simulator when the lock is back (`set_online`)

        def synced() -> None:
            if self.locks[auth.smartlock_id].online:
                auth.operation_id = None

        self._after(synced)

    def external_add_code(self, lock_id: int, name: str, code: int | str, **window: object) -> str:
        """Someone adds a keypad code in the Nuki app (same rules as the API): it is on the lock at once.
        `window` takes Nuki's time fields by their names (`allowedWeekDays=64`, ...). Returns the auth's `id`.
        """
        lock = self.locks[lock_id]
        try:
            body = msgspec.convert({"name": name, "code": int(code), **window}, AuthBody)
            check_code(int(code))
            check_conflicts(lock, self.auths.of_lock(lock_id), int(code))
            return self.new_auth(lock, check_name(name), int(code), merge_window({}, window_of(body))).id
        except (SimError, msgspec.ValidationError) as exc:
            raise ValueError(str(exc)) from None

    def external_edit_code(self, lock_id: int, auth_id: str | int, **changes: object) -> None:
        """Someone changes a keypad code in the Nuki app, on the lock at once: `name`, `code`, `enabled` and Nuki's
        time fields by their names (`allowedWeekDays=64`, `allowedFromTime=600`, a date as None clears it).
        """
        auth = self._auth_of(lock_id, auth_id)
        try:
            body = msgspec.convert({"name": auth.name, **changes}, AuthBody)
            if body.code is not None:
                check_code(body.code)
                check_conflicts(self.locks[lock_id], self.auths.of_lock(lock_id), body.code, exclude=auth.id)
            auth.name, auth.window = check_name(body.name), merge_window(auth.window, window_of(body))
        except (SimError, msgspec.ValidationError) as exc:
            raise ValueError(str(exc)) from None
        auth.code = auth.code if body.code is None else body.code
        auth.enabled = auth.enabled if body.enabled is None else body.enabled
        auth.updated = self.clock()

    def _auth_of(self, lock_id: int, auth_id: str | int) -> Auth:
        for auth in self.auths.of_lock(lock_id):
            if auth_id in (auth.id, auth.auth_id):
                return auth
        raise KeyError(f"lock {lock_id} has no auth {auth_id!r}")

    def external_delete_code(self, lock_id: int, auth_id: str | int) -> None:
        """Someone deletes a keypad code in the Nuki app; `auth_id` is its `id` or its numeric `authId`."""
        del self.auths[self._auth_of(lock_id, auth_id).id]

    # -- time -------------------------------------------------------------------------------------------------

    def _after(self, run: Callable[[], None]) -> None:
        """Run `run` after `action_delay`; without a running event loop it waits for `settle()`."""
        self.timeline.after(self.action_delay, run)

    async def settle(self, steps: int | None = None) -> None:
        """Carry out every pending device step now (and those they start), in the order they were promised;
        `steps`: only that many (to look at a lock half-way, e.g. unlatched before unlocked).
        """
        await self.timeline.settle(steps)

    async def aclose(self) -> None:
        """`close()` for callers that await their clean-up (the sandbox's `SandboxCloud.close`)."""
        self.close()

    def close(self) -> None:
        """Drop every pending transition: nothing of the simulator runs after this."""
        self.timeline.close()
