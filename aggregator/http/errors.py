"""The catalogue of stable error codes, and `ApiError`, the one exception that becomes a problem+json answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from litestar import Request, Response
from litestar.plugins.problem_details import ProblemDetailsException

from aggregator.http.request_id import request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One stable `code`: its HTTP status, a short title and what a client should do about it."""

    code: str
    status: int
    title: str
    description: str

    @property
    def type_uri(self) -> str:
        return f"/problems/{self.code}"


CATALOGUE: dict[str, ErrorCode] = {}


def _code(code: str, status: int, title: str, description: str) -> ErrorCode:
    error = ErrorCode(code, status, title, description)
    CATALOGUE[code] = error
    return error


BAD_REQUEST = _code("bad_request", 400, "Bad request", "The request could not be read; the detail says why.")
MALFORMED_JSON = _code("malformed_json", 400, "Malformed JSON", "The request body is not valid JSON.")
INVALID_IDEMPOTENCY_KEY = _code(
    "invalid_idempotency_key", 400, "Invalid Idempotency-Key", "Use 1 to 255 printable ASCII characters."
)
MISSING_API_KEY = _code(
    "missing_api_key", 401, "API key required", "Send `Authorization: Bearer <api key>` with every request."
)
INVALID_API_KEY = _code("invalid_api_key", 401, "Invalid API key", "The API key is not known; check for typos.")
API_KEY_REVOKED = _code(
    "api_key_revoked", 401, "API key revoked", "This API key was revoked; ask an admin of the workspace for a new one."
)
INSUFFICIENT_SCOPE = _code(
    "insufficient_scope",
    403,
    "Insufficient scope",
    "The API key lacks the scope this endpoint needs; the detail names it.",
)
NOT_FOUND = _code("not_found", 404, "Not found", "There is no such endpoint.")
API_KEY_NOT_FOUND = _code("api_key_not_found", 404, "API key not found", "No API key with this id in this workspace.")
DEVICE_NOT_FOUND = _code("device_not_found", 404, "Device not found", "No device with this id in this workspace.")
CONNECTED_ACCOUNT_NOT_FOUND = _code(
    "connected_account_not_found", 404, "Connected account not found", "No connected account with this id here."
)
ACTION_ATTEMPT_NOT_FOUND = _code(
    "action_attempt_not_found", 404, "Action attempt not found", "No action attempt with this id in this workspace."
)
EVENT_NOT_FOUND = _code("event_not_found", 404, "Event not found", "No event with this id in this workspace.")
PROBLEM_NOT_FOUND = _code("problem_not_found", 404, "Unknown error code", "There is no error code of that name.")
METHOD_NOT_ALLOWED = _code(
    "method_not_allowed", 405, "Method not allowed", "The endpoint exists but not with this method; see `Allow`."
)
IDEMPOTENCY_REQUEST_IN_PROGRESS = _code(
    "idempotency_request_in_progress",
    409,
    "Request in progress",
    "A request with this Idempotency-Key is still running; retry shortly to receive its answer.",
)
REQUEST_BODY_TOO_LARGE = _code(
    "request_body_too_large", 413, "Request body too large", "The body exceeds the gateway's size limit."
)
UNSUPPORTED_MEDIA_TYPE = _code("unsupported_media_type", 415, "Unsupported media type", "Send `application/json`.")
VALIDATION_ERROR = _code(
    "validation_error", 422, "Invalid request", "One or more fields are invalid; `errors` lists each with a message."
)
INVALID_CURSOR = _code(
    "invalid_cursor", 422, "Invalid cursor", "Pass back a `next_cursor` exactly as a previous page returned it."
)
IDEMPOTENCY_KEY_REUSED = _code(
    "idempotency_key_reused",
    422,
    "Idempotency-Key reused",
    "This Idempotency-Key was used with a different request; use a new key for a new request.",
)
CAPABILITY_NOT_SUPPORTED = _code(
    "capability_not_supported",
    422,
    "Capability not supported",
    "The device cannot do this; the detail names the capability flag that is false.",
)
CODE_CONSTRAINT_VIOLATED = _code(
    "code_constraint_violated", 422, "Code not allowed", "The PIN breaks one of the device's code_constraints rules."
)
TIME_FRAME_NOT_SUPPORTED = _code(
    "time_frame_not_supported",
    422,
    "Window not possible",
    "The device's offline codes cannot have this window; the detail says which windows would fit, and "
    "`max_time_rounding` (`1h` or `1d`) lets the gateway widen it to the nearest one.",
)
OFFLINE_CODE_IMMUTABLE = _code(
    "offline_code_immutable",
    422,
    "Offline code cannot change",
    "The vendor computed this offline code for its window; only its name can change. Issue a new one instead.",
)
PROVIDER_REJECTED = _code(
    "provider_rejected", 422, "Refused by the vendor", "The vendor refused the request; the detail has its reason."
)
SUBSCRIPTION_REQUIRED = _code(
    "subscription_required", 402, "Vendor subscription required", "The vendor needs a paid plan for this device."
)
INVALID_BASE_URL = _code(
    "invalid_base_url",
    400,
    "Not a usable URL",
    "The vendor URL given is not an http(s) URL (for Home Assistant: its address, such as http://host:8123).",
)
PROVIDER_UNREACHABLE = _code(
    "provider_unreachable",
    400,
    "The URL given does not answer",
    "Nothing answered at the vendor URL given in the credentials; check the address and that it is reachable.",
)
PROVIDER_AUTH_FAILED = _code(
    "provider_auth_failed",
    400,
    "Vendor login failed",
    "The vendor refused the credentials; check them, or connect the account again.",
)
DEVICE_OFFLINE = _code(
    "device_offline", 409, "Device offline", "The device does not answer; try again when it is back."
)
ACCESS_CODE_NOT_FOUND = _code(
    "access_code_not_found", 404, "Access code not found", "No access code with this id in this workspace."
)
DUPLICATE_CODE_ON_DEVICE = _code(
    "duplicate_code_on_device", 409, "PIN taken on this lock", "Another code on the lock has this PIN; pick another."
)
CODE_NOT_SHAREABLE = _code(
    "code_not_shareable",
    409,
    "Common PIN does not fit",
    "The PIN of the codes sharing this common_code_key breaks this lock's rules or is taken on it.",
)
CONNECT_SESSION_NOT_FOUND = _code(
    "connect_session_not_found", 404, "Connect session not found", "No connect session with this id here."
)
INVALID_CONNECT_STATE = _code(
    "invalid_connect_state",
    400,
    "Unknown or used login state",
    "This login link was already used, or never issued; start a new connect session.",
)
CONNECT_SESSION_EXPIRED = _code(
    "connect_session_expired", 400, "Connect session expired", "The login took too long; start a new connect session."
)
PROVIDER_WEBHOOK_NOT_FOUND = _code(
    "provider_webhook_not_found",
    404,
    "No such callback URL",
    "This vendor callback URL is unknown here; copy it again from GET /v1/connected_accounts/{id}/provider_webhook.",
)
PROVIDER_WEBHOOK_SIGNATURE_INVALID = _code(
    "provider_webhook_signature_invalid", 401, "Callback signature wrong", "The vendor's signature does not match."
)
PROVIDER_WEBHOOK_INVALID = _code(
    "provider_webhook_invalid", 400, "Callback unreadable", "The callback is not shaped as the vendor documents it."
)
RATE_LIMITED = _code(
    "rate_limited", 429, "Too many requests", "This API key sent too many requests; wait `Retry-After` seconds."
)
INTERNAL_ERROR = _code(
    "internal_error", 500, "Internal error", "The gateway failed; quote the request_id when you report it."
)
PROVIDER_UNAVAILABLE = _code(
    "provider_unavailable", 502, "Vendor unavailable", "The vendor's service failed or did not answer; retry later."
)
PROVIDER_RATE_LIMITED = _code(
    "provider_rate_limited",
    503,
    "Vendor rate limit",
    "The vendor asks the gateway to slow down; retry after `Retry-After`.",
)
SERVICE_UNAVAILABLE = _code(
    "service_unavailable", 503, "Service unavailable", "A dependency of the gateway is down; retry later."
)


T = TypeVar("T")


def found(value: T | None, error: ErrorCode) -> T:
    """`value`, or the not-found `error` when there is none (a foreign workspace's id is simply not found)."""
    if value is None:
        raise ApiError(error)
    return value


class ApiError(ProblemDetailsException):
    """An error answered as RFC 9457 problem+json with a stable `code` and the request's id."""

    def __init__(
        self,
        error: ErrorCode,
        detail: str | None = None,
        *,
        field_errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            detail=detail or error.description,
            status_code=error.status,
            headers=headers,
            type_=error.type_uri,
            title=error.title,
        )
        self.error = error
        self.field_errors = field_errors

    def to_response(self, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        return problem_response(self, request_id(request.scope))

    def body(self, rid: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.error.type_uri,
            "title": self.error.title,
            "status": self.error.status,
            "detail": self.detail,
            "code": self.error.code,
            "request_id": rid,
        }
        if self.field_errors is not None:
            body["errors"] = self.field_errors
        return body


def problem_response(error: ApiError, rid: str) -> Response[dict[str, Any]]:
    return Response(
        error.body(rid), status_code=error.status_code, headers=error.headers, media_type=PROBLEM_MEDIA_TYPE
    )
