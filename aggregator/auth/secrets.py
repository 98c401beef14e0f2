"""API key secrets: made from 256 random bits, stored only as a SHA-256 hash, shown once.

A fast hash is right here: the secrets are random and long, so there is nothing to brute-force,
and the hash is computed on every request.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX_LIVE = "agk_live_"
PREFIX_TEST = "agk_test_"
DISPLAY_PREFIX_LENGTH = 13


def new_secret(*, sandbox: bool) -> str:
    """A new secret; sandbox workspaces' keys say `test` so that they are never mistaken for live ones."""
    return (PREFIX_TEST if sandbox else PREFIX_LIVE) + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def display_prefix(secret: str) -> str:
    """The first characters of a secret, stored to let people recognise a key in lists."""
    return secret[:DISPLAY_PREFIX_LENGTH]
