"""CSV export and import of a course's marks (JO-2, GW-5)."""
