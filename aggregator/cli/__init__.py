"""The `aggregator` command line: serve, worker, migrate, workspaces and keys."""
