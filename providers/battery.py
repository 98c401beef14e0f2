"""Battery levels as every provider reports them: a fraction and Seam's status bands."""

from __future__ import annotations

from schemas import BatteryStatus


def battery_status(level: float | None, *, critical: bool = False) -> BatteryStatus | None:
    """`critical` when the vendor says so or under 10 %, `low` under 30 %, `full` from 90 %; None when unknown."""
    if critical:
        return BatteryStatus.CRITICAL
    if level is None:
        return None
    if level < 0.1:
        return BatteryStatus.CRITICAL
    if level < 0.3:
        return BatteryStatus.LOW
    return BatteryStatus.GOOD if level < 0.9 else BatteryStatus.FULL
