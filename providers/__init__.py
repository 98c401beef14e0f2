"""Vendor adapters behind one contract; each vendor gets its own package. Imports schemas only."""
