"""``/me``, password change and the first-login password change (ID-1, ID-6)."""

from __future__ import annotations

from fastapi import Request, Response, status

from services.common.app import api_router, public_router
from services.common.auth import CurrentPrincipal
from services.common.errors import AUTH_ERRORS, problem_responses
from services.identity.accounts.schemas import InitialPasswordChange, MeRead, PasswordChange
from services.identity.accounts.service import AccountService
from services.identity.deps import TokensDep, client_address
from services.identity.tokens.schemas import TokenResponse

router = api_router(prefix="/api/v1/identity", tags=["accounts"])
public = public_router(prefix="/api/v1/identity", tags=["accounts"])


@router.get(
    "/me",
    response_model=MeRead,
    summary="Мой профиль и роли",
    responses=problem_responses(*AUTH_ERRORS),
)
async def get_me(
    principal: CurrentPrincipal,
    tokens: TokensDep,
) -> MeRead:
    return await AccountService(tokens).me(principal.user_id)


@router.post(
    "/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Сменить пароль (все сеансы будут завершены)",
    responses=problem_responses(*AUTH_ERRORS),
)
async def change_password(
    body: PasswordChange,
    principal: CurrentPrincipal,
    tokens: TokensDep,
) -> Response:
    service = AccountService(tokens)
    await service.change_password(principal.user_id, body.current_password, body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@public.post(
    "/password/initial",
    response_model=TokenResponse,
    summary="Первый вход: сменить выданный пароль и получить токены",
    responses=problem_responses(400, 422, 429),
)
async def change_initial_password(
    request: Request,
    body: InitialPasswordChange,
    tokens: TokensDep,
) -> TokenResponse:
    service = AccountService(tokens)
    return await service.initial_change(
        body.username, body.current_password, body.new_password, client_address(request)
    )
