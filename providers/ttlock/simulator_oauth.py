"""The simulated TTLock token endpoint (`POST /oauth2/token`): the resource-owner password grant with the MD5 of the
password and no `grant_type`, refresh with `grant_type=refresh_token`, 90-day access tokens, 10-year refresh tokens
(rotated on use), and the token check of every v3 call. Errors are errcodes with HTTP 200, like the rest of TTLock.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from litestar import Response, post

from providers.ttlock.simulator_params import Req, read_params, sim_of
from providers.ttlock.simulator_state import Account, TTLockError

ACCESS_LIFETIME = timedelta(seconds=7_776_000)
REFRESH_LIFETIME = timedelta(days=3650)
MD5_HEX = re.compile(r"^[0-9a-f]{32}$")
SCOPE = "user,key,room"


@dataclass
class Token:
    uid: int
    client_id: str
    expires_at: datetime
    revoked: bool = False


class TokenServer:
    """Approved applications (client id -> secret) and the tokens issued to them for the accounts."""

    def __init__(self, clock: Callable[[], datetime], accounts: Mapping[int, Account]) -> None:
        self.clock = clock
        self.accounts = accounts
        self.clients: dict[str, str] = {}
        self.access_tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Token] = {}

    def grant(self, form: Mapping[str, str]) -> dict[str, Any]:
        """The token answer, or 10001 (client), 30005 (password not an MD5), 10007 (account or password), 10011."""
        client_id = form.get("clientId") or form.get("client_id") or ""
        secret = form.get("clientSecret") or form.get("client_secret") or ""
        known = self.clients.get(client_id)
        if known is None or not hmac.compare_digest(known.encode(), secret.encode()):
            raise TTLockError(10001)
        grant_type = form.get("grant_type") or form.get("grantType") or "password"
        if grant_type == "refresh_token":
            return self._refresh(client_id, form.get("refresh_token") or form.get("refreshToken") or "")
        if grant_type != "password":
            raise TTLockError(-3, "Invalid Parameter: grant_type")
        password = form.get("password", "")
        if not MD5_HEX.match(password):
            raise TTLockError(30005)
        username = form.get("username", "")
        account = next((known for known in self.accounts.values() if known.username == username), None)
        if account is None or not hmac.compare_digest(account.password_md5, password):
            raise TTLockError(10007)
        access, refresh = self._issue(client_id, account.uid)
        expires_in = int(ACCESS_LIFETIME.total_seconds())
        answer = {"access_token": access, "uid": account.uid, "refresh_token": refresh, "expires_in": expires_in}
        return answer | {"openid": account.uid, "scope": SCOPE, "token_type": "Bearer"}

    def _refresh(self, client_id: str, refresh_token: str) -> dict[str, Any]:
        """The documented answer: `access_token`, `refresh_token`, `expires_in` (the used refresh token dies)."""
        found = self.refresh_tokens.get(refresh_token)
        if found is None or found.revoked or found.client_id != client_id or self.clock() >= found.expires_at:
            raise TTLockError(10011)
        found.revoked = True
        access, refresh = self._issue(client_id, found.uid)
        return {"access_token": access, "refresh_token": refresh, "expires_in": int(ACCESS_LIFETIME.total_seconds())}

    def _issue(self, client_id: str, uid: int) -> tuple[str, str]:
        now, access, refresh = self.clock(), secrets.token_hex(16), secrets.token_hex(16)
        self.access_tokens[access] = Token(uid, client_id, now + ACCESS_LIFETIME)
        self.refresh_tokens[refresh] = Token(uid, client_id, now + REFRESH_LIFETIME)
        return access, refresh

    def account_for(self, client_id: str, access_token: str) -> int:
        """The uid a v3 call's token belongs to: 10000 unknown client, 10003 no token, 10004 invalid or expired."""
        if client_id not in self.clients:
            raise TTLockError(10000)
        if not access_token:
            raise TTLockError(10003)
        found = self.access_tokens.get(access_token)
        if found is None or found.revoked or found.client_id != client_id or self.clock() >= found.expires_at:
            raise TTLockError(10004)
        return found.uid

    def revoke(self, uids: set[int] | None) -> None:
        """Every access and refresh token of the accounts (all accounts for None) is refused from now on."""
        for token in [*self.access_tokens.values(), *self.refresh_tokens.values()]:
            if uids is None or token.uid in uids:
                token.revoked = True

    def expire_access_tokens(self) -> None:
        now = self.clock()
        for token in self.access_tokens.values():
            token.expires_at = min(token.expires_at, now)


@post("/oauth2/token", status_code=200)
async def token(request: Req) -> Response[dict[str, Any]]:
    """Form fields in the body (or the query string); every answer is HTTP 200."""
    return Response(sim_of(request).oauth.grant(await read_params(request)))
