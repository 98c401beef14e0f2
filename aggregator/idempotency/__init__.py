"""`Idempotency-Key` on every POST: one effect per key, the first answer replayed to every retry."""
