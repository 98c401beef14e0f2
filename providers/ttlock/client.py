"""The TTLock Open Platform (cloud v3), one method per endpoint: parameters, authentication and error decoding.

Every call carries `clientId`, `accessToken` and `date` (milliseconds, within 5 minutes of TTLock's clock); reads are
GETs with a query string, writes are form-encoded POSTs, and failures come back as HTTP 200 with a non-zero
`errcode`. Logins are OAuth 2 password grants with the MD5 of the password (never the password itself); access tokens
last 90 days and are refreshed before they expire (the new pair is saved through the credential store at once).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import msgspec
from authlib.oauth2.rfc6749 import OAuth2Token

from providers.base import CredentialStore, ProviderConfig, unpaced
from providers.errors import ProviderAuthError
from providers.http import raise_for_common_status
from providers.ttlock.errors import VENDOR, error_for
from providers.ttlock.models import (
    Failure,
    Gateway,
    GatewayLock,
    Listing,
    LockDetail,
    LockItem,
    OpenState,
    Page,
    Passcode,
    PasscodeAdded,
    RandomPasscode,
    Record,
    Token,
)

T = TypeVar("T")
Clock = Callable[[], datetime]
THROUGH_GATEWAY = 2
"""`addType`, `changeType`, `deleteType`: 2 sends the change through the gateway to the lock (1, the default, only
records it in the cloud, and such a code never opens the lock)."""
PERIOD = 3
PAGE_SIZES = {"/v3/lock/list": 1000}
MAX_PAGE = 200
MAX_PAGES = 50
_refresh_locks: dict[str, asyncio.Lock] = {}


def md5_hex(password: str) -> str:
    """What TTLock takes as the password: the lowercase hex MD5 of the plain text."""
    return hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()


def ms(moment: datetime) -> int:
    return math.floor(moment.timestamp() * 1000)


def instant(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, UTC)


async def request_token(http: httpx.AsyncClient, config: ProviderConfig, clock: Clock, **fields: str) -> dict[str, Any]:
    """The token endpoint (password grant, or `grant_type=refresh_token`); what the credential store keeps."""
    body = {"clientId": config.client_id or "", "clientSecret": config.client_secret or "", **fields}
    response = await http.post(f"{config.base_url}/oauth2/token", data=body, headers={"Accept": "application/json"})
    raise_for_common_status(response, VENDOR)
    failure = msgspec.json.decode(response.content, type=Failure)
    if failure.errcode:
        raise error_for(failure.errcode, failure.errmsg, clock)
    token = msgspec.json.decode(response.content, type=Token)
    kept = dict(OAuth2Token.from_dict(msgspec.structs.asdict(token)))
    kept["expires_at"] = int(clock().timestamp()) + token.expires_in
    return {name: value for name, value in kept.items() if value is not None}


class TTLockClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        config: ProviderConfig,
        credentials: CredentialStore,
        pace: Callable[[], Awaitable[None]] = unpaced,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.http = http
        self.config = config
        self.credentials = credentials
        self.pace = pace
        self.clock = clock
        self._current: dict[str, Any] | None = None

    # -- locks and gateways -----------------------------------------------------------------------------------

    async def locks(self) -> list[LockItem]:
        return await self._pages("/v3/lock/list", LockItem)

    async def lock_detail(self, lock_id: int) -> LockDetail:
        return await self._get("/v3/lock/detail", LockDetail, lockId=lock_id)

    async def gateways(self) -> list[Gateway]:
        return await self._pages("/v3/gateway/list", Gateway, orderBy=0)

    async def gateway_locks(self, gateway_id: int) -> list[GatewayLock]:
        return (await self._get("/v3/gateway/listLock", Listing[GatewayLock], gatewayId=gateway_id)).items

    async def open_state(self, lock_id: int) -> OpenState:
        """Asks the lock itself through its gateway (slow)."""
        return await self._get("/v3/lock/queryOpenState", OpenState, lockId=lock_id)

    async def unlock(self, lock_id: int) -> None:
        """Synchronous: TTLock answers once the gateway has heard back from the lock."""
        await self._post("/v3/lock/unlock", lockId=lock_id)

    async def lock(self, lock_id: int) -> None:
        await self._post("/v3/lock/lock", lockId=lock_id)

    # -- passcodes --------------------------------------------------------------------------------------------

    async def passcodes(self, lock_id: int) -> list[Passcode]:
        return await self._pages("/v3/lock/listKeyboardPwd", Passcode, lockId=lock_id, orderBy=1)

    async def add_passcode(self, lock_id: int, code: str, name: str, start: datetime, end: datetime) -> int:
        """A custom period code, written to the lock through its gateway; its `keyboardPwdId`."""
        added = await self._post(
            "/v3/keyboardPwd/add",
            PasscodeAdded,
            lockId=lock_id,
            keyboardPwd=code,
            keyboardPwdName=name,
            keyboardPwdType=PERIOD,
            startDate=ms(start),
            endDate=ms(end),
            addType=THROUGH_GATEWAY,
        )
        return added.keyboard_pwd_id

    async def change_passcode(
        self, lock_id: int, passcode_id: int, *, name: str, code: str, start: datetime, end: datetime
    ) -> None:
        """Name, PIN and both dates at once (without `startDate` TTLock accepts a new validity and ignores it)."""
        await self._post(
            "/v3/keyboardPwd/change",
            lockId=lock_id,
            keyboardPwdId=passcode_id,
            keyboardPwdName=name,
            newKeyboardPwd=code,
            startDate=ms(start),
            endDate=ms(end),
            changeType=THROUGH_GATEWAY,
        )

    async def delete_passcode(self, lock_id: int, passcode_id: int) -> None:
        await self._post(
            "/v3/keyboardPwd/delete", lockId=lock_id, keyboardPwdId=passcode_id, deleteType=THROUGH_GATEWAY
        )

    async def random_passcode(
        self, lock_id: int, kind: int, name: str, start: datetime, end: datetime | None
    ) -> RandomPasscode:
        """A code the cloud computes (no gateway needed); TTLock keeps only the whole hours of the dates."""
        dates = {"startDate": ms(start)} | ({"endDate": ms(end)} if end is not None else {})
        return await self._post(
            "/v3/keyboardPwd/get", RandomPasscode, lockId=lock_id, keyboardPwdType=kind, keyboardPwdName=name, **dates
        )

    async def records(self, lock_id: int, since: datetime, until: datetime) -> list[Record]:
        return await self._pages("/v3/lockRecord/list", Record, lockId=lock_id, startDate=ms(since), endDate=ms(until))

    # -- requests ---------------------------------------------------------------------------------------------

    async def _get(self, path: str, kind: type[T], **params: Any) -> T:
        return msgspec.json.decode((await self._call("GET", path, params)).content, type=kind)

    async def _post(self, path: str, kind: type[T] | None = None, **params: Any) -> Any:
        response = await self._call("POST", path, params)
        return msgspec.json.decode(response.content, type=kind) if kind is not None else None

    async def _pages(self, path: str, kind: type[T], **params: Any) -> list[T]:
        size = PAGE_SIZES.get(path, MAX_PAGE)
        found: list[T] = []
        for number in range(1, MAX_PAGES + 1):
            page = await self._get(path, Page[kind], pageNo=number, pageSize=size, **params)  # type: ignore[valid-type]
            found += page.items
            if number >= page.pages or not page.items:
                break
        return found

    async def _call(self, method: str, path: str, params: dict[str, Any]) -> httpx.Response:
        credentials = await self._credentials()
        response = await self._send(method, path, params, credentials)
        failure = _failure(response)
        if failure is not None and failure.errcode == 10004:  # the token died early (revoked elsewhere): refresh once
            response = await self._send(method, path, params, await self._refreshed(credentials))
            failure = _failure(response)
        if failure is not None and failure.errcode:
            raise error_for(failure.errcode, failure.errmsg, self.clock)
        return response

    async def _send(
        self, method: str, path: str, params: dict[str, Any], credentials: dict[str, Any]
    ) -> httpx.Response:
        token = credentials.get("access_token")
        if not token:
            raise ProviderAuthError(f"The {VENDOR} account has no token.")
        signed = {"clientId": self.config.client_id or "", "accessToken": token, **params, "date": ms(self.clock())}
        url = f"{self.config.base_url}{path}"
        await self.pace()
        if method == "GET":
            response = await self.http.get(url, params=signed, headers={"Accept": "application/json"})
        else:
            response = await self.http.post(url, data=signed, headers={"Accept": "application/json"})
        raise_for_common_status(response, VENDOR)
        return response

    # -- tokens -----------------------------------------------------------------------------------------------

    async def _credentials(self) -> dict[str, Any]:
        if self._current is None:
            self._current = await self.credentials.load()
        if _expired(self._current, self.clock()):
            self._current = await self._refreshed(self._current)
        return self._current

    async def _refreshed(self, stale: dict[str, Any]) -> dict[str, Any]:
        """A fresh token: refreshed, or (the refresh token refused) a new login with the stored password hash. One
        at a time per refresh token in this process; a token another process got meanwhile is adopted.
        """
        key = str(stale.get("refresh_token") or stale.get("username"))
        async with _refresh_locks.setdefault(key, asyncio.Lock()):
            latest = await self.credentials.load()
            if latest.get("access_token") != stale.get("access_token") and not _expired(latest, self.clock()):
                fresh = latest
            else:
                fresh = latest | await self._new_token(latest)
                await self.credentials.save(fresh)
        _refresh_locks.pop(key, None)
        self._current = fresh
        return fresh

    async def _new_token(self, credentials: dict[str, Any]) -> dict[str, Any]:
        await self.pace()
        if credentials.get("refresh_token"):
            try:
                return await request_token(
                    self.http,
                    self.config,
                    self.clock,
                    grant_type="refresh_token",
                    refresh_token=credentials["refresh_token"],
                )
            except ProviderAuthError:
                if not credentials.get("password_md5"):
                    raise
        if not credentials.get("password_md5"):
            raise ProviderAuthError(f"The {VENDOR} login expired and no password is kept to renew it.")
        return await login(self.http, self.config, self.clock, credentials["username"], credentials["password_md5"])


async def login(
    http: httpx.AsyncClient, config: ProviderConfig, clock: Clock, username: str, password_md5: str
) -> dict[str, Any]:
    """The password grant: the app account's name and the MD5 of its password."""
    return await request_token(http, config, clock, username=username, password=password_md5)


def _failure(response: httpx.Response) -> Failure | None:
    try:
        return msgspec.json.decode(response.content, type=Failure)
    except msgspec.ValidationError:  # a list or a bare value: a data answer, not an error
        return None


def _expired(credentials: dict[str, Any], now: datetime) -> bool:
    expires_at = credentials.get("expires_at")
    return expires_at is not None and float(expires_at) - 60 <= now.timestamp()
