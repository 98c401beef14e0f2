"""The OpenAPI 3.1 document: metadata, bearer security, and the problem responses every route can give."""

from __future__ import annotations

from typing import Annotated

from litestar import Router
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.params import HeaderParameter

from aggregator.auth.scopes import PUBLIC
from aggregator.http.errors import PROBLEM_MEDIA_TYPE
from schemas import Problem

SECURITY_SCHEME = "apiKey"

_DESCRIPTIONS = {
    400: "The request could not be read (malformed JSON, bad header).",
    401: "No API key, an unknown one, or a revoked one.",
    402: "The vendor needs a paid plan for this.",
    403: "The API key lacks the scope this endpoint needs.",
    404: "No such resource in this workspace.",
    409: "A request with the same Idempotency-Key is still running, or the device is offline.",
    413: "The request body is too large.",
    422: "Invalid input; `errors` lists each field.",
    429: "Too many requests for this API key; see `Retry-After`.",
    502: "The vendor's service failed or did not answer.",
    503: "A dependency of the gateway is unavailable.",
}

_EVERY_AUTHENTICATED_ROUTE = (401, 403, 429)


IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description=(
            "Makes the POST safe to retry: the same key and body answer the first result again (with "
            "`Idempotent-Replayed: true`); the same key with another body is a 422. 1 to 255 printable ASCII "
            "characters, kept 24 h per API key."
        ),
    ),
]
"""Declared by every POST (read by the idempotency middleware; the parameter documents it in OpenAPI)."""


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """Problem responses for a route: the given statuses plus those every authenticated route can answer."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS[status],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
        )
        for status in sorted({*statuses, *_EVERY_AUTHENTICATED_ROUTE})
    }


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Smart-lock gateway",
        version=version,
        description=(
            "One REST API over many smart-lock vendors. Authenticate with `Authorization: Bearer <api key>`. "
            "Errors are RFC 9457 problem documents with a stable `code`; every response carries `X-Request-ID`; "
            "every POST honours `Idempotency-Key`."
        ),
        path="/schema",
        # Public like /health: the routes that serve the document and its UI take no API key.
        openapi_router=Router(path="/schema", route_handlers=[], opt={PUBLIC: True}, tags=["Service"]),
        render_plugins=[ScalarRenderPlugin(path="/"), SwaggerRenderPlugin(path="/swagger")],
        components=Components(
            security_schemes={SECURITY_SCHEME: SecurityScheme(type="http", scheme="bearer", description="API key")}
        ),
        security=[{SECURITY_SCHEME: []}],
        tags=[
            Tag(name="API keys", description="Keys of this workspace and their scopes (admin)."),
            Tag(name="Devices", description="Locks reached through connected accounts."),
            Tag(name="Connected accounts", description="Vendor logins."),
            Tag(name="Action attempts", description="Asynchronous lock and unlock commands."),
            Tag(name="Events", description="What happened at the locks and in the gateway."),
            Tag(name="Audit", description="Who changed what (admin)."),
            Tag(name="Service", description="Health and the error-code catalogue; no API key needed."),
        ],
        use_handler_docstrings=True,
    )
