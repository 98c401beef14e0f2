"""What happens at the simulated igloohome locks: PINs typed at the keypad, knob turns, the activity log (which
reaches igloohome only through an online bridge or a phone's Bluetooth sync), and the timers that carry out
accepted bridge jobs later (which `settle()` runs at once).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from providers.igloohome.models import INCORRECT_PIN_LOG_TYPE
from providers.igloohome.simulator_pins import PIN_LOG_TYPES, admitting
from providers.igloohome.simulator_state import AlgoPin, Bridge, Job, Keypad, Lock, LogRow
from providers.simkit import Timeline

THUMBTURN_UNLOCK, THUMBTURN_LOCK = 52, 51
BLUETOOTH_UNLOCK, BLUETOOTH_LOCK = 11, 37


class SimulatedLocks:
    """The cloud's devices and how they change over time."""

    def __init__(self, clock: Callable[[], datetime], job_delay: float, rng: random.Random) -> None:
        self.clock = clock
        self.job_delay = job_delay
        self.random = rng
        self.locks: dict[str, Lock] = {}
        self.bridges: dict[str, Bridge] = {}
        self.keypads: dict[str, Keypad] = {}
        self.jobs: dict[str, Job] = {}
        self.timeline = Timeline()

    def bridge_of(self, lock_id: str) -> Bridge | None:
        return next((bridge for bridge in self.bridges.values() if lock_id in bridge.locks), None)

    # -- at the lock ------------------------------------------------------------------------------------------

    def keypad_entry(self, device_id: str, pin: str, at: datetime | None = None) -> bool:
        """Someone types `pin` at the lock (at `at`, default now): it opens for a custom PIN within its window or
        an algoPIN the lock takes then (one-time PINs once; long ones only if first used within a day). Logged.
        """
        lock, moment = self.locks[device_id], self.clock() if at is None else at
        found = admitting(lock, pin, moment)
        if found is None:
            self.add_log(lock, INCORRECT_PIN_LOG_TYPE, at=moment)
            return False
        if isinstance(found, AlgoPin):
            found.uses += 1
            found.first_used_at = found.first_used_at or moment
            self.add_log(lock, PIN_LOG_TYPES[found.kind], key_id=found.pin_id, pin=pin, at=moment)
        else:
            self.add_log(lock, PIN_LOG_TYPES["custom"], key_id=f"custom-{pin}", pin=pin, at=moment)
        return True

    def would_open(self, device_id: str, pin: str, at: datetime | None = None) -> bool:
        """Whether `pin` typed at instant `at` (default now) would open the lock as its PINs stand now; nothing
        is used or logged.
        """
        return admitting(self.locks[device_id], pin, self.clock() if at is None else at) is not None

    def manual_action(self, device_id: str, *, unlock: bool = True) -> None:
        """Someone turns the thumbturn (or a key) at the lock now."""
        self.add_log(self.locks[device_id], THUMBTURN_UNLOCK if unlock else THUMBTURN_LOCK)

    def add_log(
        self,
        lock: Lock,
        log_type: int,
        *,
        key_id: str | None = None,
        pin: str | None = None,
        at: datetime | None = None,
    ) -> LogRow:
        """A row on the lock; igloohome gets it at once only while the lock's bridge is online."""
        row = LogRow(log_type, self.clock() if at is None else at, lock.next_operation, key_id, pin)
        lock.next_operation += 1
        lock.unsynced.append(row)
        bridge = self.bridge_of(lock.device_id)
        if bridge is not None and bridge.online:
            self.sync_logs(lock.device_id)
        return row

    def sync_logs(self, device_id: str) -> int:
        """The lock's rows reach igloohome (a bridge upload, or a phone syncing by Bluetooth); how many."""
        lock = self.locks[device_id]
        moved, lock.unsynced = lock.unsynced, []
        lock.log += moved
        lock.last_sync = self.clock()
        return len(moved)

    # -- device knobs -----------------------------------------------------------------------------------------

    def set_battery(self, device_id: str, level: int | None) -> None:
        self.locks[device_id].battery = level

    # -- time -------------------------------------------------------------------------------------------------

    def after(self, run: Callable[[], None]) -> None:
        """Run `run` after `job_delay`; without a running event loop it waits for `settle()`."""
        self.timeline.after(self.job_delay, run)

    async def settle(self) -> None:
        """Carry out every promised transition now (and those they start), in the order they were promised."""
        await self.timeline.settle()

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        """Drop every pending transition: nothing of the simulator runs after this."""
        self.timeline.close()
