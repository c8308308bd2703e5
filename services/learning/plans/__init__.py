"""The thematic plan (КТП) of a course: ordered topics with planned hours (LE-2, §5.9)."""
