"""``/norms``: screen-device norms as versioned data, checks and settings (CO-1, CO-2)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import Path, Query, Request, Response, status

from services.common.app import api_router
from services.common.auth import AdminPrincipal, AnyPrincipal, StaffPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.compliance.norms.auth import CheckCaller, SettingsReader
from services.compliance.norms.checks import CheckService
from services.compliance.norms.schemas import (
    ApplicableRules,
    CheckKind,
    CheckResult,
    CheckRunRead,
    CheckRunSummary,
    CheckStatus,
    ClassDayCheck,
    LessonPlanCheck,
    NormSettingsRead,
    NormSettingsUpdate,
    RuleSetCreate,
    RuleSetRead,
    RuleSetRetire,
    RuleSetVersionCreate,
    RuleSetVersionRead,
    SchoolWeekCheck,
    StudentDayCheck,
)
from services.compliance.norms.service import RuleSetService, SettingsService, resolve_school

router = api_router(prefix="/api/v1/compliance/norms", tags=["norms"])

SetCode = Annotated[str, Path(max_length=64, description="Код набора норм")]
VersionNo = Annotated[int, Path(ge=1, le=100_000, description="Номер версии")]
ServiceSchool = Annotated[
    uuid.UUID | None,
    Query(description="Только для сервисов платформы: школа, чьи наборы показать"),
]
CHECK_ERRORS = problem_responses(*AUTH_ERRORS, 404)
CHECK_NOTE = (
    " Каждая проверка записывается в историю с версиями наборов норм и нарушениями; "
    "нарушение называет правило, набор и его версию, пункт источника, предел, факт, "
    "единицу и строгость (block/warn; в режиме школы warn ничего не блокирует). Сервис "
    "платформы указывает школу в school_id."
)


# -- rule sets --------------------------------------------------------------------------


@router.get(
    "/rule-sets",
    response_model=Page[RuleSetRead],
    summary="Наборы норм работы с ЭСО",
    description=(
        "Встроенные наборы (СанПиН 1.2.3685-21, табл. 6.8; СП 2.4.3648-20, п. 2.10.2; "
        "Положение, п. 5.11) и собственные наборы школы с их версиями, по коду. Фильтр kind: "
        "federal, regulation, school."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_norm_rule_sets(
    request: Request,
    response: Response,
    principal: AnyPrincipal,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[
        Literal["federal", "regulation", "school"] | None, Query(description="Вид набора")
    ] = None,
    school_id: ServiceSchool = None,
) -> Page[RuleSetRead]:
    school = await resolve_school(session, principal, school_id, required=False)
    items, cursor = await RuleSetService(session).list_sets(school, page, kind)
    return make_page(request, response, items, page, cursor)


@router.get(
    "/rule-sets/{code}",
    response_model=RuleSetRead,
    summary="Набор норм и его версии",
    description="Встроенный набор или набор своей школы (чужой — 404).",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_norm_rule_set(
    code: SetCode, principal: AnyPrincipal, session: SessionDep, school_id: ServiceSchool = None
) -> RuleSetRead:
    school = await resolve_school(session, principal, school_id, required=False)
    return await RuleSetService(session).get_set(school, code)


@router.get(
    "/rule-sets/{code}/versions/{version}",
    response_model=RuleSetVersionRead,
    summary="Версия набора норм с правилами",
    description=(
        "Источник, период действия, статус и все правила версии: мера, тип ЭСО, классы или "
        "возраст, предел в минутах, строгость и пункт источника."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_norm_rule_set_version(
    code: SetCode,
    version: VersionNo,
    principal: AnyPrincipal,
    session: SessionDep,
    school_id: ServiceSchool = None,
) -> RuleSetVersionRead:
    school = await resolve_school(session, principal, school_id, required=False)
    return await RuleSetService(session).get_version(school, code, version)


@router.get(
    "/applicable-rules",
    response_model=ApplicableRules,
    summary="Действующие нормы для класса или возраста",
    description=(
        "Все правила, действующие в школе на дату (по умолчанию — сегодня) для класса "
        "(grade) или возраста дошкольников (age): встроенные, наборы школы и её суммарный "
        "дневной лимит."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_applicable_norm_rules(
    principal: AnyPrincipal,
    session: SessionDep,
    grade: Annotated[int | None, Query(description="Класс 1–11")] = None,
    age: Annotated[int | None, Query(description="Возраст 5–7 лет")] = None,
    on: Annotated[date | None, Query(description="Дата")] = None,
    school_id: ServiceSchool = None,
) -> ApplicableRules:
    school = await resolve_school(session, principal, school_id, required=False)
    return await RuleSetService(session).applicable(school, grade, age, on)


@router.post(
    "/rule-sets",
    response_model=RuleSetVersionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Создать собственный набор норм школы (администратор)",
    description=(
        "Создаёт набор и его версию 1. Правило школы не может быть мягче федеральной нормы "
        "той же меры, того же ЭСО и пересекающихся классов или возраста (422 с пунктом "
        "источника). Код не совпадает со встроенными и с другими наборами школы (409)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def create_school_norm_rule_set(
    body: RuleSetCreate, principal: AdminPrincipal, session: SessionDep
) -> RuleSetVersionRead:
    return await RuleSetService(session).create_set(principal, body)


@router.post(
    "/rule-sets/{code}/versions",
    response_model=RuleSetVersionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Новая версия набора норм школы (администратор)",
    description=(
        "Периоды действия двух версий одного набора не пересекаются (409): сначала выведите "
        "прежнюю версию из действия. Правила проверяются как при создании набора."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def create_school_norm_rule_set_version(
    code: SetCode, body: RuleSetVersionCreate, principal: AdminPrincipal, session: SessionDep
) -> RuleSetVersionRead:
    return await RuleSetService(session).add_version(principal, code, body)


@router.post(
    "/rule-sets/{code}/versions/{version}/retire",
    response_model=RuleSetVersionRead,
    summary="Вывести версию набора норм из действия (администратор)",
    description=(
        "Закрывает период действия версии (effective_to, по умолчанию — сегодня) и помечает "
        "её retired. Проверки, сделанные по ней, остаются в истории; к датам до "
        "effective_to она применяется и дальше."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def retire_school_norm_rule_set_version(
    code: SetCode,
    version: VersionNo,
    body: RuleSetRetire,
    principal: AdminPrincipal,
    session: SessionDep,
) -> RuleSetVersionRead:
    return await RuleSetService(session).retire(principal, code, version, body)


# -- checks -------------------------------------------------------------------------------


@router.post(
    "/checks/lesson",
    response_model=CheckResult,
    summary="Проверить план урока по нормам ЭСО",
    description=(
        "Минуты по каждому типу ЭСО на уроке, непрерывная работа с экраном (в 10–11 классах "
        "— по часу занятий: lesson_number или starts_at и day_starts_at), непрерывное "
        "списывание с экрана и продолжительность дистанционного урока." + CHECK_NOTE
    ),
    responses=CHECK_ERRORS,
)
async def check_lesson_plan(
    body: LessonPlanCheck, principal: CheckCaller, session: SessionDep
) -> CheckResult:
    return await CheckService(session, principal).lesson(body)


@router.post(
    "/checks/class-day",
    response_model=CheckResult,
    summary="Проверить учебный день класса по нормам ЭСО",
    description=(
        "Каждый урок дня и суммарные минуты по каждому типу ЭСО за день в школе; "
        "суммарный дневной лимит школы, если он включён." + CHECK_NOTE
    ),
    responses=CHECK_ERRORS,
)
async def check_class_day(
    body: ClassDayCheck, principal: CheckCaller, session: SessionDep
) -> CheckResult:
    return await CheckService(session, principal).class_day(body)


@router.post(
    "/checks/student-day",
    response_model=CheckResult,
    summary="Проверить день обучающегося: уроки и домашние задания",
    description=(
        "Уроки дня и ожидаемые минуты домашних заданий по типам ЭСО: нормы урока, дня в "
        "школе и дня дома (включая досуг, табл. 6.8); суммарный лимит школы считает всё."
        + CHECK_NOTE
    ),
    responses=CHECK_ERRORS,
)
async def check_student_day(
    body: StudentDayCheck, principal: CheckCaller, session: SessionDep
) -> CheckResult:
    return await CheckService(session, principal).student_day(body)


@router.post(
    "/checks/school-week",
    response_model=CheckResult,
    summary="Проверить учебную неделю всей школы",
    description=(
        "Все классы, все дни недели (не больше семи дней подряд), каждый урок и каждый "
        "день — по нормам, действующим в этот день." + CHECK_NOTE
    ),
    responses=CHECK_ERRORS,
)
async def check_school_week(
    body: SchoolWeekCheck, principal: CheckCaller, session: SessionDep
) -> CheckResult:
    return await CheckService(session, principal).school_week(body)


@router.get(
    "/checks",
    response_model=Page[CheckRunSummary],
    summary="История проверок по нормам ЭСО",
    description="Проверки школы, новые первыми; фильтры kind и status (повторяемые).",
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_norm_check_runs(
    request: Request,
    response: Response,
    principal: StaffPrincipal,
    session: SessionDep,
    page: PageDep,
    kind: Annotated[list[CheckKind] | None, Query(description="Вид проверки")] = None,
    check_status: Annotated[
        list[CheckStatus] | None, Query(alias="status", description="Итог проверки")
    ] = None,
) -> Page[CheckRunSummary]:
    items, cursor = await CheckService(session, principal).history(
        page, kind or [], check_status or []
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/checks/{check_id}",
    response_model=CheckRunRead,
    summary="Проверка из истории с нарушениями",
    description="Версии наборов норм, по которым проверено, и все нарушения.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_norm_check_run(
    check_id: uuid.UUID, principal: StaffPrincipal, session: SessionDep
) -> CheckRunRead:
    return await CheckService(session, principal).run(check_id)


# -- settings -------------------------------------------------------------------------------


@router.get(
    "/settings",
    response_model=NormSettingsRead,
    summary="Настройки школы по нормам ЭСО",
    description=(
        "violation_mode: block — нарушение блокирует публикацию в learning, warn — только "
        "предупреждает (единственная такая настройка школы: learning следует ей); "
        "суммарный дневной лимит по всем ЭСО."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def get_norm_settings(principal: SettingsReader, session: SessionDep) -> NormSettingsRead:
    return await SettingsService(session).read(principal.school_id)


@router.put(
    "/settings",
    response_model=NormSettingsRead,
    summary="Изменить настройки школы по нормам ЭСО (администратор)",
    description=(
        "Полная замена настроек; при включённом суммарном лимите укажите минуты. "
        "violation_mode действует на следующие проверки: по нему learning блокирует "
        "публикацию урока или задания с нарушением или только предупреждает."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def update_norm_settings(
    body: NormSettingsUpdate, principal: AdminPrincipal, session: SessionDep
) -> NormSettingsRead:
    return await SettingsService(session).update(principal, body)
