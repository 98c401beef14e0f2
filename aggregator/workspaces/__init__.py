"""Workspaces: the tenants, created from the command line (and by the sandbox)."""
