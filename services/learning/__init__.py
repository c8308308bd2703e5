"""The learning service (LE-1 … LE-12)."""
