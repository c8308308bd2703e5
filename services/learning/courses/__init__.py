"""Courses: subject × class group (or sub-group) × teachers × academic year (LE-1)."""
