"""Exchange with external systems: the daily package and the OneRoster export (GW-5, ID-9)."""
