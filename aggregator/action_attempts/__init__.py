"""Action attempts: asynchronous lock and unlock commands and their outcome."""
