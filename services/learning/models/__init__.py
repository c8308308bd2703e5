"""ORM models of the learning service (its own metadata and database)."""

from __future__ import annotations

from services.learning.models.base import Base, consumer, directory, kernel
from services.learning.models.courses import (
    Course,
    CourseStudent,
    CourseTeacher,
    Lesson,
    TimetableTemplate,
    Topic,
)
from services.learning.models.files import StoredFile
from services.learning.models.school_settings import SchoolSettings

__all__ = [
    "Base",
    "Course",
    "CourseStudent",
    "CourseTeacher",
    "Lesson",
    "SchoolSettings",
    "StoredFile",
    "TimetableTemplate",
    "Topic",
    "consumer",
    "directory",
    "kernel",
]
