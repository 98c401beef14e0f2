"""Keep secrets out of messages and logs: connection URLs with their passwords masked."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

_SECRET_PARAMETERS = ("password", "secret", "token", "key")


def redact(url: str) -> str:
    """The URL with its password, and any query parameter that names a secret, replaced by `***`."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@")
    query = [
        (name, "***" if any(word in name.lower() for word in _SECRET_PARAMETERS) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return parts._replace(netloc=netloc, query=urlencode(query, safe="*")).geturl()
