"""Benchmarks that print comparison tables (`make bench`); not part of the test run."""
