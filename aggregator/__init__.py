"""The smart-lock gateway: Litestar API, persistence, jobs and command line over the provider adapters."""
