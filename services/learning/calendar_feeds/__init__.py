"""iCalendar feeds of timetable and deadlines at secret, revocable URLs (GW-5)."""
