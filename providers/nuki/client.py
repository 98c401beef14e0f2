"""The Nuki Web API, one method per endpoint: paths, parameters, authentication and error decoding.

Two ways in: an API token, or OAuth 2 authorization code with 1 h access tokens and refresh tokens that rotate on
every refresh (the new one is saved through the credential store before it is used). OAuth messages are built
and read with authlib; the requests go through the injected httpx client.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx
import msgspec
from authlib.oauth2.rfc6749 import OAuth2Token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request

from providers.base import CredentialStore, ProviderConfig, unpaced
from providers.errors import ProviderAuthError, ProviderRejected, ProviderUnavailable
from providers.http import raise_for_common_status, vendor_message
from providers.nuki.models import Account, Smartlock, SmartlockAuth, SmartlockAuthWrite, SmartlockLog, Token

VENDOR = "Nuki"
SCOPES = ("account", "smartlock", "smartlock.action", "smartlock.auth", "smartlock.log", "webhook.central")
SIGNATURE_HEADER = "x-nuki-signature-sha256"
_REJECTIONS = {
    400: "invalid_request",
    402: "subscription_required",
    404: "device_not_found",
    405: "action_not_allowed",
    409: "code_constraint_violated",
    426: "subscription_required",
}
LOG_PAGE_SIZE = 50
"""Nuki's maximum."""
_refresh_locks: dict[str, asyncio.Lock] = {}


def authorization_url(config: ProviderConfig, *, redirect_uri: str, state: str) -> str:
    uri: str = prepare_grant_uri(
        f"{config.base_url}/oauth/authorize",
        config.client_id,
        "code",
        redirect_uri=redirect_uri,
        scope=" ".join(SCOPES),
        state=state,
    )
    return uri


