"""igloohome: locks and padlocks through the igloohome API (client credentials), offline algoPINs on every lock,
remote actions and custom PINs through an igloohome Bridge.
"""

from providers.igloohome.adapter import MANIFEST, IgloohomeProvider

PROVIDER = IgloohomeProvider

__all__ = ("MANIFEST", "PROVIDER", "IgloohomeProvider")
