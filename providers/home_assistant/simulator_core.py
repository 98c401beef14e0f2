"""The simulated Home Assistant's core: the state machine (every write kept as history, `state_changed` sent to the
listeners), contexts, and the timers of devices in motion (which `settle()` can run at once).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from providers.home_assistant.simulator_state import Context, State, iso, ulid, version_tuple
from providers.simkit import Timeline


@dataclass(frozen=True)
class StateChanged:
    """A `state_changed` event."""

    entity_id: str
    old_state: State | None
    new_state: State
    time_fired: datetime

    @property
    def context(self) -> Context:
        return self.new_state.context

    def as_dict(self, *, reported: bool) -> dict[str, Any]:
        """The event as Home Assistant sends it over the WebSocket (key order included)."""
        old = self.old_state.as_dict(reported=reported) if self.old_state else None
        return {
            "event_type": "state_changed",
            "data": {
                "entity_id": self.entity_id,
                "old_state": old,
                "new_state": self.new_state.as_dict(reported=reported),
            },
            "origin": "LOCAL",
            "time_fired": iso(self.time_fired),
            "context": self.context.as_dict(),
        }


Listener = Callable[[StateChanged], None]


class SimulatedCore:
    """States, history, listeners and timers."""

    def __init__(self, clock: Callable[[], datetime], action_delay: float, rng: random.Random, version: str) -> None:
        self.clock = clock
        self.action_delay = action_delay
        self.random = rng
        self.version = version
        self.states: dict[str, State] = {}
        """entity_id -> its current state."""
        self.history: list[State] = []
        """Every state written, oldest first (what the recorder keeps)."""
        self.owner_id = f"{rng.getrandbits(128):032x}"
        """The owner's user id: the `user_id` of the contexts of calls made with the owner's tokens."""
        self._listeners: list[Listener] = []
        self.timeline = Timeline()

    @property
    def reported(self) -> bool:
        """States carry `last_reported` (Home Assistant 2024.4 and later)."""
        return version_tuple(self.version) >= (2024, 4)

    def at_least(self, year: int, month: int) -> bool:
        return version_tuple(self.version) >= (year, month)

    def context(self, user_id: str | None = None) -> Context:
        return Context(ulid(self.clock(), self.random), user_id)

    # -- the state machine ------------------------------------------------------------------------------------

    def write(self, entity_id: str, state: str, attributes: dict[str, Any], context: Context) -> State | None:
        """Set a state as `hass.states.async_set` does: nothing happens when state and attributes are unchanged;
        `last_changed` moves only when the state does.
        """
        old = self.states.get(entity_id)
        if old is not None and old.state == state and old.attributes == attributes:
            return None
        now = self.clock()
        changed = now if old is None or old.state != state else old.last_changed
        new = State(entity_id, state, dict(attributes), changed, now, context)
        self.states[entity_id] = new
        self.history.append(new)
        event = StateChanged(entity_id, old, new, now)
        for listener in list(self._listeners):
            listener(event)
        return new

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` for every `state_changed` from now on; returns the function that stops it."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    # -- time -------------------------------------------------------------------------------------------------

    async def after_delay(self, run: Callable[[], None]) -> None:
        """Run `run` `action_delay` seconds from now (or at `settle()`), and wait until it has run. The step runs even
        if the waiting caller gives up (Home Assistant shields service calls from dropped connections).
        """
        await self.timeline.after(self.action_delay, run).done.wait()

    async def settle(self) -> None:
        """Carry out every pending device step now (and those they start), in the order they were promised."""
        await self.timeline.settle()

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        """Drop every pending step (callers waiting for one are released): nothing of the simulator runs after this."""
        self.timeline.close()
