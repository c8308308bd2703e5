"""``/optouts``: applications for learning without ЭО and ДОТ under §3.9 (CO-4): HTTP only."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Body, Path, Query, Request, Response, status

from services.common.app import api_router
from services.common.auth import CurrentPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.compliance.optouts.auth import OptOutRegistrar, OptOutStudentsReader
from services.compliance.optouts.schemas import (
    OptOutCreate,
    OptOutRead,
    OptOutRegister,
    OptOutStatus,
    OptOutStudent,
    OptOutWithdraw,
)
from services.compliance.optouts.service import OptOutService

router = api_router(prefix="/api/v1/compliance", tags=["optouts"])

OptOutId = Annotated[uuid.UUID, Path(description="Идентификатор заявления")]

RULES_DOC = (
    "По §3.9 положения заявление подаёт родитель (законный представитель) обучающегося или "
    "обучающийся, достигший 18 лет на дату подачи; отказ возможен только по программам "
    "основного и среднего общего образования (5–11 классы) и не применяется к программам и "
    "курсам, реализуемым только с ЭО и ДОТ."
)
LIFECYCLE_DOC = (
    "Жизненный цикл: submitted (подано) → registered (зарегистрировано администрацией) → "
    "withdrawn (отозвано заявителем или администратором); каждый переход записан в историю "
    "(кто, когда, из какого состояния, в какое, комментарий) и публикуется событием "
    "`optout.submitted` / `optout.registered` / `optout.withdrawn`. С регистрации сервис "
    "learning не выдаёт обучающемуся дистанционные уроки и задания без очной или бумажной "
    "альтернативы (LE-12)."
)


@router.post(
    "/optouts",
    response_model=OptOutRead,
    status_code=status.HTTP_201_CREATED,
    summary="Подать заявление об отказе от ЭО и ДОТ (§3.9)",
    description=(
        f"{RULES_DOC} Не имеющему права заявителю — 403 `optout-filer-not-entitled` или "
        "`optout-student-under-18`; чужой ребёнок или неизвестный обучающийся — 404; "
        "начальная школа — 422 `optout-primary-not-allowed`; курс или программа только с "
        "ЭО и ДОТ — 422 `optout-distance-only-program`; дата заявления в будущем — 422 "
        "`document-date-in-future`; второе действующее заявление — 409 "
        f"`optout-already-active`. {LIFECYCLE_DOC}"
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def file_optout(
    body: OptOutCreate, principal: CurrentPrincipal, session: SessionDep
) -> OptOutRead:
    return await OptOutService(session, principal).file(body)


@router.get(
    "/optouts",
    response_model=Page[OptOutRead],
    summary="Заявления об отказе от ЭО и ДОТ",
    description=(
        "Администрации и персоналу — все заявления школы; родителю — заявления о своих "
        "детях; обучающемуся — свои. Педагогам — 403: им предназначен список обучающихся "
        "с отказом (`GET /optouts/students`). Фильтры: `status`, `student_id`, "
        "`class_group_id`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_optouts(
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    status_: Annotated[
        OptOutStatus | None,
        Query(alias="status", description="submitted, registered или withdrawn"),
    ] = None,
    student_id: Annotated[uuid.UUID | None, Query(description="Заявления обучающегося")] = None,
    class_group_id: Annotated[uuid.UUID | None, Query(description="Заявления класса")] = None,
) -> Page[OptOutRead]:
    items, cursor = await OptOutService(session, principal).page(
        page, status=status_, student_id=student_id, class_group_id=class_group_id
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/optouts/students",
    response_model=list[OptOutStudent],
    summary="Обучающиеся с отказом от ЭО и ДОТ (для подготовки альтернатив)",
    description=(
        "Зарегистрированные заявления, действующие на дату `on` (по умолчанию сегодня): "
        "педагогу — по классам, где он ведёт курсы или классное руководство; администрации "
        "и персоналу — по всей школе. `class_group_id` — один класс (чужой для педагога "
        "класс — 404)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_optout_students(
    principal: OptOutStudentsReader,
    session: SessionDep,
    class_group_id: Annotated[uuid.UUID | None, Query(description="Только этот класс")] = None,
    on: Annotated[date | None, Query(description="На дату, ГГГГ-ММ-ДД")] = None,
) -> list[OptOutStudent]:
    return await OptOutService(session, principal).students(class_group_id, on)


@router.get(
    "/optouts/{optout_id}",
    response_model=OptOutRead,
    summary="Заявление об отказе от ЭО и ДОТ с историей",
    description=(
        "Администрации и персоналу — любое заявление школы; родителю — о своём ребёнке; "
        "обучающемуся — своё (иначе 404); педагогам — 403."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_optout(
    optout_id: OptOutId, principal: CurrentPrincipal, session: SessionDep
) -> OptOutRead:
    return await OptOutService(session, principal).get(optout_id)


@router.post(
    "/optouts/{optout_id}/register",
    response_model=OptOutRead,
    summary="Зарегистрировать заявление (администрация)",
    description=(
        "Номер регистрации обязателен; дата регистрации (по умолчанию сегодня) — не раньше "
        "даты заявления и не в будущем; дата начала действия (по умолчанию — дата "
        "регистрации) — не раньше даты заявления и не позже чем через год. Зарегистрировать "
        f"можно только поданное заявление (иначе 409). {LIFECYCLE_DOC}"
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def register_optout(
    optout_id: OptOutId, body: OptOutRegister, principal: OptOutRegistrar, session: SessionDep
) -> OptOutRead:
    return await OptOutService(session, principal).register(optout_id, body)


@router.post(
    "/optouts/{optout_id}/withdraw",
    response_model=OptOutRead,
    summary="Отозвать заявление (заявитель или администратор)",
    description=(
        "Поданное или зарегистрированное заявление; с сегодняшнего дня отказ не действует. "
        f"Повторный отзыв — 409. {LIFECYCLE_DOC}"
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def withdraw_optout(
    optout_id: OptOutId,
    principal: CurrentPrincipal,
    session: SessionDep,
    body: Annotated[OptOutWithdraw | None, Body()] = None,
) -> OptOutRead:
    return await OptOutService(session, principal).withdraw(optout_id, body or OptOutWithdraw())
