"""ORM models of the learning service (its own metadata and database)."""

from __future__ import annotations

from services.learning.models.assignments import (
    Assignment,
    AssignmentStudent,
    Review,
    Submission,
    SubmissionFile,
)
from services.learning.models.base import Base, consumer, directory, kernel
from services.learning.models.consultations import ConsultationBooking, ConsultationSlot
from services.learning.models.courses import (
    Course,
    CourseStudent,
    CourseTeacher,
    Lesson,
    TimetableTemplate,
    Topic,
)
from services.learning.models.exchange import CalendarFeed, CourseExternalId
from services.learning.models.files import StoredFile
from services.learning.models.individual_plans import IndividualPlan
from services.learning.models.materials import (
    CataloguePlatform,
    Material,
    MaterialFile,
    MaterialTag,
)
from services.learning.models.notifications import (
    Notification,
    NotificationAttempt,
    NotificationOwner,
)
from services.learning.models.online_courses import (
    OnlineCourse,
    OnlineCourseCertificate,
    OnlineCourseEnrolment,
    OnlineCourseModule,
    OnlineCourseProgress,
)
from services.learning.models.optouts import OptOutReplica
from services.learning.models.quizzes import (
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizIdentification,
    QuizItem,
    QuizQuestion,
)
from services.learning.models.school_settings import SchoolSettings

__all__ = [
    "Assignment",
    "AssignmentStudent",
    "Base",
    "CalendarFeed",
    "CataloguePlatform",
    "ConsultationBooking",
    "ConsultationSlot",
    "Course",
    "CourseExternalId",
    "CourseStudent",
    "CourseTeacher",
    "IndividualPlan",
    "Lesson",
    "Material",
    "MaterialFile",
    "MaterialTag",
    "Notification",
    "NotificationAttempt",
    "NotificationOwner",
    "OnlineCourse",
    "OnlineCourseCertificate",
    "OnlineCourseEnrolment",
    "OnlineCourseModule",
    "OnlineCourseProgress",
    "OptOutReplica",
    "Quiz",
    "QuizAnswer",
    "QuizAttempt",
    "QuizIdentification",
    "QuizItem",
    "QuizQuestion",
    "Review",
    "SchoolSettings",
    "StoredFile",
    "Submission",
    "SubmissionFile",
    "TimetableTemplate",
    "Topic",
    "consumer",
    "directory",
    "kernel",
]
