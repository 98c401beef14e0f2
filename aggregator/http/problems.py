"""Every failure becomes problem+json: framework exceptions are translated into `ApiError`s, crashes into 500s."""

from __future__ import annotations

import logging
import re
from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotFoundException,
    SerializationException,
    ValidationException,
)
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin

from aggregator.http import errors
from aggregator.http.errors import ApiError, problem_response
from aggregator.http.request_id import request_id
from aggregator.outages import is_outage

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
    field_errors = [{"field": _field_name(item), "message": _message(item)} for item in items]
    names = ", ".join(error["field"] for error in field_errors) or "the request"
    return ApiError(errors.VALIDATION_ERROR, f"Invalid input in {names}.", field_errors=field_errors)


def _message(item: dict[str, Any]) -> str:
    message = str(item.get("message", ""))
    # Litestar reports a missing body as the KeyError of its `data` argument.
    return "A JSON body is required." if message == "'data'" else message


def _field_name(item: dict[str, Any]) -> str:
    """Litestar reports body-level errors under the key `data`; name the offending field instead."""
    key = str(item.get("key", ""))
    if key != "data":
        return key
    match = _BACKTICKED.search(str(item.get("message", "")))
    return match.group(1) if match else "body"


def unexpected_exception(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A crash: log it with its request id and traceback, answer a 500 that leaks nothing.

    Some exceptions are no crash: input the decoders cannot take (not UTF-8, nested too deep, text the
    database refuses) is the client's error, and a dependency that cannot be reached is a 503 to retry.
    """
    rid = request_id(request.scope)
    unreadable = _unreadable_input(exc)
    if unreadable is not None:
        return problem_response(unreadable, rid)
    if is_outage(exc):
        logger.warning("dependency unavailable in %s %s (request %s): %r", request.method, request.url.path, rid, exc)
        unavailable = ApiError(errors.SERVICE_UNAVAILABLE, "A dependency of the gateway is unavailable; retry shortly.")
        unavailable.headers = {"Retry-After": "5"}
        return problem_response(unavailable, rid)
    logger.error("unhandled error in %s %s (request %s)", request.method, request.url.path, rid, exc_info=exc)
    return problem_response(ApiError(errors.INTERNAL_ERROR), rid)


def _unreadable_input(exc: Exception) -> ApiError | None:
    if isinstance(exc, UnicodeDecodeError):
        return ApiError(errors.MALFORMED_JSON, "The request body is not valid UTF-8 JSON.")
    if isinstance(exc, RecursionError):
        return ApiError(errors.MALFORMED_JSON, "The request body is nested too deeply.")
    if isinstance(exc, asyncpg.CharacterNotInRepertoireError | asyncpg.UntranslatableCharacterError):
        return ApiError(errors.VALIDATION_ERROR, "Text must not contain NUL or other characters the database refuses.")
    return None


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map={HTTPException: from_http_exception},
        )
    )
