"""`GET /health`: liveness plus the state of the database and the job backend."""
