"""``/consultations``: the approved schedule of consultations and bookings (LE-9)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.learning.access import AccessDep
from services.learning.consultations.schemas import (
    BookingCreate,
    BookingRead,
    SlotCancel,
    SlotCreate,
    SlotRead,
    SlotStatus,
    SlotUpdate,
)
from services.learning.consultations.service import ConsultationService

router = api_router(prefix="/api/v1/learning", tags=["consultations"])


@router.get(
    "/consultations",
    response_model=Page[SlotRead],
    summary="Расписание консультаций",
    description=(
        "Консультации в порядке начала. Администрация видит все консультации школы, "
        "педагоги — утверждённое расписание и свои предложения, обучающиеся и родители — "
        "утверждённые консультации, открытые им (без курса или по курсам, которые "
        "изучают они или их дети). Период `date_from`–`date_to` — даты по часовому поясу "
        "школы (по умолчанию с сегодняшнего дня); `booked_only` — только те, на которые "
        "записан сам обучающийся или дети родителя."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_consultations(
    request: Request,
    response: Response,
    access: AccessDep,
    page: PageDep,
    date_from: Annotated[date | None, Query(description="С даты (включительно)")] = None,
    date_to: Annotated[date | None, Query(description="По дату (включительно)")] = None,
    teacher_id: Annotated[uuid.UUID | None, Query(description="Педагог")] = None,
    course_id: Annotated[uuid.UUID | None, Query(description="Курс")] = None,
    status_: Annotated[
        SlotStatus | None, Query(alias="status", description="Статус консультации")
    ] = None,
    booked_only: Annotated[bool, Query(description="Только с записью вызывающего")] = False,
) -> Page[SlotRead]:
    items, cursor = await ConsultationService(access).list_slots(
        page,
        date_from=date_from,
        date_to=date_to,
        teacher_id=teacher_id,
        course_id=course_id,
        status=status_,
        booked_only=booked_only,
    )
    return make_page(request, response, items, page, cursor)


@router.post(
    "/consultations",
    response_model=SlotRead,
    status_code=status.HTTP_201_CREATED,
    summary="Предложить или назначить консультацию",
    description=(
        "Педагог предлагает консультацию от своего имени (статус `proposed`, записаться "
        "можно после утверждения администратором); консультация, созданная "
        "администратором, утверждена сразу. Онлайн — со ссылкой https на комнату, очно — "
        "с кабинетом; мест не меньше одного; время — в будущем, по часовому поясу школы."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def create_consultation(body: SlotCreate, access: AccessDep) -> SlotRead:
    return await ConsultationService(access).create(body)


@router.get(
    "/consultations/{slot_id}",
    response_model=SlotRead,
    summary="Консультация",
    description=(
        "Консультация с числом свободных мест и записями вызывающего (для родителя — "
        "записями детей). Неутверждённую видят её педагог и администрация."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_consultation(slot_id: uuid.UUID, access: AccessDep) -> SlotRead:
    return await ConsultationService(access).get(slot_id)


@router.patch(
    "/consultations/{slot_id}",
    response_model=SlotRead,
    summary="Изменить консультацию",
    description=(
        "Педагог консультации или администратор. Дату, время и продолжительность "
        "утверждённой консультации меняет только администратор; число мест не может быть "
        "меньше числа записавшихся."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def update_consultation(slot_id: uuid.UUID, body: SlotUpdate, access: AccessDep) -> SlotRead:
    return await ConsultationService(access).update(slot_id, body)


@router.post(
    "/consultations/{slot_id}/approve",
    response_model=SlotRead,
    summary="Утвердить консультацию (администратор)",
    description="Предложенная педагогом консультация включается в утверждённое расписание.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def approve_consultation(slot_id: uuid.UUID, access: AccessDep) -> SlotRead:
    return await ConsultationService(access).approve(slot_id)


@router.post(
    "/consultations/{slot_id}/cancel",
    response_model=SlotRead,
    summary="Отменить консультацию",
    description="Педагог консультации или администратор, до её начала.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def cancel_consultation(slot_id: uuid.UUID, body: SlotCancel, access: AccessDep) -> SlotRead:
    return await ConsultationService(access).cancel(slot_id, body)


@router.get(
    "/consultations/{slot_id}/bookings",
    response_model=list[BookingRead],
    summary="Записи на консультацию",
    description="Для педагога консультации и администрации школы.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_consultation_bookings(slot_id: uuid.UUID, access: AccessDep) -> list[BookingRead]:
    return await ConsultationService(access).list_bookings(slot_id)


@router.post(
    "/consultations/{slot_id}/bookings",
    response_model=BookingRead,
    status_code=status.HTTP_201_CREATED,
    summary="Записаться на консультацию",
    description=(
        "Обучающийся записывает себя, родитель — своего ребёнка (`student_id`). Только на "
        "утверждённую, ещё не начавшуюся консультацию, по курсу, который обучающийся "
        "изучает (или без курса); одна запись на обучающегося. Нет мест — 409."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def book_consultation(
    slot_id: uuid.UUID, body: BookingCreate, access: AccessDep
) -> BookingRead:
    return await ConsultationService(access).book(slot_id, body)


@router.post(
    "/consultations/{slot_id}/bookings/{booking_id}/cancel",
    response_model=BookingRead,
    summary="Отменить запись на консультацию",
    description="Обучающийся — свою запись, родитель — запись ребёнка; до начала консультации.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def cancel_consultation_booking(
    slot_id: uuid.UUID, booking_id: uuid.UUID, access: AccessDep
) -> BookingRead:
    return await ConsultationService(access).cancel_booking(slot_id, booking_id)
