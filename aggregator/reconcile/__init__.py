"""Reconciliation: keep each lock's real codes equal to the wanted ones, and show where they differ."""
