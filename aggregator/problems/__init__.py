"""`/problems`: the catalogue of error codes, so that every problem's `type` URI leads somewhere useful."""
