"""learning's events, in the contract shape, for feeding the journal in tests."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Any

from fastapi import FastAPI

from services.journal.feeds import apply_learning
from tests.support.service_world import World


def event(world: World, type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "school_id": str(world.school_id),
        "payload": payload,
    }


def course_created(
    world: World,
    *,
    course_id: uuid.UUID | None = None,
    subject: str = "Математика",
    class_name: str = "7Б",
    teachers: tuple[str, ...] = ("teacher",),
    student_ids: list[uuid.UUID] | None = None,
) -> dict[str, Any]:
    grade = 7 if class_name == "7Б" else 3
    return event(
        world,
        "course.created",
        {
            "id": str(course_id or uuid.uuid4()),
            "subject": subject,
            "class_group_id": str(world.class_id(class_name)),
            "class_name": class_name,
            "grade": grade,
            "level": "basic" if grade >= 5 else "primary",
            "subgroup": "группа 1" if student_ids is not None else None,
            "student_ids": [str(s) for s in student_ids] if student_ids is not None else None,
            "teacher_ids": [str(world.id(t)) for t in teachers],
            "academic_year_id": str(world.year_id),
            "delivery": "blended",
            "work_program_title": None,
            "work_program_url": None,
        },
    )


def plan_updated(
    world: World, course_id: uuid.UUID, titles: list[str]
) -> tuple[dict[str, Any], list[uuid.UUID]]:
    ids = [uuid.uuid4() for _ in titles]
    return (
        event(
            world,
            "course_plan.updated",
            {
                "course_id": str(course_id),
                "topics": [
                    {"id": str(i), "position": n, "section": None, "title": t, "planned_hours": 1}
                    for n, (i, t) in enumerate(zip(ids, titles, strict=True), start=1)
                ],
            },
        ),
        ids,
    )


def lesson_scheduled(
    world: World,
    course_id: uuid.UUID,
    day: date,
    *,
    lesson_id: uuid.UUID | None = None,
    topic: tuple[uuid.UUID, str] | None = None,
    delivery_form: str = "in_person",
    teacher: str = "teacher",
    type_: str = "lesson.scheduled",
    version: int = 1,
    starts_at: time = time(9, 0),
) -> dict[str, Any]:
    return event(
        world,
        type_,
        {
            "id": str(lesson_id or uuid.uuid4()),
            "course_id": str(course_id),
            "course": {},
            "date": day.isoformat(),
            "starts_at": starts_at.strftime("%H:%M"),
            "starts_at_utc": None,
            "duration_minutes": 40,
            "lesson_number": 1,
            "topic": {"id": str(topic[0]), "position": 1, "title": topic[1]} if topic else None,
            "organisational_form": "lesson",
            "delivery_form": delivery_form,
            "support_mode": None,
            "devices": [],
            "video_room_url": None,
            "room": "12",
            "status": "cancelled" if type_ == "lesson.cancelled" else "scheduled",
            "cancel_reason": None,
            "substitute_teacher_id": None,
            "teacher_id": str(world.id(teacher)),
            "homework": "№ 1–5",
            "alternative": None,
            "version": version,
        },
    )


def review_completed(
    world: World,
    course_id: uuid.UUID,
    student: str = "student",
    mark: str | None = "5",
    *,
    review_id: uuid.UUID | None = None,
    lesson_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    return event(
        world,
        "review.completed",
        {
            "id": str(review_id or uuid.uuid4()),
            "submission_id": str(uuid.uuid4()),
            "submission_version": 1,
            "assignment_id": str(uuid.uuid4()),
            "assignment_title": "Домашняя работа",
            "course_id": str(course_id),
            "subject": "Математика",
            "lesson_id": str(lesson_id) if lesson_id else None,
            "student_id": str(world.id(student)),
            "reviewer_id": str(world.id("teacher")),
            "mark": mark,
            "status": "accepted",
            "comment_text": "Хорошая работа",
            "has_media_comment": False,
            "reviewed_at": "2026-11-24T10:00:00+00:00",
            "submitted_at": "2026-11-24T08:00:00+00:00",
            "work": {"text_excerpt": "Решение", "file_names": []},
        },
    )


def online_course_completed(
    world: World,
    student: str = "student",
    *,
    title: str = "Основы программирования на Python",
    certificate_id: uuid.UUID | None = None,
    number: str = "ОК-2026-1",
    hours: int = 36,
) -> dict[str, Any]:
    return event(
        world,
        "online_course.completed",
        {
            "enrolment_id": str(uuid.uuid4()),
            "online_course_id": str(uuid.uuid4()),
            "title": title,
            "student_id": str(world.id(student)),
            "completed_at": "2026-11-20T12:00:00+00:00",
            "certificate": {
                "id": str(certificate_id or uuid.uuid4()),
                "number": number,
                "issued_on": "2026-11-20",
                "hours": hours,
            },
        },
    )


async def feed(app: FastAPI, *events: dict[str, Any]) -> None:
    """Apply events the way the consumer does (one transaction)."""
    async with app.state.database.session() as session:
        for item in events:
            await apply_learning(session, item)
        await session.commit()


async def a_course(app: FastAPI, world: World, **kw: Any) -> uuid.UUID:
    course_id = uuid.uuid4()
    await feed(app, course_created(world, course_id=course_id, **kw))
    return course_id
