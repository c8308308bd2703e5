"""The timetable: weekly templates, lessons, moves, substitutions, cancellations (LE-3)."""
