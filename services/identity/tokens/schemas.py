from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.common.types import StrictModel


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(description="Срок жизни токена доступа, секунд")
    refresh_token: str | None = Field(
        default=None, description="Токен обновления (нет у токенов сервисов)"
    )
    refresh_expires_in: int | None = Field(
        default=None, description="Срок жизни токена обновления, секунд"
    )


class LogoutRequest(StrictModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class JWKS(BaseModel):
    keys: list[dict[str, Any]]


class OpenIDConfiguration(BaseModel):
    issuer: str
    jwks_uri: str
    token_endpoint: str
    userinfo_endpoint: str
    grant_types_supported: list[str]
    response_types_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    claims_supported: list[str]


class ReauthRequest(StrictModel):
    password: str = Field(
        min_length=1, max_length=1024, description="Пароль текущего пользователя (ввод заново)"
    )


class ReauthProof(BaseModel):
    proof: str = Field(
        description=(
            "Подписанное подтверждение повторного ввода пароля (JWT, typ=reauth): передаётся "
            "в сервис compliance для идентификации перед аттестацией; не является токеном "
            "доступа и используется один раз"
        )
    )
    proof_type: str = Field(default="reauth", description="Тип подтверждения")
    expires_in: int = Field(description="Срок действия подтверждения, секунд")
    expires_at: datetime = Field(description="Когда подтверждение истекает (UTC)")
