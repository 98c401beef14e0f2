"""Callback URL tokens: made from the account id under the gateway's key; nothing else passes."""

from __future__ import annotations

import uuid

from aggregator.provider_webhooks.tokens import WebhookTokens

ACCOUNT = uuid.UUID("01a201f5-1c9a-79cc-a15a-a7e5b4ee537e")


def test_a_token_names_its_account_and_only_under_the_same_key() -> None:
    tokens = WebhookTokens(b"k" * 32)
    token = tokens.token(ACCOUNT)

    assert token.startswith(ACCOUNT.hex) and len(token) == 32 + 43
    assert tokens.account_of(token) == ACCOUNT
    assert WebhookTokens(b"k" * 32).account_of(token) == ACCOUNT  # stable across processes and restarts
    assert WebhookTokens(b"j" * 32).account_of(token) is None


def test_anything_else_is_refused_without_an_error() -> None:
    tokens = WebhookTokens(b"k" * 32)
    token = tokens.token(ACCOUNT)
    other = uuid.UUID(int=ACCOUNT.int + 1)
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        other.hex + token[32:],  # a genuine MAC moved to another account
        ACCOUNT.hex,
        token + "x",
        "",
        "not a token",
        ACCOUNT.hex + "é" * 43,
    ]
    assert [tokens.account_of(candidate) for candidate in forged] == [None] * len(forged)
