"""A simulated Nuki Web cloud (`NukiSimulator`): accounts, locks, keypad codes and logs in memory behind an ASGI app
that speaks the Nuki Web API, with knobs for latency, failures, rate limits, time-outs, revocation and device quirks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from providers.nuki.models import LockState
from providers.nuki.simulator_devices import SimulatedLocks
from providers.nuki.simulator_http import build_app
from providers.nuki.simulator_oauth import Client, OAuthServer
from providers.nuki.simulator_state import Account, Lock, log_payload, smartlock_id, state_payload
from providers.simkit import Fault, FaultQueue, Knobs, SimulatorTransport

__all__ = ("Fault", "NukiSimulator", "SimulatorTransport", "WebhookMessage")
VENDOR = "Nuki Web"


@dataclass
class WebhookMessage:
    headers: dict[str, str]
    body: bytes


class NukiSimulator(SimulatedLocks, Knobs):
    """Nuki Web in a box. Setup, knobs and device events are plain methods; `app` is the ASGI app; `transport()`
    is an httpx transport on it that honours client time-outs (httpx's own ASGITransport ignores them).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        action_delay: float = 0.05,
        sandbox: bool = False,
        seed: int | None = None,
    ) -> None:
        super().__init__(clock or (lambda: datetime.now(UTC)), action_delay, random.Random(seed))
        self.sandbox = sandbox
        """The sign-in page offers a one-click approve (as the first account)."""
        self.latency = 0.0
        """Seconds added to every response."""
        self.failure_rate = 0.0
        """Fraction of requests answered 503."""
        self.hang_seconds = 30.0
        """How long a `time_out_next` request hangs before it answers 504 (if the client has not given up)."""
        self.refuse_busy_auths = False
        """Answer 423 to updates and deletes of an auth whose earlier change has not synced yet (vendors.md 1.4)."""
        self.oauth = OAuthServer(self.clock)
        self.faults = FaultQueue(self.random)
        self.knobs = self
        self.app = build_app(self)

    # -- setup ------------------------------------------------------------------------------------------------

    def add_client(self, client_id: str, client_secret: str, redirect_uris: list[str] | tuple[str, ...]) -> None:
        """An approved Advanced API application with its registered redirect URIs (exact match, no wildcards)."""
        self.oauth.clients[client_id] = Client(client_id, client_secret, tuple(redirect_uris))

    def add_account(self, email: str, password: str, name: str | None = None) -> int:
        account_id = 100001 + len(self.accounts)
        self.accounts[account_id] = Account(account_id, email, password, name or email.split("@")[0], account_id * 10)
        return account_id

    def add_smartlock(
        self,
        account_id: int,
        *,
        name: str,
        type: int = 4,
        keypad: bool = True,
        online: bool = True,
        battery_charge: int = 80,
        battery_critical: bool = False,
        locked: bool = True,
        door_state: int = 2,
        timezone: str = "Europe/Berlin",
    ) -> int:
        """A lock of the account; its id is built as Nuki builds them (type prefix + hex id, read as hex)."""
        lock_id = smartlock_id(type, f"{self.random.getrandbits(32):08X}")
        while lock_id in self.locks:
            lock_id = smartlock_id(type, f"{self.random.getrandbits(32):08X}")
        state = LockState.LOCKED if locked else LockState.UNLOCKED
        self.locks[lock_id] = Lock(
            smartlock_id=lock_id,
            account_id=account_id,
            type=type,
            name=name,
            timezone=timezone,
            keypad=keypad,
            online=online,
            battery_charge=battery_charge,
            battery_critical=battery_critical,
            state=state,
            door_state=door_state,
        )
        return lock_id

    def issue_api_token(self, account_id: int) -> str:
        """A Nuki Web API token for the account: a Bearer token that never expires."""
        return self.oauth.issue_api_token(account_id)

    # -- fault knobs (providers.testing.FaultKnobs) -----------------------------------------------------------

    def revoke_credentials(self, account_id: int | None = None) -> None:
        """Every token, refresh token and unused code of the account (of every account for None) dies now."""
        self.oauth.revoke(None if account_id is None else {account_id})

    def expire_tokens(self) -> None:
        """Every OAuth access token has expired now (refresh tokens and API tokens still work)."""
        self.oauth.expire_access_tokens()

    # -- webhooks ---------------------------------------------------------------------------------------------

    def webhook(self, lock_id: int, feature: str = "DEVICE_STATUS", *, client_id: str | None = None) -> WebhookMessage:
        """A central webhook about the lock (DEVICE_STATUS, or DEVICE_LOGS with its newest log entry), signed as
        Nuki signs them: `X-Nuki-Signature-SHA256` = hex HMAC-SHA256 of the JSON body keyed with the client secret
        (of `client_id`, default the first client).
        """
        lock = self.locks[lock_id]
        if feature == "DEVICE_STATUS":
            payload = {"feature": feature, "smartlockId": lock_id, "state": state_payload(lock)}
            payload |= {"serverState": 0 if lock.online else 4, "adminPinState": 0}
        elif feature == "DEVICE_LOGS":
            newest = max((log for log in self.logs if log.smartlock_id == lock_id), key=lambda log: log.seq)
            payload = {"feature": feature, **log_payload(newest)}
        else:
            raise ValueError(f"the simulator builds DEVICE_STATUS and DEVICE_LOGS webhooks, not {feature}")
        client = self.oauth.clients[client_id] if client_id else next(iter(self.oauth.clients.values()))
        body = json.dumps(payload, separators=(",", ":")).encode()
        signature = hmac.new(client.client_secret.encode(), body, hashlib.sha256).hexdigest()
        return WebhookMessage({"Content-Type": "application/json", "X-Nuki-Signature-SHA256": signature}, body)

    def transport(self) -> SimulatorTransport:
        return SimulatorTransport(app=cast(Any, self.app), vendor=VENDOR)