async def request_token(
    http: httpx.AsyncClient, config: ProviderConfig, grant_type: str, **fields: str
) -> dict[str, Any]:
    """Call the token endpoint; the answer, with its `expires_at`, is what the credential store keeps."""
    body = prepare_token_request(grant_type, client_id=config.client_id, client_secret=config.client_secret, **fields)
    response = await http.post(
        f"{config.base_url}/oauth/token",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    if response.status_code in (400, 401):
        raise ProviderAuthError(f"{VENDOR} refused the grant: {vendor_message(response)}")
    raise_for_common_status(response, VENDOR)
    token = msgspec.json.decode(response.content, type=Token)
    return dict(OAuth2Token.from_dict(msgspec.structs.asdict(token)))


def verify_signature(secret: str, body: bytes, signature: str | None) -> bool:
    """Whether `signature` is the HMAC-SHA256 of `body` keyed with `secret` (compared in constant time)."""
    if not signature:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


class NukiClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        config: ProviderConfig,
        credentials: CredentialStore,
        pace: Callable[[], Awaitable[None]] = unpaced,
    ) -> None:
        self.http = http
        self.config = config
        self.credentials = credentials
        self.pace = pace
        self._current: dict[str, Any] | None = None

    # -- endpoints --------------------------------------------------------------------------------------------

    async def account(self) -> Account:
        return msgspec.json.decode((await self._call("GET", "/account")).content, type=Account)

    async def smartlocks(self) -> list[Smartlock]:
        return msgspec.json.decode((await self._call("GET", "/smartlock")).content, type=list[Smartlock])

    async def smartlock(self, smartlock_id: int) -> Smartlock:
        return msgspec.json.decode((await self._call("GET", f"/smartlock/{smartlock_id}")).content, type=Smartlock)

    async def action(self, smartlock_id: int, action: int, option: int = 0) -> None:
        """Answers 204 as soon as Nuki accepted the command; the lock moves later."""
        await self._call("POST", f"/smartlock/{smartlock_id}/action", json={"action": action, "option": option})

    async def auths(self, smartlock_id: int, types: int) -> list[SmartlockAuth]:
        response = await self._call("GET", f"/smartlock/{smartlock_id}/auth", params={"types": types})
        return msgspec.json.decode(response.content, type=list[SmartlockAuth])

    async def create_auth(self, smartlock_id: int, body: SmartlockAuthWrite) -> None:
        """Answers 204 with no id: find the new auth by listing."""
        await self._call("PUT", f"/smartlock/{smartlock_id}/auth", json=msgspec.to_builtins(body))

    async def update_auth(self, smartlock_id: int, auth_id: str, body: SmartlockAuthWrite) -> None:
        await self._call("POST", f"/smartlock/{smartlock_id}/auth/{auth_id}", json=msgspec.to_builtins(body))

    async def delete_auth(self, smartlock_id: int, auth_id: str) -> None:
        await self._call("DELETE", f"/smartlock/{smartlock_id}/auth/{auth_id}")

    async def logs(self, *, from_date: datetime, older_than: str | None = None) -> list[SmartlockLog]:
        """Logs of every lock of the account since `from_date`, newest first, one page (`LOG_PAGE_SIZE`);
        `older_than` (a log id) pages back.
        """
        params: dict[str, Any] = {"fromDate": _rfc3339(from_date), "limit": LOG_PAGE_SIZE}
        if older_than:
            params["id"] = older_than
        return msgspec.json.decode(
            (await self._call("GET", "/smartlock/log", params=params)).content, type=list[SmartlockLog]
        )

    # -- requests and authentication --------------------------------------------------------------------------

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        credentials = await self._credentials()
        response = await self._send(method, path, credentials, **kwargs)
        if response.status_code == 401 and "refresh_token" in credentials:
            response = await self._send(method, path, await self._refreshed(credentials), **kwargs)
        _raise_for_status(response)
        return response

    async def _send(self, method: str, path: str, credentials: dict[str, Any], **kwargs: Any) -> httpx.Response:
        token = credentials.get("api_token") or credentials.get("access_token")
        if not token:
            raise ProviderAuthError(f"The {VENDOR} account has no token.")
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        await self.pace()
        return await self.http.request(method, f"{self.config.base_url}{path}", headers=headers, **kwargs)

    async def _credentials(self) -> dict[str, Any]:
        if self._current is None:
            self._current = await self.credentials.load()
        if "refresh_token" in self._current and OAuth2Token.from_dict(self._current).is_expired(leeway=60):
            self._current = await self._refreshed(self._current)
        return self._current

    async def _refreshed(self, stale: dict[str, Any]) -> dict[str, Any]:
        """A fresh access token. One refresh per refresh token at a time, in this process; a refresh another
        process already made is adopted instead of repeated (its refresh token would be rejected now).
        """
        lock = _refresh_locks.setdefault(stale["refresh_token"], asyncio.Lock())
        try:
            async with lock:
                fresh = await self._refresh_once(stale)
        finally:
            _refresh_locks.pop(stale["refresh_token"], None)
        self._current = fresh
        return fresh

    async def _refresh_once(self, stale: dict[str, Any]) -> dict[str, Any]:
        latest = await self.credentials.load()
        refreshed_elsewhere = latest.get("access_token") != stale.get("access_token")
        if refreshed_elsewhere and not OAuth2Token.from_dict(latest).is_expired():
            return latest
        try:
            await self.pace()
            fresh = await request_token(self.http, self.config, "refresh_token", refresh_token=latest["refresh_token"])
        except ProviderAuthError:
            after = await self.credentials.load()
            if after.get("refresh_token") != latest.get("refresh_token"):
                return after  # another process refreshed at the same moment, and Nuki rotated the token for it
            raise
        fresh.setdefault("refresh_token", latest["refresh_token"])
        await self.credentials.save(fresh)
        return fresh


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _raise_for_status(response: httpx.Response) -> None:
    if response.is_success:
        return
    raise_for_common_status(response, VENDOR)
    status = response.status_code
    if status == 423:
        raise ProviderUnavailable(f"{VENDOR} is still busy with an earlier change of this code (HTTP 423).")
    code = _REJECTIONS.get(status, "provider_rejected")
    raise ProviderRejected(code, f"{VENDOR} refused the request (HTTP {status}): {vendor_message(response)}")
