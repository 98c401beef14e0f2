"""Devices: the locks, as their connected accounts report them."""
