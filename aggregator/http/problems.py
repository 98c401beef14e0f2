"""Every failure becomes problem+json: framework exceptions are translated into `ApiError`s, crashes into 500s."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    SerializationException,
    ValidationException,
)
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin

from aggregator.db.database import is_unavailable
from aggregator.http import errors
from aggregator.http.errors import ApiError, problem_response
from aggregator.http.request_id import request_id

logger = logging.getLogger("aggregator.errors")

_BACKTICKED = re.compile(r"field `([^`]+)`")
_BY_STATUS = {
    401: errors.MISSING_API_KEY,
    404: errors.NOT_FOUND,
    405: errors.METHOD_NOT_ALLOWED,
    413: errors.REQUEST_BODY_TOO_LARGE,
    415: errors.UNSUPPORTED_MEDIA_TYPE,
    429: errors.RATE_LIMITED,
    503: errors.SERVICE_UNAVAILABLE,
}


def from_http_exception(exc: HTTPException) -> ApiError:
    """Translate Litestar's own exceptions (routing, body size, parsing) into catalogued errors."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ValidationException):
        return from_validation_exception(exc)
    if isinstance(exc.__cause__, SerializationException):
        return ApiError(errors.MALFORMED_JSON, f"The request body is not valid JSON: {exc.detail}")
    if isinstance(exc, NotFoundException):
        return ApiError(errors.NOT_FOUND)
    if isinstance(exc, MethodNotAllowedException):
        return ApiError(errors.METHOD_NOT_ALLOWED, headers=exc.headers)
    error = _BY_STATUS.get(exc.status_code)
    if error is not None:
        return ApiError(error, headers=exc.headers)
    if exc.status_code >= 500:
        return ApiError(errors.INTERNAL_ERROR)
    return ApiError(errors.BAD_REQUEST, exc.detail, headers=exc.headers)


def from_validation_exception(exc: ValidationException) -> ApiError:
    items = exc.extra if isinstance(exc.extra, list) else []
    field_errors = [{"field": _field_name(item), "message": str(item.get("message", ""))} for item in items]
    names = ", ".join(error["field"] for error in field_errors) or "the request"
    return ApiError(errors.VALIDATION_ERROR, f"Invalid input in {names}.", field_errors=field_errors)


def _field_name(item: dict[str, Any]) -> str:
    """Litestar reports body-level errors under the key `data`; name the offending field instead."""
    key = str(item.get("key", ""))
    if key != "data":
        return key
    match = _BACKTICKED.search(str(item.get("message", "")))
    return match.group(1) if match else "body"


def unexpected_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A crash: log it with its request id and traceback, answer a 500 that leaks nothing.

    A database that cannot be reached is no crash: 503 `service_unavailable`, to be retried.
    """
    rid = request_id(request.scope)
    if is_unavailable(exc):
        logger.warning("database unavailable in %s %s (request %s): %s", request.method, request.url.path, rid, exc)
        unavailable = ApiError(errors.SERVICE_UNAVAILABLE, "The database is unavailable; retry shortly.")
        unavailable.headers = {"Retry-After": "5"}
        return problem_response(unavailable, rid)
    logger.error("unhandled error in %s %s (request %s)", request.method, request.url.path, rid, exc_info=exc)
    return problem_response(ApiError(errors.INTERNAL_ERROR), rid)


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map={HTTPException: from_http_exception},
        )
    )
