"""The routers of the learning service."""

from __future__ import annotations

from fastapi import APIRouter

from services.learning.assignments.endpoints import router as assignments_router
from services.learning.assignments.publisher import ASSIGNMENT_PUBLISHED
from services.learning.calendar_feeds.endpoints import public as calendar_public_router
from services.learning.calendar_feeds.endpoints import router as calendar_feeds_router
from services.learning.catalogue.endpoints import router as catalogue_router
from services.learning.consultations.endpoints import router as consultations_router
from services.learning.courses.endpoints import router as courses_router
from services.learning.events import EVENT_TYPES as COURSE_EVENT_TYPES
from services.learning.external_ids.endpoints import router as external_ids_router
from services.learning.hygiene.endpoints import router as hygiene_router
from services.learning.individual_plans.endpoints import router as individual_plans_router
from services.learning.materials.endpoints import router as materials_router
from services.learning.materials.service import EVENT_TYPES as MATERIAL_EVENT_TYPES
from services.learning.notifications.endpoints import router as notifications_router
from services.learning.online_courses.endpoints import router as online_courses_router
from services.learning.optouts.endpoints import router as optouts_router
from services.learning.plans.endpoints import router as plans_router
from services.learning.quizzes.attempt_endpoints import router as quiz_attempts_router
from services.learning.quizzes.endpoints import bank_router as question_bank_router
from services.learning.quizzes.endpoints import router as quizzes_router
from services.learning.quizzes.finishing import GRADED_EVENT as TEST_ATTEMPT_GRADED
from services.learning.reviews.endpoints import router as reviews_router
from services.learning.reviews.service import REVIEW_COMPLETED
from services.learning.school_settings.endpoints import router as school_settings_router
from services.learning.submissions.endpoints import router as submissions_router
from services.learning.submissions.service import SUBMISSION_RECEIVED
from services.learning.timetable.endpoints import router as timetable_router
from services.learning.timetable_csv.endpoints import router as timetable_csv_router

routers: list[APIRouter] = [
    courses_router,
    plans_router,
    timetable_router,
    timetable_csv_router,
    external_ids_router,
    calendar_feeds_router,
    calendar_public_router,
    consultations_router,
    online_courses_router,
    optouts_router,
    individual_plans_router,
    school_settings_router,
    hygiene_router,
    materials_router,
    catalogue_router,
    assignments_router,
    submissions_router,
    reviews_router,
    notifications_router,
    question_bank_router,
    # before quizzes_router: /quizzes/attempts is not a quiz id
    quiz_attempts_router,
    quizzes_router,
]
EVENT_TYPES: list[str] = [
    *COURSE_EVENT_TYPES,
    "online_course.completed",
    "individual_plan.created",
    "individual_plan.updated",
    *MATERIAL_EVENT_TYPES,
    ASSIGNMENT_PUBLISHED,
    SUBMISSION_RECEIVED,
    REVIEW_COMPLETED,
    TEST_ATTEMPT_GRADED,
]
