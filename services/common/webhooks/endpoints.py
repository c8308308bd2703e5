"""``/api/v1/<service>/webhooks``: subscriptions, delivery log, dead letters, redelivery."""

# no "from __future__ import annotations": the endpoints use a local dependency alias

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from services.common.auth import AdminPrincipal, get_principal
from services.common.db import SessionDep, TransactionalRoute
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.common.webhooks.schemas import (
    DeliveryStatus,
    WebhookAttemptRead,
    WebhookCreate,
    WebhookDeliveryDetail,
    WebhookDeliveryRead,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from services.common.webhooks.service import WebhookService
from services.common.webhooks.targets import TargetPolicy

WebhookId = Annotated[uuid.UUID, Path(description="Идентификатор подписки")]
DeliveryId = Annotated[uuid.UUID, Path(description="Идентификатор доставки (webhook-id)")]

SIGNING_DOC = (
    "Каждая доставка — POST с JSON-телом и заголовками `webhook-id` (идентификатор "
    "доставки, одинаковый при повторах), `webhook-timestamp` (Unix-время отправки) и "
    "`webhook-signature` (`v1,<base64 HMAC-SHA256>` от строки `{id}.{timestamp}.{тело}` "
    "с секретом подписки), как в спецификации Standard Webhooks. Ответ 2xx — доставлено; "
    "иначе повторы с экспоненциальной задержкой, после исчерпания попыток — список "
    "недоставленных (status=dead). Адреса во внутренних сетях запрещены."
)


def policy_of(request: Request) -> TargetPolicy:
    settings = request.app.state.settings
    return TargetPolicy.from_settings(
        settings.webhook_allowed_hosts,
        settings.webhook_allowed_networks,
        require_https=settings.environment == "production",
    )


def webhooks_router(service: str, event_types: Sequence[str]) -> APIRouter:
    router = APIRouter(
        prefix=f"/api/v1/{service}/webhooks",
        tags=["webhooks"],
        route_class=TransactionalRoute,
        dependencies=[Depends(get_principal)],
    )
    types_doc = ", ".join(event_types) or "—"

    def service_of(request: Request, session: SessionDep) -> WebhookService:
        settings = request.app.state.settings
        return WebhookService(
            session,
            request.app.state.kernel,
            event_types,
            policy_of(request),
            secret_grace=timedelta(seconds=settings.webhook_secret_grace_seconds),
        )

    Service = Annotated[WebhookService, Depends(service_of)]  # noqa: N806

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=WebhookWithSecret,
        operation_id=f"{service}_create_webhook",
        summary="Подписаться на события веб-хуком",
        description=(
            "Администратор школы. События школы из ленты изменений сервиса будут "
            f"отправляться на `url`. {SIGNING_DOC} Секрет подписи возвращается только в "
            f"этом ответе. Типы событий сервиса: {types_doc}."
        ),
        responses=problem_responses(*AUTH_ERRORS),
    )
    async def create_webhook(
        body: WebhookCreate, principal: AdminPrincipal, svc: Service, response: Response
    ) -> Any:
        sub = await svc.create(
            principal.school_id,
            principal.user_id,
            url=body.url,
            event_types=body.event_types,
            description=body.description,
            active=body.active,
        )
        response.headers["Cache-Control"] = "no-store"
        return WebhookWithSecret.model_validate(sub)

    @router.get(
        "",
        response_model=Page[WebhookRead],
        operation_id=f"{service}_list_webhooks",
        summary="Подписки школы на веб-хуки",
        description="Администратор школы. Секреты не показываются.",
        responses=problem_responses(*AUTH_ERRORS),
    )
    async def list_webhooks(
        request: Request,
        response: Response,
        principal: AdminPrincipal,
        svc: Service,
        page: PageDep,
    ) -> Any:
        rows, nxt = await svc.list_subscriptions(principal.school_id, page)
        return make_page(
            request, response, [WebhookRead.model_validate(r) for r in rows], page, nxt
        )

    @router.get(
        "/{webhook_id}",
        response_model=WebhookRead,
        operation_id=f"{service}_get_webhook",
        summary="Подписка на веб-хуки",
        description="Администратор школы.",
        responses=problem_responses(*AUTH_ERRORS, 404),
    )
    async def get_webhook(webhook_id: WebhookId, principal: AdminPrincipal, svc: Service) -> Any:
        return WebhookRead.model_validate(await svc.get(principal.school_id, webhook_id))

    @router.patch(
        "/{webhook_id}",
        response_model=WebhookRead,
        operation_id=f"{service}_update_webhook",
        summary="Изменить подписку на веб-хуки",
        description=(
            "Администратор школы: адрес, типы событий, описание, включена ли. Выключенная "
            "подписка не получает событий, записанных, пока она выключена."
        ),
        responses=problem_responses(*AUTH_ERRORS, 404),
    )
    async def update_webhook(
        webhook_id: WebhookId, body: WebhookUpdate, principal: AdminPrincipal, svc: Service
    ) -> Any:
        changes = body.model_dump(exclude_unset=True)
        return WebhookRead.model_validate(
            await svc.update(principal.school_id, webhook_id, changes)
        )

    @router.delete(
        "/{webhook_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        operation_id=f"{service}_delete_webhook",
        summary="Удалить подписку на веб-хуки",
        description="Администратор школы. Удаляются и журнал доставок подписки.",
        responses=problem_responses(*AUTH_ERRORS, 404),
    )
    async def delete_webhook(
        webhook_id: WebhookId, principal: AdminPrincipal, svc: Service
    ) -> Response:
        await svc.delete(principal.school_id, webhook_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.post(
        "/{webhook_id}/rotate-secret",
        response_model=WebhookWithSecret,
        operation_id=f"{service}_rotate_webhook_secret",
        summary="Сменить секрет подписи веб-хука",
        description=(
            "Администратор школы. Новый секрет возвращается один раз; прежний ещё подписывает "
            "доставки (вторая подпись в `webhook-signature`) до `previous_secret_until`, "
            "чтобы приёмник успел перейти на новый."
        ),
        responses=problem_responses(*AUTH_ERRORS, 404),
    )
    async def rotate_webhook_secret(
        webhook_id: WebhookId, principal: AdminPrincipal, svc: Service, response: Response
    ) -> Any:
        sub = await svc.rotate_secret(principal.school_id, webhook_id)
        response.headers["Cache-Control"] = "no-store"
        return WebhookWithSecret.model_validate(sub)

    @router.get(
        "/{webhook_id}/deliveries",
        response_model=Page[WebhookDeliveryRead],
        operation_id=f"{service}_list_webhook_deliveries",
        summary="Доставки веб-хука (журнал, недоставленные)",
        description=(
            "Администратор школы. `status=dead` — список недоставленных (попытки "
            "исчерпаны); их можно отправить снова. Порядок — по времени создания."
        ),
        responses=problem_responses(*AUTH_ERRORS, 404),
    )
    async def list_webhook_deliveries(
        request: Request,
        response: Response,
        webhook_id: WebhookId,
        principal: AdminPrincipal,
        svc: Service,
        page: PageDep,
        status_filter: Annotated[
            DeliveryStatus | None,
            Query(alias="status", description="pending, delivered или dead"),
        ] = None,
    ) -> Any:
        rows, nxt = await svc.deliveries(principal.school_id, webhook_id, page, status_filter)
        return make_page(
            request, response, [WebhookDeliveryRead.model_validate(r) for r in rows], page, nxt
        )

    @router.get(
        "/{webhook_id}/deliveries/{delivery_id}",
        response_model=WebhookDeliveryDetail,
        operation_id=f"{service}_get_webhook_delivery",
        summary="Доставка веб-хука и журнал её попыток",
        description="Администратор школы: тело запроса и каждая попытка (код, ошибка, время).",
        responses=problem_responses(*AUTH_ERRORS, 404),
    )
    async def get_webhook_delivery(
        webhook_id: WebhookId, delivery_id: DeliveryId, principal: AdminPrincipal, svc: Service
    ) -> Any:
        found, attempts = await svc.delivery(principal.school_id, webhook_id, delivery_id)
        return WebhookDeliveryDetail.model_validate(
            {
                **WebhookDeliveryRead.model_validate(found).model_dump(),
                "body": found.body,
                "attempt_log": [WebhookAttemptRead.model_validate(a) for a in attempts],
            }
        )

    @router.post(
        "/{webhook_id}/deliveries/{delivery_id}/redeliver",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=WebhookDeliveryRead,
        operation_id=f"{service}_redeliver_webhook_delivery",
        summary="Отправить доставку веб-хука снова",
        description=(
            "Администратор школы. Доставка (обычно из списка недоставленных) снова ставится "
            "в очередь с полным числом попыток и тем же `webhook-id`. 409, если она уже "
            "ожидает отправки."
        ),
        responses=problem_responses(*AUTH_ERRORS, 404, 409),
    )
    async def redeliver_webhook_delivery(
        webhook_id: WebhookId, delivery_id: DeliveryId, principal: AdminPrincipal, svc: Service
    ) -> Any:
        found = await svc.redeliver(principal.school_id, webhook_id, delivery_id)
        return WebhookDeliveryRead.model_validate(found)

    return router
