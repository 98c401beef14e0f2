"""Nuki: smart locks through the Nuki Web API (OAuth or API token), keypad codes with native time windows."""

from providers.nuki.adapter import MANIFEST, NukiProvider

PROVIDER = NukiProvider

__all__ = ("MANIFEST", "PROVIDER", "NukiProvider")
