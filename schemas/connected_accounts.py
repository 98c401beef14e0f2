"""A login at one vendor; its credentials never leave the gateway."""

from __future__ import annotations

import enum
from typing import Annotated
from uuid import UUID

import msgspec

from schemas.base import AwareDatetime, RequestStruct, WireStruct
from schemas.common import ResourceIssue


class ConnectedAccountStatus(enum.StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTHORIZATION = "needs_reauthorization"
    DISCONNECTED = "disconnected"


class ConnectedAccount(WireStruct):
    """One vendor login and its health."""

    id: UUID
    provider: str
    status: ConnectedAccountStatus
    display_name: str | None
    errors: list[ResourceIssue]
    warnings: list[ResourceIssue]
    created_at: AwareDatetime
    updated_at: AwareDatetime


class ConnectedAccountCreate(RequestStruct):
    """Body of `POST /v1/connected_accounts`: a non-OAuth login (see each provider's credential fields)."""

    provider: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    credentials: dict[str, Annotated[str, msgspec.Meta(max_length=4096)]]


class ConnectSessionStatus(enum.StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    FAILED = "failed"


class ConnectSessionError(WireStruct):
    code: str
    message: str


class ConnectSession(WireStruct):
    """An OAuth login in progress: send the person to `url`; the vendor sends them back to the gateway."""

    id: UUID
    provider: str
    status: ConnectSessionStatus
    url: str | None
    """The vendor's consent page (null once the session is over)."""
    redirect_url: str | None
    connected_account_id: UUID | None
    error: ConnectSessionError | None
    created_at: AwareDatetime
    expires_at: AwareDatetime


class ConnectSessionCreate(RequestStruct):
    """Body of `POST /v1/connect_sessions`."""

    provider: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    redirect_url: Annotated[str, msgspec.Meta(max_length=2048, pattern=r"^https?://")] | None = None
    """Where to send the person when the login is over (with `connect_session_id` and `status`)."""


class ProviderWebhook(WireStruct):
    """Where the vendor should send an account's callbacks: register `url` in the vendor's developer console."""

    connected_account_id: UUID
    provider: str
    url: str
    trust: str
    """`signed`: the vendor signs callbacks (one URL serves every account); `url_token`: the URL is the secret."""


class ProviderWebhookReceipt(WireStruct):
    """What the gateway made of a vendor callback."""

    events_recorded: int
    devices_refreshed: int
