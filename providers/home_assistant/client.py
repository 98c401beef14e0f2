"""Home Assistant's REST API, one method per endpoint: states, services and their calls, the instance's config, state
history; authentication with a long-lived access token, and Home Assistant's error answers as typed errors.

A connected account is an instance's base URL plus a token (both in the account's credentials, not in the provider's
deployment settings: every account is a different Home Assistant).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx
import msgspec

from providers.base import CredentialStore, unpaced
from providers.errors import ProviderAuthError, ProviderRejected, ProviderUnavailable
from providers.home_assistant.models import Config, Domain, Message, Response, State
from providers.http import raise_for_common_status, vendor_message

T = TypeVar("T")
VENDOR = "Home Assistant"
SERVICE_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
"""A service call answers once the integration is done (a Matter lock may take its 10 s timed request, and more)."""
_REFUSALS = (
    ("duplicate", "duplicate_code_on_device"),
    ("no available user slots", "no_space_for_access_code_on_device"),
    ("pin length", "code_constraint_violated"),
    ("does not support", "capability_not_supported"),
)
"""Words of Home Assistant's `ServiceValidationError` messages and the stable code each means."""


def normalized_base_url(raw: str) -> str:
    """`http(s)://host[:port][/path]` without a trailing slash; anything else is refused as a clear input error."""
    url = raw.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ProviderRejected("invalid_base_url", f"{raw!r} is not the http(s) URL of a Home Assistant.")
    return url


class HomeAssistantClient:
    def __init__(
        self, http: httpx.AsyncClient, credentials: CredentialStore, pace: Callable[[], Awaitable[None]] = unpaced
    ) -> None:
        self.http = http
        self.credentials = credentials
        self.pace = pace
        self._login: tuple[str, str] | None = None

    async def login(self) -> tuple[str, str]:
        """The instance's base URL and token."""
        if self._login is None:
            stored = await self.credentials.load()
            if not stored.get("base_url") or not stored.get("access_token"):
                raise ProviderAuthError(f"The {VENDOR} account has no URL or token.")
            self._login = (str(stored["base_url"]), str(stored["access_token"]))
        return self._login

    # -- endpoints --------------------------------------------------------------------------------------------

    async def check(self) -> Message:
        """`GET /api/`: answers only with a valid token."""
        return await self._get("/api/", Message)

    async def config(self) -> Config:
        return await self._get("/api/config", Config)

    async def states(self) -> list[State]:
        return await self._get("/api/states", list[State])

    async def state(self, entity_id: str) -> State:
        return await self._get(f"/api/states/{quote(entity_id)}", State)

    async def services(self) -> list[Domain]:
        return await self._get("/api/services", list[Domain])

    async def call(self, domain: str, service: str, data: dict[str, Any]) -> list[State]:
        """A service call; it answers once the integration is done, with the states it changed meanwhile."""
        response = await self._send("POST", f"/api/services/{domain}/{service}", json=data, timeout=SERVICE_TIMEOUT)
        return msgspec.json.decode(response.content, type=list[State])

    async def call_for_response(self, domain: str, service: str, data: dict[str, Any]) -> dict[str, Any]:
        """A service that answers with data (`?return_response`): its response for each entity, by entity id."""
        path = f"/api/services/{domain}/{service}?return_response"
        response = await self._send("POST", path, json=data, timeout=SERVICE_TIMEOUT)
        return msgspec.json.decode(response.content, type=Response).service_response

    async def history(self, entity_ids: list[str], since: datetime, until: datetime) -> list[list[State]]:
        """State changes of the entities (recorded by Home Assistant's recorder), one list per entity, oldest first."""
        params = {"filter_entity_id": ",".join(entity_ids), "end_time": until.isoformat(), "skip_initial_state": ""}
        path = f"/api/history/period/{quote(since.isoformat())}"
        return await self._get(path, list[list[State]], params=params)

    # -- requests ---------------------------------------------------------------------------------------------

    async def _get(self, path: str, kind: type[T], **kwargs: Any) -> T:
        return msgspec.json.decode((await self._send("GET", path, **kwargs)).content, type=kind)

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        base_url, token = await self.login()
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        await self.pace()
        response = await self.http.request(method, f"{base_url}{path}", headers=headers, **kwargs)
        _raise_for_status(response, path)
        return response


def _raise_for_status(response: httpx.Response, path: str) -> None:
    if response.is_success:
        return
    status = response.status_code
    if status == 401:
        raise ProviderAuthError(f"{VENDOR} refused the access token (HTTP 401): create a new long-lived token.")
    if status == 403:
        raise ProviderAuthError(f"{VENDOR} allows this only to an administrator's token (HTTP 403).")
    raise_for_common_status(response, VENDOR)
    message = _message(response)
    if status == 404:
        raise ProviderRejected("device_not_found", f"{VENDOR} knows no {path.rsplit('/', 1)[-1]} ({message}).")
    if status == 400:
        lowered = message.lower()
        code = next((code for words, code in _REFUSALS if words in lowered), "invalid_request")
        raise ProviderRejected(code, f"{VENDOR} refused the request: {message}")
    raise ProviderUnavailable(f"{VENDOR} answered HTTP {status}: {message}")


def _message(response: httpx.Response) -> str:
    try:
        return msgspec.json.decode(response.content, type=Message).message or vendor_message(response)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return vendor_message(response)
