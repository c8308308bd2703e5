"""Token endpoint, logout, JWKS and OpenID discovery (ID-5)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Form, Request, Response, status

from services.common.app import api_router, public_router
from services.common.auth import CurrentPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, BadRequest, problem_responses
from services.common.types import SafeStr
from services.identity.deps import KeyStoreDep, SettingsDep, TokensDep, client_address
from services.identity.tokens.schemas import (
    JWKS,
    LogoutRequest,
    OpenIDConfiguration,
    ReauthProof,
    ReauthRequest,
    TokenResponse,
)

router = public_router(prefix="/api/v1/identity", tags=["tokens"])
# Operations of a signed-in person (ID-8).
reauth_router = api_router(prefix="/api/v1/identity", tags=["tokens"])


@router.post(
    "/token",
    response_model=TokenResponse,
    summary="Получить токены (вход по паролю или обновление)",
    description=(
        "OAuth2: `grant_type=password` с `username` и `password`, либо "
        "`grant_type=refresh_token` с `refresh_token`. Токен обновления меняется при каждом "
        "использовании; повторное использование старого отзывает весь сеанс. Сервисы "
        "платформы получают токен с ролью `service` по `grant_type=client_credentials` "
        "с `client_id` и `client_secret`."
    ),
    responses=problem_responses(400, 403, 422, 429),
)
async def issue_token(
    request: Request,
    response: Response,
    service: TokensDep,
    grant_type: Annotated[
        Literal["password", "refresh_token", "client_credentials"], Form(description="Тип гранта")
    ],
    # SafeStr: a NUL byte would reach the username query (PostgreSQL refuses it: a 500)
    username: Annotated[SafeStr | None, Form(max_length=64)] = None,
    password: Annotated[str | None, Form(max_length=1024)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
    scope: Annotated[str | None, Form(max_length=200)] = None,
    client_id: Annotated[str | None, Form(max_length=100)] = None,
    client_secret: Annotated[str | None, Form(max_length=200)] = None,
) -> TokenResponse:
    response.headers["Cache-Control"] = "no-store"
    if grant_type == "client_credentials":
        if not client_id or not client_secret:
            raise BadRequest(
                "Для grant_type=client_credentials укажите client_id и client_secret",
                code="invalid-request",
                extra={"error": "invalid_request"},
            )
        return await service.client_credentials_grant(client_id, client_secret)
    if grant_type == "password":
        if not username or password is None:
            raise BadRequest(
                "Для grant_type=password укажите username и password",
                code="invalid-request",
                extra={"error": "invalid_request"},
            )
        return await service.password_grant(username, password, client_address(request))
    if not refresh_token:
        raise BadRequest(
            "Для grant_type=refresh_token укажите refresh_token",
            code="invalid-request",
            extra={"error": "invalid_request"},
        )
    return await service.refresh_grant(refresh_token)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Выйти: отозвать сеанс токена обновления",
    responses=problem_responses(400, 422),
)
async def logout(body: LogoutRequest, service: TokensDep) -> Response:
    await service.logout(body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/.well-known/jwks.json",
    response_model=JWKS,
    summary="Открытые ключи проверки токенов (JWKS)",
)
async def jwks(response: Response, session: SessionDep, keystore: KeyStoreDep) -> JWKS:
    response.headers["Cache-Control"] = "public, max-age=300"
    return JWKS(keys=await keystore.published(session))


@router.get(
    "/.well-known/openid-configuration",
    response_model=OpenIDConfiguration,
    summary="Документ обнаружения OpenID",
)
async def openid_configuration(settings: SettingsDep) -> OpenIDConfiguration:
    base = settings.issuer.rstrip("/")
    return OpenIDConfiguration(
        issuer=settings.issuer,
        jwks_uri=f"{base}/api/v1/identity/.well-known/jwks.json",
        token_endpoint=f"{base}/api/v1/identity/token",
        userinfo_endpoint=f"{base}/api/v1/identity/me",
        grant_types_supported=["password", "refresh_token", "client_credentials"],
        response_types_supported=["token"],
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=["RS256"],
        token_endpoint_auth_methods_supported=["none", "client_secret_post"],
        claims_supported=["sub", "iss", "aud", "exp", "iat", "jti", "sid", "school", "roles"],
    )


@reauth_router.post(
    "/reauth",
    response_model=ReauthProof,
    summary="Подтвердить личность повторным вводом пароля",
    description=(
        "Для идентификации обучающегося перед аттестацией способом «повторный ввод пароля» "
        "(§4.5, §4.8). Пользователь с действующим токеном доступа вводит свой пароль ещё "
        "раз и получает короткое подписанное подтверждение (JWT, typ=reauth, около пяти "
        "минут), которое передаёт в сервис compliance. Неверный пароль — 400 "
        "`reauth-failed`; попытки ограничены так же, как вход (429). Токены сервисов не "
        "принимаются."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def issue_reauth_proof(
    body: ReauthRequest,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    service: TokensDep,
) -> ReauthProof:
    response.headers["Cache-Control"] = "no-store"
    return await service.reauth_proof(principal, body.password, client_address(request))
