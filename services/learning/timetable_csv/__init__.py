"""CSV export and import of the timetable (LE-3, GW-5)."""
