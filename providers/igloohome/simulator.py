"""A simulated igloohome cloud (`IgloohomeSimulator`): API clients, locks, padlocks, bridges and keypads in memory
behind an ASGI app that speaks the igloohome API and its token endpoint, with knobs for latency, failures, rate
limits, time-outs, revoked credentials, expired tokens, bridges going offline and batteries.

The gateway's sandbox serves it under `/sandbox/igloohome` and points `auth_url` at its `/oauth2/token`.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from providers.igloohome.simulator_http import build_app
from providers.igloohome.simulator_jobs import SimulatedBridges
from providers.igloohome.simulator_oauth import ALL_SCOPES, ApiClient, TokenServer
from providers.igloohome.simulator_state import Bridge, Keypad, Lock
from providers.simkit import FaultQueue, Knobs, SimulatorTransport

__all__ = ("IgloohomeSimulator",)

TOKEN_LIFETIME = timedelta(hours=1)
DEFAULT_ACCOUNT = "igloo-account"


class IgloohomeSimulator(SimulatedBridges, Knobs):
    """igloohome in a box. Setup, knobs and what happens at the locks are plain methods; `app` is the ASGI app;
    `transport()` is an httpx transport on it that honours client time-outs.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        job_delay: float = 0.05,
        sandbox: bool = False,
        seed: int | None = None,
        token_lifetime: timedelta = TOKEN_LIFETIME,
    ) -> None:
        super().__init__(clock or (lambda: datetime.now(UTC)), job_delay, random.Random(seed))
        self.sandbox = sandbox
        """The `/app` routes (the owner's app and the keypads, without login) are served."""
        self.latency = 0.0
        """Seconds added to every response."""
        self.failure_rate = 0.0
        """Fraction of requests answered 503."""
        self.hang_seconds = 30.0
        """How long a `time_out_next` request hangs before it answers 504 (if the client has not given up)."""
        self.oauth = TokenServer(self.clock, token_lifetime)
        self.faults = FaultQueue(self.random)
        self.knobs = self
        self.app = build_app(self)

    # -- setup ------------------------------------------------------------------------------------------------

    def add_client(
        self, client_id: str, client_secret: str, *, account: str = DEFAULT_ACCOUNT, scopes: frozenset[str] = ALL_SCOPES
    ) -> None:
        """An API client of the iglooaccess portal, owning `scopes`, that reaches `account`'s devices."""
        self.oauth.clients[client_id] = ApiClient(client_id, client_secret, account, scopes)

    def _new_id(self, prefix: str) -> str:
        taken = {*self.locks, *self.bridges, *self.keypads}
        while True:
            device_id = f"{prefix}{self.random.getrandbits(32):08x}"
            if device_id not in taken:
                return device_id

    def _internal_id(self) -> str:
        return str(100000 + len(self.locks) + len(self.bridges) + len(self.keypads))

    def add_lock(
        self, name: str, *, account: str = DEFAULT_ACCOUNT, battery: int | None = 90, padlock: bool = False
    ) -> str:
        """A lock (or padlock) of the account; returns its `deviceId` (`OE1X…`, padlocks `SP2X…`)."""
        device_id = self._new_id("SP2X" if padlock else "OE1X")
        now = self.clock()
        secret = self.random.getrandbits(256).to_bytes(32, "big")
        self.locks[device_id] = Lock(device_id, self._internal_id(), account, name, now, secret, battery, now)
        return device_id

    def add_bridge(
        self,
        name: str,
        locks: list[str] | tuple[str, ...] = (),
        *,
        account: str = DEFAULT_ACCOUNT,
        online: bool = True,
        silent_for: timedelta = timedelta(days=1),
    ) -> str:
        """A bridge serving `locks` (up to 5); an offline one last synced `silent_for` ago."""
        if len(locks) > 5:
            raise ValueError("an igloohome Bridge serves up to 5 locks")
        device_id, now = self._new_id("EB1X"), self.clock()
        last_seen = now if online else now - silent_for
        bridge = Bridge(device_id, self._internal_id(), account, name, now, online, last_seen, list(locks))
        self.bridges[device_id] = bridge
        return device_id

    def add_keypad(self, name: str, lock_id: str | None = None, *, account: str = DEFAULT_ACCOUNT) -> str:
        device_id = self._new_id("EK1X")
        self.keypads[device_id] = Keypad(device_id, self._internal_id(), account, name, self.clock(), lock_id)
        return device_id

    # -- fault knobs (providers.testing.FaultKnobs) -----------------------------------------------------------

    def revoke_credentials(self, client_id: str | None = None) -> None:
        """The API client (every client for None) is disabled in the portal: its secret and tokens are refused."""
        self.oauth.revoke(client_id)

    def expire_tokens(self) -> None:
        """Every access token has expired now (the client credentials still work)."""
        self.oauth.expire()

    def rotate_secret(self, client_id: str) -> str:
        """A new secret for the client (the old one is refused from now on); returns it."""
        secret = secrets.token_urlsafe(24)
        self.oauth.clients[client_id].client_secret = secret
        return secret

    def transport(self) -> SimulatorTransport:
        return SimulatorTransport(cast(Any, self.app), vendor="igloohome")
