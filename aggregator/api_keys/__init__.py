"""API keys: creating, listing and revoking them, and authenticating requests by them."""
