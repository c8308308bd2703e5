"""``/attestation/events``: attestation procedures, identification, violations (CO-6, ID-8)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response, status

from services.common.app import api_router
from services.common.auth import CurrentPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.compliance.attestation.identification import IdentificationService
from services.compliance.attestation.learning import (
    LearningIdentifications,
    learning_identifications,
)
from services.compliance.attestation.schemas import (
    AttestationKind,
    CodeIssue,
    CodeIssued,
    EventCreate,
    EventRead,
    EventUpdate,
    IdentificationIn,
    IdentificationRead,
    IncidentCreate,
    IncidentRead,
    IncidentUpdate,
    InformingCreate,
    ParticipantRead,
    ViolationCreate,
    ViolationRead,
)
from services.compliance.attestation.service import EventService

router = api_router(prefix="/api/v1/compliance/attestation", tags=["attestation"])

EventId = Annotated[uuid.UUID, Path(description="Идентификатор аттестационного мероприятия")]
LearningDep = Annotated[LearningIdentifications, Depends(learning_identifications)]
ERRORS = problem_responses(*AUTH_ERRORS, 404)
WRITE_ERRORS = problem_responses(*AUTH_ERRORS, 404, 409)

ACCESS_DOC = (
    " Мероприятие видят администрация, педагоги его курса (для мероприятия класса — "
    "классный руководитель и педагоги курсов класса), его обучающиеся и их родители; "
    "остальным — 404."
)


def identification_service(
    request: Request, session: SessionDep, principal: CurrentPrincipal, learning: LearningDep
) -> IdentificationService:
    settings = request.app.state.settings
    return IdentificationService(
        session,
        principal,
        secret=settings.secret_key,
        verifier=request.app.state.verifier,
        learning=learning,
        code_minutes=settings.attestation_code_minutes,
        code_attempts=settings.attestation_code_attempts,
    )


IdentificationDep = Annotated[IdentificationService, Depends(identification_service)]


@router.get(
    "/events",
    response_model=Page[EventRead],
    summary="Аттестационные мероприятия",
    description=(
        "Текущий контроль, промежуточная и итоговая аттестация с применением ЭО и ДОТ: "
        "локальный акт, способ идентификации, порядок контроля условий и действий при "
        "технических проблемах, информирование обучающихся (§4.7, §4.8). Фильтры: даты "
        "`from`, `to`, вид `kind`." + ACCESS_DOC
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_attestation_events(
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    date_from: Annotated[date | None, Query(alias="from", description="С даты")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="По дату")] = None,
    kind: Annotated[AttestationKind | None, Query(description="Вид мероприятия")] = None,
) -> Page[EventRead]:
    items, cursor = await EventService(session, principal).list_events(
        page, date_from=date_from, date_to=date_to, kind=kind
    )
    return make_page(request, response, items, page, cursor)


@router.post(
    "/events",
    response_model=EventRead,
    status_code=status.HTTP_201_CREATED,
    summary="Создать аттестационное мероприятие (администрация)",
    description=(
        "Курс (класс берётся из курса) или класс, дата, локальный акт (номер и дата — не "
        "позже мероприятия, §4.7), способ идентификации и порядки §4.8. Администратор и "
        "персонал школы."
    ),
    responses=ERRORS,
)
async def create_attestation_event(
    body: EventCreate, principal: CurrentPrincipal, session: SessionDep
) -> EventRead:
    return await EventService(session, principal).create(body)


@router.get(
    "/events/{event_id}",
    response_model=EventRead,
    summary="Аттестационное мероприятие",
    description="Порядок проведения и информирование обучающихся." + ACCESS_DOC,
    responses=ERRORS,
)
async def get_attestation_event(
    event_id: EventId, principal: CurrentPrincipal, session: SessionDep
) -> EventRead:
    return await EventService(session, principal).get(event_id)


@router.patch(
    "/events/{event_id}",
    response_model=EventRead,
    summary="Изменить аттестационное мероприятие (администрация)",
    description=(
        "Меняются только переданные поля; курс и класс не меняются. Способ идентификации "
        "нельзя изменить после первой идентификации (409)."
    ),
    responses=WRITE_ERRORS,
)
async def update_attestation_event(
    event_id: EventId, body: EventUpdate, principal: CurrentPrincipal, session: SessionDep
) -> EventRead:
    return await EventService(session, principal).update(event_id, body)


@router.post(
    "/events/{event_id}/informings",
    response_model=EventRead,
    status_code=status.HTTP_201_CREATED,
    summary="Записать информирование обучающихся",
    description=(
        "Когда и как обучающиеся узнали о порядке проведения и о том, где смотреть "
        "результаты (§4.8). Педагоги мероприятия и администрация."
    ),
    responses=ERRORS,
)
async def record_attestation_informing(
    event_id: EventId, body: InformingCreate, principal: CurrentPrincipal, session: SessionDep
) -> EventRead:
    return await EventService(session, principal).add_informing(event_id, body)


@router.get(
    "/events/{event_id}/students",
    response_model=list[ParticipantRead],
    summary="Обучающиеся мероприятия и их идентификация",
    description=(
        "Кто идентифицирован и кому выдан действующий код. Педагоги мероприятия и администрация."
    ),
    responses=ERRORS,
)
async def list_attestation_participants(
    event_id: EventId, service: IdentificationDep
) -> list[ParticipantRead]:
    return await service.participants(event_id)


@router.post(
    "/events/{event_id}/codes",
    response_model=CodeIssued,
    status_code=status.HTTP_201_CREATED,
    summary="Выдать обучающемуся одноразовый код",
    description=(
        "Для мероприятий со способом one_time_code. Код показывается один раз, хранится "
        "только его хеш; действует ограниченное время (настройка "
        "COMPLIANCE_ATTESTATION_CODE_MINUTES), используется один раз, число вводов "
        "ограничено; новый код заменяет прежний. Педагоги мероприятия и администрация."
    ),
    responses=ERRORS,
)
async def issue_attestation_code(
    event_id: EventId, body: CodeIssue, response: Response, service: IdentificationDep
) -> CodeIssued:
    response.headers["Cache-Control"] = "no-store"
    return await service.issue_code(event_id, body.student_id)


@router.post(
    "/events/{event_id}/identifications",
    response_model=IdentificationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Идентифицировать обучающегося перед мероприятием",
    description=(
        "Способом мероприятия (иначе 422 `identification-method-mismatch`): "
        "`password_reauth` — обучающийся передаёт подтверждение из POST "
        "/api/v1/identity/reauth; `one_time_code` — обучающийся вводит код экзаменатора; "
        "`proctor` — педагог мероприятия или администрация записывает проверку. "
        "Записывается кто, как, когда и кем; сервис learning после этого допускает "
        "обучающегося к тесту в режиме аттестации (если learning недоступен — 503, "
        "ничего не записано)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 503),
)
async def identify_attestation_student(
    event_id: EventId, body: IdentificationIn, service: IdentificationDep
) -> IdentificationRead:
    return await service.identify(event_id, body)


@router.get(
    "/events/{event_id}/identifications",
    response_model=list[IdentificationRead],
    summary="Идентификации обучающихся",
    description=(
        "Педагоги мероприятия и администрация видят всех; обучающийся — свои, родитель — "
        "своих детей."
    ),
    responses=ERRORS,
)
async def list_attestation_identifications(
    event_id: EventId, service: IdentificationDep
) -> list[IdentificationRead]:
    return await service.list_identifications(event_id)


@router.post(
    "/events/{event_id}/violations",
    response_model=ViolationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Записать нарушение условий проведения",
    description=(
        "Время, вид, описание, доказательство (ссылка на файл или текст), кто записал "
        "(§4.8). Педагоги мероприятия и администрация."
    ),
    responses=ERRORS,
)
async def record_attestation_violation(
    event_id: EventId, body: ViolationCreate, principal: CurrentPrincipal, session: SessionDep
) -> ViolationRead:
    return await EventService(session, principal).add_violation(event_id, body)


@router.get(
    "/events/{event_id}/violations",
    response_model=list[ViolationRead],
    summary="Нарушения условий проведения",
    description="Педагоги мероприятия и администрация.",
    responses=ERRORS,
)
async def list_attestation_violations(
    event_id: EventId, principal: CurrentPrincipal, session: SessionDep
) -> list[ViolationRead]:
    return await EventService(session, principal).violations(event_id)


@router.post(
    "/events/{event_id}/incidents",
    response_model=IncidentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Записать техническую проблему",
    description=(
        "Время, вид, описание и итог (например, пересдача с датой, §4.8). Педагоги "
        "мероприятия и администрация."
    ),
    responses=ERRORS,
)
async def record_attestation_incident(
    event_id: EventId, body: IncidentCreate, principal: CurrentPrincipal, session: SessionDep
) -> IncidentRead:
    return await EventService(session, principal).add_incident(event_id, body)


@router.get(
    "/events/{event_id}/incidents",
    response_model=list[IncidentRead],
    summary="Технические проблемы мероприятия",
    description="Педагоги мероприятия и администрация.",
    responses=ERRORS,
)
async def list_attestation_incidents(
    event_id: EventId, principal: CurrentPrincipal, session: SessionDep
) -> list[IncidentRead]:
    return await EventService(session, principal).incidents(event_id)


@router.patch(
    "/events/{event_id}/incidents/{incident_id}",
    response_model=IncidentRead,
    summary="Записать итог технической проблемы",
    description="Итог и дата пересдачи. Педагоги мероприятия и администрация.",
    responses=ERRORS,
)
async def update_attestation_incident(
    event_id: EventId,
    incident_id: Annotated[uuid.UUID, Path(description="Идентификатор технической проблемы")],
    body: IncidentUpdate,
    principal: CurrentPrincipal,
    session: SessionDep,
) -> IncidentRead:
    return await EventService(session, principal).update_incident(event_id, incident_id, body)
