"""Checks on query parameters that Litestar's parsing does not make."""

from __future__ import annotations

from datetime import datetime

from aggregator.http import errors
from aggregator.http.errors import ApiError


def require_offset(**values: datetime | None) -> None:
    """Datetimes in queries must carry an offset, as in bodies: a naive one is ambiguous, so a 422."""
    naive = [name for name, value in values.items() if value is not None and value.utcoffset() is None]
    if naive:
        raise ApiError(
            errors.VALIDATION_ERROR,
            f"Give {', '.join(naive)} with an offset, e.g. 2026-05-01T14:00:00Z or 2026-05-01T16:00:00+02:00.",
            field_errors=[{"field": name, "message": "Expected a datetime with an offset"} for name in naive],
        )
