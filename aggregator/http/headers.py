"""Reading request headers straight from the ASGI scope (cheaper than building a Request on hot paths)."""

from __future__ import annotations

from typing import Any


def header(scope: Any, name: bytes) -> bytes | None:
    """The raw value of the first header called `name` (lower-case bytes), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None
