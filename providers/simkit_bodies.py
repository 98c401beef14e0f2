"""Request bodies of the simulators' sandbox app routes (what a person does at a lock, not any vendor's API), and
their decoding, with a 400 that says what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import msgspec

Refusal = Callable[[int, str], Exception]
"""How a simulator refuses a request: its own error for (HTTP status, detail)."""

BodyT = TypeVar("BodyT")


class CodeBody(msgspec.Struct):
    """A code the owner adds in the vendor's app."""

    name: str
    code: str


class KeypadBody(msgspec.Struct):
    """A code typed at the lock's keypad."""

    code: str


class KeypadCheckBody(msgspec.Struct):
    """Would `code` open at instant `at` (an RFC 3339 date-time with an offset)?"""

    code: str
    at: datetime


class OnlineBody(msgspec.Struct):
    online: bool


def decode_body(raw: bytes, kind: type[BodyT], refuse: Refusal) -> BodyT:
    try:
        body = msgspec.json.decode(raw, type=kind)
    except msgspec.DecodeError as exc:  # a ValidationError is a DecodeError too
        raise refuse(400, f"Invalid body: {exc}") from None
    if isinstance(body, KeypadCheckBody) and body.at.tzinfo is None:
        raise refuse(400, "Invalid body: `at` needs a time zone offset")
    return body
