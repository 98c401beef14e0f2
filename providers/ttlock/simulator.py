"""A simulated TTLock Open Platform cloud (`TTLockSimulator`): accounts, gateways, locks, passcodes and lock records in
memory behind an ASGI app that speaks the TTLock v3 API, with knobs for latency, failures, rate limits (errcode
30006), time-outs, token expiry and revocation, gateways going offline and locks out of reach.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlencode

from providers.simkit import FaultQueue, Knobs, SimulatorTransport
from providers.ttlock.simulator_http import build_app
from providers.ttlock.simulator_oauth import TokenServer
from providers.ttlock.simulator_passcodes import SimulatedPasscodes
from providers.ttlock.simulator_payloads import pushed_record
from providers.ttlock.simulator_state import Account, Gateway, Lock, LockState

__all__ = ("TTLockSimulator",)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class TTLockSimulator(SimulatedPasscodes, Knobs):
    """TTLock's cloud in a box. Setup, knobs and what happens at the devices are plain methods; `app` is the ASGI
    app; `transport()` is an httpx transport on it that honours client time-outs.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] | None = None,
        gateway_delay: float = 0.05,
        sandbox: bool = False,
        seed: int | None = None,
    ) -> None:
        super().__init__(clock or (lambda: datetime.now(UTC)), gateway_delay, random.Random(seed))
        self.sandbox = sandbox
        """Also serve the owner's app and keypad under `/app`."""
        self.latency = 0.0
        """Seconds added to every vendor API response."""
        self.failure_rate = 0.0
        """Fraction of vendor API requests answered HTTP 503."""
        self.hang_seconds = 30.0
        """How long a `time_out_next` request hangs before it answers 504 (if the client has not given up)."""
        self.faults = FaultQueue(self.random)
        self.oauth = TokenServer(self.clock, self.accounts)
        self.knobs = self
        self._pushed: dict[int, int] = {}
        self.app = build_app(self)

    # -- setup ------------------------------------------------------------------------------------------------

    def add_client(self, client_id: str, client_secret: str) -> None:
        """An approved open-platform application."""
        self.oauth.clients[client_id] = client_secret

    def add_account(self, username: str, password: str) -> int:
        """A TTLock app account (plain-text password; the token endpoint wants its MD5). Returns its uid."""
        uid = self.new_id("uid")
        self.accounts[uid] = Account(uid, username, hashlib.md5(password.encode(), usedforsecurity=False).hexdigest())
        return uid

    def _mac(self) -> str:
        return ":".join(f"{self.random.getrandbits(8):02X}" for _ in range(6))

    def add_gateway(self, uid: int, *, name: str, online: bool = True) -> int:
        gateway_id = self.new_id("gateway")
        self.gateways[gateway_id] = Gateway(gateway_id, uid, name, self._mac(), online, created_ms=self.now_ms())
        return gateway_id

    def add_lock(
        self,
        uid: int,
        *,
        alias: str,
        gateways: Sequence[int] = (),
        keypad: bool = True,
        battery: int = 80,
        timezone_offset_ms: int = 3_600_000,
        remote_unlock: bool = True,
        wifi: bool = False,
        locked: bool = True,
    ) -> int:
        """A lock the account is top admin of, linked to `gateways` (the account's own). Returns its lockId."""
        if any(self.gateways[gateway_id].uid != uid for gateway_id in gateways):
            raise ValueError("a lock links to gateways of its own account")
        lock_id, mac = self.new_id("lock"), self._mac()
        self.locks[lock_id] = Lock(
            lock_id=lock_id,
            uid=uid,
            alias=alias,
            name=f"S202F_{mac.replace(':', '')[-6:].lower()}",
            mac=mac,
            secret=self.random.getrandbits(128).to_bytes(16, "big"),
            no_key_pwd=f"{self.random.randrange(10**7):07d}",
            init_ms=self.now_ms(),
            gateways=list(gateways),
            keypad=keypad,
            battery=battery,
            timezone_offset_ms=timezone_offset_ms,
            remote_unlock=remote_unlock,
            wifi=wifi,
            state=LockState.LOCKED if locked else LockState.UNLOCKED,
        )
        return lock_id

    # -- fault knobs (providers.testing.FaultKnobs) -----------------------------------------------------------

    def rate_limit(self, *, retry_after: int, count: int = 1) -> None:
        """The next `count` requests answer errcode 30006 (HTTP 200; TTLock sends no Retry-After)."""
        self.faults.rate_limit(retry_after=retry_after, count=count)

    def revoke_credentials(self, account: int | None = None) -> None:
        """The owner changed the app account's password: every access and refresh token of the account (uid; every
        account for None) is refused (10004 / 10011), and so is a login with the old password (10007).
        """
        self.oauth.revoke(None if account is None else {account})
        for known in self.accounts.values():
            if account is None or known.uid == account:
                known.password_md5 = f"{self.random.getrandbits(128):032x}"

    def expire_tokens(self) -> None:
        """Every access token has expired now (refresh tokens still work)."""
        self.oauth.expire_access_tokens()

    # -- callbacks --------------------------------------------------------------------------------------------

    def callback(self, lock_id: int, notify_type: int = 1) -> tuple[dict[str, str], bytes]:
        """What TTLock POSTs to the application's callback URL about the lock, form-encoded: notifyType 1 with the
        records uploaded since the previous callback for the lock (the newest one again if none), or notifyType 3
        (a Wi-Fi lock's online state).
        """
        lock, admin = self.locks[lock_id], self.owner(self.locks[lock_id]).username
        if notify_type == 3 and lock.wifi:
            fields = {"notifyType": "3", "lockId": str(lock_id), "lockAlias": lock.alias, "lockMac": lock.mac}
            fields |= {"networkName": "home-wifi", "admin": admin, "isOnline": "1" if lock.reachable else "0"}
            return dict(FORM), urlencode(fields).encode()
        if notify_type != 1:
            raise ValueError(f"the simulator builds notifyType 1 (and 3 for Wi-Fi locks), not {notify_type}")
        mine = [record for record in self.records if record.lock_id == lock_id]
        fresh = [record for record in mine if record.record_id > self._pushed.get(lock_id, 0)] or mine[-1:]
        if not fresh:
            raise ValueError(f"lock {lock_id} has no records to push")
        self._pushed[lock_id] = fresh[-1].record_id
        records = json.dumps([pushed_record(record, lock) for record in fresh], separators=(",", ":"))
        fields = {"notifyType": "1", "lockId": str(lock_id), "lockMac": lock.mac, "admin": admin, "records": records}
        return dict(FORM), urlencode(fields).encode()

    def gateway_callback(self, gateway_id: int) -> tuple[dict[str, str], bytes]:
        """The gateway callback (notifyType 2): the gateway's online state as TTLock pushes it."""
        gateway = self.gateways[gateway_id]
        fields = {
            "notifyType": "2",
            "gatewayId": str(gateway_id),
            "gatewayName": gateway.name,
            "gatewayMac": gateway.mac,
            "gatewayVersion": str(gateway.version),
            "networkName": gateway.network_name,
            "isOnline": "1" if gateway.online else "0",
        }
        return dict(FORM), urlencode(fields).encode()

    def transport(self) -> SimulatorTransport:
        return SimulatorTransport(self.app, vendor="TTLock")
