"""The audit trail: an append-only record of every change, who made it and how it looked before and after."""
