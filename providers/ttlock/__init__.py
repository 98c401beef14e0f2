"""TTLock: locks of the TTLock Open Platform (password login), codes through the lock's gateway, offline codes the
cloud computes.
"""

from providers.ttlock.adapter import MANIFEST, TTLockProvider

PROVIDER = TTLockProvider

__all__ = ("MANIFEST", "PROVIDER", "TTLockProvider")
