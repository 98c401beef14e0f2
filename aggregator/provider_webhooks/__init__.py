"""Inbound vendor callbacks: `POST /v1/provider_webhooks/{provider}/{token}` and each account's callback URL."""
