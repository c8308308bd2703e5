"""Schemas of courses (LE-1)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from services.common.types import SafeStr, StrictModel

# SafeStr's own check (no NUL or control characters), placed after the length
# constraints: ``Annotated[SafeStr, StringConstraints(...)]`` would check the length
# before stripping, so "   " would pass as an empty string.
NO_CONTROL: Any = SafeStr.__metadata__[0]  # type: ignore[attr-defined]

Level = Literal["primary", "basic", "secondary"]
CourseDelivery = Literal["in_person", "blended", "distance_only"]

MAX_TEACHERS = 10
MAX_SUBGROUP_STUDENTS = 100


Subject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    NO_CONTROL,
    Field(description="Предмет, например «Математика»", examples=["Математика"]),
]
Subgroup = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    NO_CONTROL,
    Field(description="Название подгруппы, например «группа 1»", examples=["группа 1"]),
]
WorkProgramTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), NO_CONTROL
]


def text_only(value: Any) -> Any:
    """Dates and times come as ISO strings: a number (a timestamp) is refused."""
    if isinstance(value, bool | int | float):
        raise ValueError("Ожидается строка в формате ISO 8601")
    return value


def check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("Ожидается адрес http:// или https://")
    return value


def check_https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("Ссылка на видеокомнату должна начинаться с https://")
    return value


HttpUrlStr = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    NO_CONTROL,
    AfterValidator(check_http_url),
]
HttpsUrlStr = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    NO_CONTROL,
    AfterValidator(check_https_url),
]


def check_one_decimal(value: Decimal) -> Decimal:
    if value != value.quantize(Decimal("0.1")):
        raise ValueError("Не больше одного знака после запятой")
    return value


HoursPerWeek = Annotated[
    Decimal,
    Field(gt=0, le=40, description="Часов в неделю по учебному плану"),
    AfterValidator(check_one_decimal),
]
TeacherIds = Annotated[
    list[uuid.UUID],
    Field(
        min_length=1,
        max_length=MAX_TEACHERS,
        description="Педагоги курса; первый — основной (ведёт уроки без замены)",
    ),
]
StudentIds = Annotated[
    list[uuid.UUID],
    Field(
        max_length=MAX_SUBGROUP_STUDENTS,
        description="Обучающиеся подгруппы (только вместе с subgroup); все — из класса курса",
    ),
]


def _unique(values: list[uuid.UUID] | None, name: str) -> None:
    if values is not None and len(set(values)) != len(values):
        raise ValueError(f"В списке {name} есть повторы")


class PersonRef(BaseModel):
    id: uuid.UUID
    name: str = Field(description="Фамилия, имя, отчество")


class CourseCreate(StrictModel):
    """A course: subject × class group (or its sub-group) × teachers; the academic year and
    level come from the class group."""

    subject: Subject
    class_group_id: uuid.UUID = Field(description="Класс этой школы")
    subgroup: Subgroup | None = None
    student_ids: StudentIds | None = None
    teacher_ids: TeacherIds
    delivery: CourseDelivery = Field(
        default="in_person",
        description="Как реализуется курс: очно, смешанно, только дистанционно",
    )
    work_program_title: WorkProgramTitle | None = Field(
        default=None, description="Название рабочей программы"
    )
    work_program_url: HttpUrlStr | None = Field(
        default=None, description="Ссылка на рабочую программу"
    )
    hours_per_week: HoursPerWeek | None = None

    @model_validator(mode="after")
    def _subgroup_students(self) -> Self:
        _unique(self.teacher_ids, "teacher_ids")
        _unique(self.student_ids, "student_ids")
        if self.subgroup is None and self.student_ids:
            raise ValueError("Список student_ids задаётся только для подгруппы (subgroup)")
        if self.subgroup is not None and not self.student_ids:
            raise ValueError("Для подгруппы укажите её обучающихся (student_ids)")
        return self


class CourseUpdate(StrictModel):
    """Only the fields sent are changed. ``subgroup: null`` makes it a whole-class course."""

    subject: Subject | None = None
    subgroup: Subgroup | None = None
    student_ids: StudentIds | None = None
    teacher_ids: TeacherIds | None = None
    delivery: CourseDelivery | None = None
    work_program_title: WorkProgramTitle | None = None
    work_program_url: HttpUrlStr | None = None
    hours_per_week: HoursPerWeek | None = None

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in ("subject", "teacher_ids", "delivery", "student_ids"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} нельзя очистить")
        _unique(self.teacher_ids, "teacher_ids")
        _unique(self.student_ids, "student_ids")
        if "subgroup" in self.model_fields_set and self.subgroup is None and self.student_ids:
            raise ValueError("Список student_ids задаётся только для подгруппы (subgroup)")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class CourseRead(BaseModel):
    id: uuid.UUID
    subject: str
    class_group_id: uuid.UUID
    class_name: str | None = Field(description="Название класса, например 7Б")
    grade: int = Field(description="Параллель класса, 1–11")
    level: Level = Field(description="primary (1–4), basic (5–9), secondary (10–11)")
    subgroup: str | None
    student_ids: list[uuid.UUID] | None = Field(
        description="Обучающиеся подгруппы; null — курс всего класса"
    )
    teachers: list[PersonRef] = Field(description="Педагоги курса; первый — основной")
    academic_year_id: uuid.UUID
    delivery: CourseDelivery
    work_program_title: str | None
    work_program_url: str | None
    hours_per_week: float | None
    is_archived: bool
    external_ids: dict[str, str] = Field(
        default_factory=dict,
        description="Идентификаторы во внешних системах: {moya_shkola|sferum|esia|regional: …}",
    )
    created_at: datetime
    updated_at: datetime
