"""HTTP conventions shared by every endpoint: errors as problem+json, request ids, pagination, OpenAPI."""
