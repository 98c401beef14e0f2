"""How the simulated TTLock cloud reads a request: query string and form body merged (real clients send either, on
GET or POST alike), the common `clientId`/`accessToken`/`date` checks of every v3 call, and typed parameters that
answer errcode -3 when missing or malformed.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl

from litestar import Request

from providers.ttlock.simulator_state import Account, Gateway, Lock, TTLockError

if TYPE_CHECKING:
    from providers.ttlock.simulator import TTLockSimulator

Req = Request[Any, Any, Any]
DATE_SKEW_MS = 5 * 60_000
"""`date` must be within 5 minutes of the cloud's clock (errcode 80000)."""


def sim_of(request: Req) -> TTLockSimulator:
    return cast("TTLockSimulator", request.app.state.sim)


async def read_params(request: Req) -> dict[str, str]:
    """The query string, then a form-encoded body over it (the body wins a clash)."""
    params, content_type = dict(request.query_params), request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        return params | {name: value for name, value in form.items() if isinstance(value, str)}
    body = await request.body()
    if body and "json" not in content_type:
        params |= dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


@dataclass
class Call:
    """One authenticated v3 call: the simulator, the account its token belongs to, and its parameters."""

    sim: TTLockSimulator
    account: Account
    params: dict[str, str]

    def number(self, name: str, default: int | None = None) -> int:
        value = self.optional(name)
        if value is not None:
            return value
        if default is None:
            raise TTLockError(-3, f"Invalid Parameter: {name} is required")
        return default

    def optional(self, name: str) -> int | None:
        text = self.params.get(name, "").strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise TTLockError(-3, f"Invalid Parameter: {name}") from None

    def text(self, name: str) -> str | None:
        return self.params.get(name)

    def lock(self) -> Lock:
        """The `lockId` lock: -1003 if there is none, -2018 if the account is not its admin."""
        lock = self.sim.locks.get(self.number("lockId"))
        if lock is None:
            raise TTLockError(-1003)
        if lock.uid != self.account.uid:
            raise TTLockError(-2018)
        return lock

    def gateway(self) -> Gateway:
        gateway = self.sim.gateways.get(self.number("gatewayId"))
        if gateway is None:
            raise TTLockError(-4037)
        if gateway.uid != self.account.uid:
            raise TTLockError(-2018)
        return gateway

    def paging(self, max_size: int) -> tuple[int, int]:
        """(pageNo from 1, pageSize 1..max_size; 20 when left out)."""
        page_no, page_size = self.number("pageNo", 1), self.number("pageSize", 20)
        if page_no < 1 or not 1 <= page_size <= max_size:
            raise TTLockError(-3, f"Invalid Parameter: pageNo from 1, pageSize from 1 to {max_size}")
        return page_no, page_size


Handler = Callable[[Call], Coroutine[Any, Any, dict[str, Any]]]
"""A v3 endpoint: what it answers (a data object, or `OK` for actions); refusals raise `TTLockError`."""


def open_call(sim: TTLockSimulator, params: dict[str, str]) -> Call:
    """The checks every v3 call passes first: client id (10000), token (10003 missing, 10004 invalid, expired,
    revoked or another client's), then `date` within 5 minutes of the simulator's clock (80000).
    """
    uid = sim.oauth.account_for(params.get("clientId", ""), params.get("accessToken", ""))
    try:
        date = int(params.get("date", ""))
    except ValueError:
        raise TTLockError(80000) from None
    if abs(date - sim.now_ms()) > DATE_SKEW_MS:
        raise TTLockError(80000)
    return Call(sim, sim.accounts[uid], params)
