"""The journal service (JO-1 … JO-8)."""
