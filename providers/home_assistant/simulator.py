"""A simulated Home Assistant (`HomeAssistantSimulator`): lock entities (demo-like, Z-Wave or Matter, with Matter lock
users and PINs) in memory behind an ASGI app that speaks Home Assistant's REST and WebSocket APIs, as recorded from a
real Home Assistant 2024.3.3 and extended with the Matter lock actions of 2026.6; with knobs for latency, failures,
rate limits, time-outs and revoked tokens.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from providers.home_assistant.simulator_http import build_app
from providers.home_assistant.simulator_locks import SimulatedLocks
from providers.home_assistant.simulator_state import ENTITY_ID, LOCK_STATES, Lock, MatterStore
from providers.home_assistant.simulator_transport import HomeAssistantTransport
from providers.simkit import FaultQueue, Knobs

if TYPE_CHECKING:
    from providers.home_assistant.simulator_ws import Session

__all__ = ("HomeAssistantSimulator",)
TOKEN_LIFETIME = timedelta(days=3650)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class HomeAssistantSimulator(SimulatedLocks, Knobs):
    """Home Assistant in a box. Setup, knobs and what happens at the locks are plain methods; `app` is the ASGI app
    (its state holds the simulator); `transport()` serves HTTP and WebSocket upgrades to it in process.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        action_delay: float = 2.0,
        sandbox: bool = False,
        seed: int | None = None,
        version: str = "2026.6.0",
        matter_actions: bool = True,
        time_zone: str = "Europe/Berlin",
    ) -> None:
        super().__init__(clock or (lambda: datetime.now(UTC)), action_delay, random.Random(seed), version)
        ZoneInfo(time_zone)  # an unknown zone fails here, not in a request
        self.sandbox = sandbox
        """Also serve the people at the locks under `/app` (no login)."""
        self.matter_actions = matter_actions
        """The `matter.*_lock_*` actions exist (Home Assistant 2026.6 and later)."""
        self.time_zone = time_zone
        self.location_name = "Home"
        self.latency = 0.0
        """Seconds added to every API request (and WebSocket upgrade)."""
        self.failure_rate = 0.0
        """Fraction of API requests answered HTTP 503."""
        self.hang_seconds = 30.0
        """How long a `time_out_next` request hangs before it answers 504 (if the client has not given up)."""
        self.faults = FaultQueue(self.random)
        self.knobs = self
        self.locks: dict[str, Lock] = {}
        self.tokens: dict[str, str] = {}
        """Access token -> user id."""
        self.sessions: set[Session] = set()
        """Authenticated WebSocket connections."""
        self._entries: dict[str, str] = {}
        self.app = build_app(self)

    # -- setup ------------------------------------------------------------------------------------------------

    def _hex(self) -> str:
        return f"{self.random.getrandbits(128):032x}"

    def add_token(self, token: str | None = None) -> str:
        """A long-lived access token of the owner (an admin): a JWT as Home Assistant signs them, valid 10 years."""
        if token is None:
            now = self.clock()
            claims = {"iss": self._hex(), "iat": int(now.timestamp()), "exp": int((now + TOKEN_LIFETIME).timestamp())}
            header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
            body = _b64(json.dumps(claims, separators=(",", ":")).encode())
            token = f"{header}.{body}.{_b64(self.random.getrandbits(256).to_bytes(32, 'big'))}"
        self.tokens[token] = self.owner_id
        return token

    def user_for(self, token: object) -> str | None:
        return self.tokens.get(token) if isinstance(token, str) else None

    def add_lock(
        self,
        entity_id: str,
        *,
        name: str,
        state: str = "locked",
        jams: bool = False,
        openable: bool = False,
        matter: bool = False,
        manufacturer: str | None = "Acme",
        model: str | None = "Lock 1",
        registry: bool = True,
        available: bool = True,
        max_pin_users: int = 10,
        min_pin_length: int = 4,
        max_pin_length: int = 8,
    ) -> None:
        """A lock entity. `matter`: a Matter lock (user and PIN management); otherwise a Z-Wave lock, or a demo-like
        one without registry entries (`registry=False`, as Home Assistant's demo locks are).
        """
        if not ENTITY_ID.match(entity_id) or not entity_id.startswith("lock.") or entity_id in self.locks:
            raise ValueError(f"{entity_id!r} is not a new lock entity id")
        if state not in LOCK_STATES:
            raise ValueError(f"a lock's state is one of {sorted(LOCK_STATES)}, not {state!r}")
        store = MatterStore(max_pin_users, max_pin_users, min_pin_length, max_pin_length) if matter else None
        lock = Lock(entity_id, name, state, jams, openable, store, manufacturer, model, registry, available)
        if registry:
            lock.device_id, lock.entry_id, lock.unique_id = self._hex(), self._hex(), self._hex()
            lock.config_entry_id = self._entries.setdefault(lock.platform, self._hex())
        self.locks[entity_id] = lock
        self.publish(lock, self.context())

    # -- fault knobs (providers.testing.FaultKnobs) -----------------------------------------------------------

    def rate_limit(self, *, retry_after: int, count: int = 1) -> None:
        """The next `count` requests are answered 429 with `Retry-After` (by a reverse proxy: HA has no limit)."""
        self.faults.rate_limit(retry_after=retry_after, count=count)

    def revoke_credentials(self) -> None:
        """Every token known now is refused from now on (REST 401, WebSocket `auth_invalid`); open WebSocket
        connections are closed, as Home Assistant closes them when their refresh token is removed.
        """
        self.tokens.clear()
        for session in list(self.sessions):
            session.close()

    def close(self) -> None:
        """Drop every pending device step and close the open WebSocket connections."""
        super().close()
        for session in list(self.sessions):
            session.close()

    def transport(self) -> HomeAssistantTransport:
        return HomeAssistantTransport(self.app)
