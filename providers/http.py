"""HTTP helpers every vendor client shares: status codes that mean the same everywhere, and `Retry-After`."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from providers.errors import ProviderAuthError, ProviderRateLimited, ProviderUnavailable


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` as seconds (it may be a number or an HTTP date), or None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def raise_for_common_status(response: httpx.Response, vendor: str) -> None:
    """Raise the typed error for statuses every vendor means alike: 401, 403, 429 and 5xx."""
    status = response.status_code
    if status in (401, 403):
        raise ProviderAuthError(f"{vendor} refused the account's credentials (HTTP {status}).")
    if status == 429:
        raise ProviderRateLimited(f"{vendor} asks to slow down (HTTP 429).", retry_after_seconds(response))
    if status >= 500:
        raise ProviderUnavailable(f"{vendor} failed (HTTP {status}).")


def vendor_message(response: httpx.Response, limit: int = 200) -> str:
    """A short, single-line excerpt of a vendor's error body for messages (never a whole page)."""
    text = " ".join(response.text.split())
    return text if len(text) <= limit else text[:limit] + "..."
