"""RFC 9457 problem details for every service (X-2).

The exception tree:

    ProblemError                 any failure rendered as ``application/problem+json``
    ├── BadRequest          400
    ├── Unauthorized        401  (adds ``WWW-Authenticate: Bearer``)
    ├── Forbidden           403
    ├── NotFound            404  (also used for objects of other schools / other children)
    ├── Conflict            409
    ├── PreconditionFailed  412  (If-Match names an old version)
    ├── PayloadTooLarge     413
    ├── UnsupportedMedia    415
    ├── BusinessRuleError   422  (a rule of the domain, with its own ``type``)
    ├── Locked              423
    ├── PreconditionRequired 428 (an update without If-Match)
    ├── TooManyRequests     429  (adds ``Retry-After``)
    └── ServiceUnavailable  503

Every problem has a stable machine ``type`` (``urn:eo:problem:<code>``), a Russian
``title`` and ``detail``, the ``status``, the request id and, for validation errors, the
offending fields in ``errors``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.context import current_request_id
from services.common.types import SAFE_STRING_PATTERN

logger = logging.getLogger("eo.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:eo:problem:"


class FieldError(BaseModel):
    field: str = Field(description="Путь к полю, например body.username")
    message: str = Field(description="Что не так с полем")
    code: str = Field(description="Машинный код ошибки поля")


class Problem(BaseModel):
    """Problem details (RFC 9457)."""

    type: str = Field(
        description="Стабильный машинный тип ошибки", examples=["urn:eo:problem:not-found"]
    )
    title: str = Field(description="Краткое описание ошибки")
    status: int
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    status: int = 500
    code: str = "internal-error"
    title: str = "Внутренняя ошибка сервера"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        title: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        errors: Sequence[FieldError] | None = None,
    ) -> None:
        self.detail = detail
        if code is not None:
            self.code = code
        if title is not None:
            self.title = title
        if status is not None:
            self.status = status
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        self.errors = list(errors) if errors else None
        super().__init__(detail or self.title)

    def to_body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": TYPE_PREFIX + self.code,
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        rid = current_request_id()
        if rid:
            body["request_id"] = rid
        if self.errors:
            body["errors"] = [e.model_dump() for e in self.errors]
        body.update(self.extra)
        return body


class BadRequest(ProblemError):
    status, code, title = 400, "bad-request", "Некорректный запрос"


class Unauthorized(ProblemError):
    status, code, title = 401, "unauthorized", "Требуется аутентификация"

    def __init__(self, detail: str | None = None, **kw: Any) -> None:
        super().__init__(detail, **kw)
        self.headers.setdefault("WWW-Authenticate", "Bearer")


class Forbidden(ProblemError):
    status, code, title = 403, "forbidden", "Недостаточно прав"


class NotFound(ProblemError):
    status, code, title = 404, "not-found", "Не найдено"


class Conflict(ProblemError):
    status, code, title = 409, "conflict", "Конфликт"


class PreconditionFailed(ProblemError):
    status, code, title = 412, "precondition-failed", "Версия ресурса устарела"


class PayloadTooLarge(ProblemError):
    status, code, title = 413, "payload-too-large", "Слишком большой запрос"


class UnsupportedMedia(ProblemError):
    status, code, title = 415, "unsupported-media-type", "Неподдерживаемый тип содержимого"


class BusinessRuleError(ProblemError):
    status, code, title = 422, "business-rule", "Нарушено правило предметной области"


class Locked(ProblemError):
    status, code, title = 423, "locked", "Ресурс заблокирован"


class PreconditionRequired(ProblemError):
    status, code, title = 428, "precondition-required", "Требуется заголовок If-Match"


class TooManyRequests(ProblemError):
    status, code, title = 429, "too-many-requests", "Слишком много запросов"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1, **kw: Any) -> None:
        super().__init__(detail, **kw)
        self.headers["Retry-After"] = str(max(1, int(retry_after)))


class ServiceUnavailable(ProblemError):
    status, code, title = 503, "service-unavailable", "Сервис временно недоступен"


_STATUS_TITLES = {
    400: ("bad-request", "Некорректный запрос"),
    401: ("unauthorized", "Требуется аутентификация"),
    403: ("forbidden", "Недостаточно прав"),
    404: ("not-found", "Не найдено"),
    405: ("method-not-allowed", "Метод не поддерживается"),
    406: ("not-acceptable", "Неприемлемый формат ответа"),
    409: ("conflict", "Конфликт"),
    412: ("precondition-failed", "Версия ресурса устарела"),
    413: ("payload-too-large", "Слишком большой запрос"),
    415: ("unsupported-media-type", "Неподдерживаемый тип содержимого"),
    422: ("validation-error", "Ошибка проверки данных"),
    423: ("locked", "Ресурс заблокирован"),
    428: ("precondition-required", "Требуется заголовок If-Match"),
    429: ("too-many-requests", "Слишком много запросов"),
    500: ("internal-error", "Внутренняя ошибка сервера"),
    502: ("bad-gateway", "Ошибка вышестоящего сервиса"),
    503: ("service-unavailable", "Сервис временно недоступен"),
    504: ("gateway-timeout", "Сервис не ответил вовремя"),
}


def problem_body(status: int, detail: str | None = None, code: str | None = None) -> dict[str, Any]:
    """A problem body for a plain status (used by middlewares outside FastAPI routing)."""
    default_code, title = _STATUS_TITLES.get(status, ("error", "Ошибка"))
    err = ProblemError(detail, code=code or default_code, title=title, status=status)
    return err.to_body()


def problem_bytes(status: int, detail: str | None = None, code: str | None = None) -> bytes:
    return json.dumps(problem_body(status, detail, code), ensure_ascii=False).encode()


def problem_response(err: ProblemError, instance: str | None = None) -> JSONResponse:
    return JSONResponse(
        err.to_body(instance),
        status_code=err.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=err.headers,
    )


_PYDANTIC_MESSAGES = {
    "missing": "Обязательное поле не заполнено",
    "extra_forbidden": "Неизвестное поле",
    "string_type": "Ожидается строка",
    "string_too_short": "Слишком короткая строка",
    "string_too_long": "Слишком длинная строка",
    "string_pattern_mismatch": "Строка не соответствует формату",
    "int_type": "Ожидается целое число",
    "int_parsing": "Ожидается целое число",
    "int_from_float": "Ожидается целое число",
    "float_type": "Ожидается число",
    "float_parsing": "Ожидается число",
    "bool_type": "Ожидается логическое значение",
    "bool_parsing": "Ожидается логическое значение",
    "greater_than": "Значение слишком мало",
    "greater_than_equal": "Значение слишком мало",
    "less_than": "Значение слишком велико",
    "less_than_equal": "Значение слишком велико",
    "too_short": "Слишком мало элементов",
    "too_long": "Слишком много элементов",
    "list_type": "Ожидается список",
    "dict_type": "Ожидается объект",
    "model_type": "Ожидается объект",
    "model_attributes_type": "Ожидается объект",
    "enum": "Недопустимое значение",
    "literal_error": "Недопустимое значение",
    "date_type": "Ожидается дата",
    "date_parsing": "Ожидается дата в формате ГГГГ-ММ-ДД",
    "date_from_datetime_parsing": "Ожидается дата в формате ГГГГ-ММ-ДД",
    "datetime_type": "Ожидается дата и время",
    "datetime_parsing": "Ожидается дата и время в формате ISO 8601",
    "datetime_from_date_parsing": "Ожидается дата и время в формате ISO 8601",
    "time_parsing": "Ожидается время в формате ЧЧ:ММ",
    "uuid_type": "Ожидается идентификатор UUID",
    "uuid_parsing": "Ожидается идентификатор UUID",
    "value_error": "Недопустимое значение",
    "json_invalid": "Некорректный JSON",
    "json_type": "Ожидается JSON",
    "url_parsing": "Ожидается URL",
    "url_type": "Ожидается URL",
    "url_scheme": "Недопустимая схема URL",
    "timezone_naive": "Укажите часовой пояс",
    "timezone_aware": "Часовой пояс не нужен",
    "bytes_type": "Ожидаются двоичные данные",
    "union_tag_invalid": "Недопустимый вид объекта",
    "union_tag_not_found": "Не указан вид объекта",
    "finite_number": "Ожидается конечное число",
    "multiple_of": "Значение должно быть кратно заданному",
    "decimal_parsing": "Ожидается десятичное число",
    "decimal_type": "Ожидается десятичное число",
    "is_instance_of": "Недопустимое значение",
}


def _field_errors(errors: Iterable[Any]) -> list[FieldError]:
    out: list[FieldError] = []
    for err in errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
        etype = str(err.get("type", "value_error"))
        message = _PYDANTIC_MESSAGES.get(etype, "Недопустимое значение")
        if (
            etype == "string_pattern_mismatch"
            and (err.get("ctx") or {}).get("pattern") == SAFE_STRING_PATTERN
        ):
            message = "Строка содержит недопустимые управляющие символы (например, NUL)"
        if etype == "value_error":
            # our validators raise Russian messages: keep them
            ctx_err = (err.get("ctx") or {}).get("error")
            if ctx_err is not None and str(ctx_err):
                message = str(ctx_err)
        out.append(FieldError(field=loc or "body", message=message, code=etype))
    return out


async def _problem_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(exc, request.url.path)


async def _validation_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc.errors())
    if any(e.code in ("json_invalid", "json_type") for e in errors):
        problem: ProblemError = BadRequest(
            "Тело запроса не является корректным JSON", code="malformed-json", errors=errors
        )
    else:
        problem = ProblemError(
            "Проверьте поля: " + ", ".join(e.field for e in errors),
            status=422,
            code="validation-error",
            title="Ошибка проверки данных",
            errors=errors,
        )
    return problem_response(problem, request.url.path)


async def _http_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, title = _STATUS_TITLES.get(exc.status_code, ("error", "Ошибка"))
    detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else None
    if exc.status_code == 404 and detail is None:
        detail = "Ресурс не найден"
    if exc.status_code == 405:
        detail = "Метод не поддерживается для этого ресурса"
    err = ProblemError(detail, code=code, title=title, status=exc.status_code, headers=exc.headers)
    return problem_response(err, request.url.path)


async def _unhandled_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", extra={"path": request.url.path})
    return problem_response(
        ProblemError("Произошла непредвиденная ошибка; она записана в журнал"), request.url.path
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(Exception, _unhandled_handler)


_RESPONSE_DESCRIPTIONS = {
    400: "Некорректный запрос",
    401: "Требуется аутентификация",
    403: "Недостаточно прав",
    404: "Не найдено",
    409: "Конфликт",
    412: "Версия ресурса устарела",
    413: "Слишком большой запрос",
    415: "Неподдерживаемый тип содержимого",
    422: "Ошибка проверки данных или нарушено правило",
    423: "Ресурс заблокирован",
    428: "Требуется заголовок If-Match",
    429: "Слишком много запросов",
    503: "Сервис временно недоступен",
}

_PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for an operation: each status documented as problem details."""
    return {
        s: {
            "model": Problem,
            "description": _RESPONSE_DESCRIPTIONS.get(s, "Ошибка"),
            "content": _PROBLEM_CONTENT,
        }
        for s in statuses
    }


# The errors every authenticated operation may return.
AUTH_ERRORS = (400, 401, 403, 422, 429)
