"""Wire bases shared by every public type: one casing, keyword-only, and strict request parsing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True, description="RFC 3339 date-time with an offset")]
"""A datetime that must carry an offset; a naive value is rejected at the edge."""

Name = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$", description="1 to 100 characters"),
]
"""A label people type: no control characters (a NUL would even be refused by PostgreSQL)."""


class WireStruct(msgspec.Struct, kw_only=True):
    """Base of every response type: snake_case fields, keyword-only, explicit nulls."""


class RequestStruct(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every request body: an unknown field is an error, never silently dropped."""
