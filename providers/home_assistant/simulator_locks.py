"""The simulated lock entities: how they move under `lock.lock` / `lock.unlock` / `lock.open` (as the demo locks do:
the transitional state at once, the final one `action_delay` later, a jamming lock ends `jammed`), and what happens
at them outside Home Assistant (a hand on the knob, a PIN at the keypad, the radio link dropping).
"""

from __future__ import annotations

from datetime import datetime

from providers.home_assistant import simulator_matter as matter
from providers.home_assistant.simulator_core import SimulatedCore
from providers.home_assistant.simulator_state import (
    JAMMED,
    LOCK_STATES,
    LOCKED,
    LOCKING,
    OPEN,
    OPENING,
    UNAVAILABLE,
    UNLOCKED,
    UNLOCKING,
    Context,
    HAError,
    Lock,
)

REMOTE, MANUAL, KEYPAD = "Remote", "Manual", "Keypad"
"""Matter `changed_by` (the LockOperation event's operation source)."""


class SimulatedLocks(SimulatedCore):
    """The lock entities and what happens to them."""

    locks: dict[str, Lock]

    def _lock(self, entity_id: str) -> Lock:
        try:
            return self.locks[entity_id]
        except KeyError:
            raise KeyError(f"the simulated Home Assistant has no lock {entity_id!r}") from None

    def publish(self, lock: Lock, context: Context) -> None:
        """Write the entity's state as the integration would: `unavailable` while the lock cannot be reached."""
        self.write(lock.entity_id, lock.state if lock.available else UNAVAILABLE, lock.attributes(), context)

    def _set(self, lock: Lock, state: str, context: Context, source: str) -> None:
        lock.state = state
        if lock.matter is not None:
            lock.changed_by = source
        self.publish(lock, context)

    # -- service calls ----------------------------------------------------------------------------------------

    def check_action(self, lock: Lock, service: str) -> None:
        if service == "open" and not lock.openable:
            raise HAError(f"Entity {lock.entity_id} does not support this service.")

    async def act(self, lock: Lock, service: str, context: Context) -> None:
        """Carry out `lock.<service>` on an available lock; returns once the lock has stopped moving."""
        if service == "open" and not self.at_least(2024, 6):
            self._set(lock, UNLOCKED, context, REMOTE)  # before `open` states existed the demo just unlocked
            return
        moving, final = {"lock": (LOCKING, LOCKED), "unlock": (UNLOCKING, UNLOCKED), "open": (OPENING, OPEN)}[service]
        lock.state = moving
        self.publish(lock, context)

        def arrive() -> None:
            self._set(lock, JAMMED if service == "lock" and lock.jams else final, context, REMOTE)

        await self.after_delay(arrive)

    # -- outside Home Assistant -------------------------------------------------------------------------------

    def set_state(self, entity_id: str, state: str) -> None:
        """Someone turns the knob (or the lock reports a change of its own): a state change no service call made."""
        if state not in LOCK_STATES:
            raise ValueError(f"a lock's state is one of {sorted(LOCK_STATES)}, not {state!r}")
        self._set(self._lock(entity_id), state, self.context(), MANUAL)

    def set_available(self, entity_id: str, available: bool) -> None:
        """Unavailable: the state reads `unavailable`, and service calls pass the entity by (Home Assistant skips
        unavailable entities); available again: the lock's own state is back.
        """
        lock = self._lock(entity_id)
        lock.available = available
        self.publish(lock, self.context())

    def keypad_entry(self, entity_id: str, pin: str) -> bool:
        """Someone types `pin` at a Matter lock's keypad: it unlocks for an enabled user's PIN."""
        lock = self._lock(entity_id)
        if lock.matter is None or matter.admitting(lock.matter, pin) is None:
            return False
        self._set(lock, UNLOCKED, self.context(), KEYPAD)
        return True

    def would_open(self, entity_id: str, pin: str, at: datetime | None = None) -> bool:
        """Whether `pin` at the keypad would open the lock (Matter PINs have no schedules, so `at` changes
        nothing); nothing moves.
        """
        lock = self._lock(entity_id)
        return lock.matter is not None and matter.admitting(lock.matter, pin) is not None

    def pins(self, entity_id: str) -> dict[int, str]:
        """user_index -> PIN: what the lock holds (for tests; the API never shows a PIN)."""
        store = self._lock(entity_id).matter
        return {} if store is None else matter.pins(store)
