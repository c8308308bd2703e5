"""External ids of courses and lookup by them (ID-9)."""
