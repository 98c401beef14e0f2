"""Events: normalized history of what happened at the locks and in the gateway."""
