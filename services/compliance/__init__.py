"""The compliance service (CO-1 … CO-8)."""
