"""Access codes: the PINs the gateway keeps on locks, and those it finds there without having set them."""
