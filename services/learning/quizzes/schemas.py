"""Schemas of online tests (LE-8): the question bank, quizzes, attempts, results and
the identifications of attestation mode."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from services.common.types import SafeStr, StrictModel

QuestionKind = Literal["single_choice", "multiple_choice", "short_answer", "numeric", "free_text"]
ControlType = Literal["current_control", "interim_attestation", "final_attestation"]
AttemptStatus = Literal["in_progress", "awaiting_grading", "graded"]
FinishReason = Literal["submitted", "time_expired"]

MAX_OPTIONS = 20
MAX_ACCEPTED = 50
MAX_QUIZ_QUESTIONS = 200


def _plain_text(value: str) -> str:
    """What ``SafeStr`` refuses, checked after stripping (a constraint placed after
    ``SafeStr``'s validator would strip without enforcing the minimum length)."""
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("Строка содержит недопустимые управляющие символы")
    return value


def _strip(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


QuestionText = Annotated[str, _strip(10_000), AfterValidator(_plain_text)]
OptionText = Annotated[str, _strip(1000), AfterValidator(_plain_text)]
AcceptedAnswer = Annotated[str, _strip(500), AfterValidator(_plain_text)]
Topic = Annotated[str, _strip(200), AfterValidator(_plain_text)]
Title = Annotated[str, _strip(300), AfterValidator(_plain_text)]
LongText = Annotated[str, _strip(10_000), AfterValidator(_plain_text)]
Comment = Annotated[str, _strip(5000), AfterValidator(_plain_text)]


def _sane_instant(value: datetime) -> datetime:
    """An instant the database and date arithmetic can hold (year 2000–2100 in UTC)."""
    try:
        year = value.astimezone(UTC).year
    except OverflowError:
        year = 0
    if not 2000 <= year <= 2100:
        raise ValueError("Дата должна быть между 2000 и 2100 годами")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_sane_instant)]
# "yes" or 1 for a flag is a mistake, not a true.
Flag = Annotated[bool, Field(strict=True)]
Points = Annotated[int, Field(ge=1, le=100, strict=True, description="Баллы за верный ответ")]
NumericValue = Annotated[
    Decimal,
    Field(
        allow_inf_nan=False,
        max_digits=24,
        decimal_places=10,
        ge=Decimal("-1e12"),
        le=Decimal("1e12"),
    ),
]


# -- the question bank ------------------------------------------------------------------


class OptionIn(StrictModel):
    text: OptionText = Field(description="Текст варианта ответа")
    correct: Flag = Field(default=False, description="Верный ли это вариант")


class QuestionWrite(StrictModel):
    """A question with its answer key; which fields apply depends on ``kind``."""

    kind: QuestionKind = Field(
        description=(
            "single_choice — один верный вариант, multiple_choice — несколько, "
            "short_answer — краткий ответ из списка допустимых, numeric — число с "
            "допуском, free_text — развёрнутый ответ, проверяется учителем"
        )
    )
    text: QuestionText = Field(description="Формулировка вопроса")
    points: Points = 1
    topic: Topic | None = Field(default=None, description="Тема (необязательно)")
    options: list[OptionIn] | None = Field(
        default=None, max_length=MAX_OPTIONS, description="Варианты ответа (для выбора)"
    )
    accepted_answers: list[AcceptedAnswer] | None = Field(
        default=None,
        max_length=MAX_ACCEPTED,
        description=(
            "Допустимые краткие ответы; сравниваются без учёта регистра, лишних пробелов "
            "и различия «ё»/«е»"
        ),
    )
    numeric_value: NumericValue | None = Field(default=None, description="Верное число")
    numeric_tolerance: NumericValue | None = Field(
        default=None, description="Допустимое отклонение (абсолютное, включительно); 0 — точно"
    )
    explanation: LongText | None = Field(
        default=None, description="Пояснение, показывается вместе с верным ответом"
    )

    @model_validator(mode="after")
    def _fits_kind(self) -> Self:
        kind = self.kind
        choice = kind in ("single_choice", "multiple_choice")
        if choice:
            if not self.options or len(self.options) < 2:
                raise ValueError("Для вопроса с выбором нужно не меньше двух вариантов")
            texts = [o.text.casefold() for o in self.options]
            if len(set(texts)) != len(texts):
                raise ValueError("Варианты ответа не должны повторяться")
            right = sum(1 for o in self.options if o.correct)
            if kind == "single_choice" and right != 1:
                raise ValueError("В вопросе с одним ответом должен быть ровно один верный вариант")
            if kind == "multiple_choice" and right < 1:
                raise ValueError("Отметьте хотя бы один верный вариант")
        elif self.options is not None:
            raise ValueError("Варианты ответа задаются только для вопросов с выбором")
        if kind == "short_answer":
            if not self.accepted_answers:
                raise ValueError("Укажите хотя бы один допустимый ответ")
        elif self.accepted_answers is not None:
            raise ValueError("Допустимые ответы задаются только для краткого ответа")
        if kind == "numeric":
            if self.numeric_value is None:
                raise ValueError("Укажите верное число")
            if self.numeric_tolerance is not None and self.numeric_tolerance < 0:
                raise ValueError("Допуск не может быть отрицательным")
        elif self.numeric_value is not None or self.numeric_tolerance is not None:
            raise ValueError("Число и допуск задаются только для числового вопроса")
        return self


class QuestionCreate(QuestionWrite):
    course_id: uuid.UUID = Field(description="Курс, в банк которого добавляется вопрос")


class QuestionReplace(QuestionWrite):
    """The whole question again (course excepted)."""


class OptionRead(BaseModel):
    id: str
    text: str
    correct: bool


class QuestionRead(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    kind: QuestionKind
    text: str
    points: int
    topic: str | None
    options: list[OptionRead]
    accepted_answers: list[str]
    numeric_value: Decimal | None
    numeric_tolerance: Decimal | None
    explanation: str | None
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


# -- quizzes ----------------------------------------------------------------------------


class MarkThresholds(StrictModel):
    """The quiz's own five-point thresholds, percent of the maximum score."""

    five: float = Field(gt=0, le=100, description="«5» от этого процента")
    four: float = Field(gt=0, le=100, description="«4» от этого процента")
    three: float = Field(gt=0, le=100, description="«3» от этого процента")

    @model_validator(mode="after")
    def _descending(self) -> Self:
        if not self.five > self.four > self.three:
            raise ValueError("Пороги должны убывать: «5» > «4» > «3»")
        return self

    def stored(self) -> dict[str, float]:
        return {"5": self.five, "4": self.four, "3": self.three}

    @classmethod
    def from_stored(cls, value: dict[str, float] | None) -> MarkThresholds | None:
        if not value:
            return None
        return cls(five=value["5"], four=value["4"], three=value["3"])


QuestionIds = Annotated[
    list[uuid.UUID],
    Field(max_length=MAX_QUIZ_QUESTIONS, description="Вопросы из банка курса, по порядку"),
]
TimeLimit = Annotated[int, Field(ge=1, le=600, strict=True, description="Минут на попытку")]
MaxAttempts = Annotated[int, Field(ge=1, le=100, strict=True, description="Число попыток")]


def _check_unique(ids: list[uuid.UUID] | None) -> None:
    if ids is not None and len(set(ids)) != len(ids):
        raise ValueError("Вопрос не может входить в тест дважды")


class QuizCreate(StrictModel):
    course_id: uuid.UUID
    lesson_id: uuid.UUID | None = Field(default=None, description="Урок курса (необязательно)")
    title: Title = Field(description="Название теста")
    description: LongText | None = None
    question_ids: QuestionIds = Field(default_factory=list)
    time_limit_minutes: TimeLimit | None = Field(
        default=None, description="Ограничение времени на попытку, минут; null — без ограничения"
    )
    max_attempts: MaxAttempts = 1
    shuffle_questions: Flag = Field(default=False, description="Перемешивать вопросы")
    shuffle_options: Flag = Field(default=False, description="Перемешивать варианты ответа")
    opens_at: Instant | None = Field(default=None, description="Доступен с")
    closes_at: Instant | None = Field(default=None, description="Доступен до")
    control_type: ControlType = Field(
        default="current_control",
        description="Вид контроля: текущий, промежуточная или итоговая аттестация",
    )
    attestation_mode: Flag = Field(
        default=False,
        description="Режим аттестации: попытку можно начать только после идентификации",
    )
    attestation_event_id: uuid.UUID | None = Field(
        default=None, description="Аттестационное мероприятие (сервис compliance)"
    )
    mark_thresholds: MarkThresholds | None = Field(
        default=None, description="Свои пороги отметок; null — 85 / 70 / 50 %"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_unique(self.question_ids)
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("Время закрытия должно быть позже времени открытия")
        if self.attestation_mode and self.attestation_event_id is None:
            raise ValueError("В режиме аттестации укажите аттестационное мероприятие")
        return self


_NOT_NULL = ("title", "question_ids", "max_attempts", "shuffle_questions", "shuffle_options")
_NOT_NULL_MORE = ("control_type", "attestation_mode")


class QuizUpdate(StrictModel):
    """Only the fields given change; null clears an optional field."""

    lesson_id: uuid.UUID | None = None
    title: Title | None = None
    description: LongText | None = None
    question_ids: QuestionIds | None = None
    time_limit_minutes: TimeLimit | None = None
    max_attempts: MaxAttempts | None = None
    shuffle_questions: Flag | None = None
    shuffle_options: Flag | None = None
    opens_at: Instant | None = None
    closes_at: Instant | None = None
    control_type: ControlType | None = None
    attestation_mode: Flag | None = None
    attestation_event_id: uuid.UUID | None = None
    mark_thresholds: MarkThresholds | None = None

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in _NOT_NULL + _NOT_NULL_MORE:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} не может быть пустым")
        _check_unique(self.question_ids)
        return self


class AnswersRelease(StrictModel):
    released: Flag = Field(description="true — показать обучающимся верные ответы")


class QuizItemRead(BaseModel):
    question_id: uuid.UUID
    position: int
    kind: QuestionKind
    points: int


class QuizRead(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    lesson_id: uuid.UUID | None
    title: str
    description: str | None
    time_limit_minutes: int | None
    max_attempts: int
    shuffle_questions: bool
    shuffle_options: bool
    opens_at: datetime | None
    closes_at: datetime | None
    control_type: ControlType
    attestation_mode: bool
    attestation_event_id: uuid.UUID | None
    mark_thresholds: MarkThresholds | None
    published: bool
    published_at: datetime | None
    answers_released: bool
    question_count: int
    max_score: int
    items: list[QuizItemRead] | None = Field(
        description="Состав теста — педагогам курса, администрации и персоналу; иначе null"
    )
    created_at: datetime
    updated_at: datetime


# -- attempts ---------------------------------------------------------------------------


class AnswerSave(StrictModel):
    option_ids: list[Annotated[str, StringConstraints(min_length=1, max_length=40)]] | None = Field(
        default=None, max_length=MAX_OPTIONS, description="Выбранные варианты"
    )
    text: Annotated[SafeStr, StringConstraints(max_length=20_000)] | None = Field(
        default=None,
        description="Ответ текстом; для числового вопроса — число (можно с запятой)",
    )

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.option_ids is None) == (self.text is None):
            raise ValueError("Передайте либо option_ids, либо text")
        return self


class AnswerRead(BaseModel):
    question_id: uuid.UUID
    option_ids: list[str] | None
    text: str | None
    saved_at: datetime


class AttemptOptionRead(BaseModel):
    id: str
    text: str


class AttemptQuestionRead(BaseModel):
    question_id: uuid.UUID
    position: int = Field(description="Номер вопроса в этой попытке")
    kind: QuestionKind
    text: str
    points: int
    options: list[AttemptOptionRead] = Field(description="Варианты в порядке этой попытки")
    answer: AnswerRead | None
    # Shown to the teacher, and to the student once answers are released.
    correct_option_ids: list[str] | None = None
    accepted_answers: list[str] | None = None
    numeric_value: Decimal | None = None
    numeric_tolerance: Decimal | None = None
    explanation: str | None = None
    is_correct: bool | None = None
    points_awarded: int | None = None
    comment: str | None = None


class AttemptSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    quiz_id: uuid.UUID
    quiz_title: str
    course_id: uuid.UUID
    student_id: uuid.UUID
    attempt_no: int
    status: AttemptStatus
    started_at: datetime
    deadline: datetime | None = Field(description="Крайний срок ответа (на сервере)")
    finished_at: datetime | None
    finish_reason: FinishReason | None
    score: int | None = Field(description="Набранные баллы (обучающемуся — после проверки)")
    max_score: int
    percent: float | None
    mark: str | None
    graded_at: datetime | None
    pending_grading: int | None = Field(
        description="Развёрнутых ответов ждут проверки (видно педагогу)"
    )


class AttemptRead(AttemptSummary):
    server_time: datetime = Field(description="Время сервера, для отсчёта оставшегося времени")
    answers_revealed: bool = Field(description="Показаны ли верные ответы и проверка")
    questions: list[AttemptQuestionRead]


class AnswerGrade(StrictModel):
    question_id: uuid.UUID
    points: int = Field(ge=0, le=100, strict=True, description="Баллы за ответ")
    comment: Comment | None = Field(default=None, description="Комментарий учителя")


class AttemptGrades(StrictModel):
    grades: list[AnswerGrade] = Field(min_length=1, max_length=MAX_QUIZ_QUESTIONS)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        _check_unique([g.question_id for g in self.grades])
        return self


# -- results ----------------------------------------------------------------------------


class AttemptBrief(BaseModel):
    id: uuid.UUID
    attempt_no: int
    status: AttemptStatus
    score: int | None
    percent: float | None
    mark: str | None
    finished_at: datetime | None


class StudentResult(BaseModel):
    student_id: uuid.UUID
    last_name: str
    first_name: str
    middle_name: str | None
    attempts: int
    in_progress: bool
    best: AttemptBrief | None = Field(description="Лучшая проверенная попытка")
    last: AttemptBrief | None = Field(description="Последняя завершённая попытка")


class QuizResults(BaseModel):
    quiz_id: uuid.UUID
    title: str
    max_score: int
    students: list[StudentResult]


class DistributionEntry(BaseModel):
    value: str = Field(description="Вариант (id) или ответ в нормализованном виде")
    text: str | None = Field(description="Текст варианта")
    count: int
    correct: bool | None


class QuestionStats(BaseModel):
    question_id: uuid.UUID
    position: int
    kind: QuestionKind
    text: str
    points: int
    topic: str | None
    attempts: int = Field(description="Завершённых попыток")
    answered: int
    correct: int
    percent_correct: float | None = Field(description="Доля верных от завершённых попыток, %")
    average_points: float | None
    pending_grading: int
    distribution: list[DistributionEntry]


class QuizQuestionStats(BaseModel):
    quiz_id: uuid.UUID
    attempts: int
    questions: list[QuestionStats]


# -- identification (attestation mode) -------------------------------------------------


class IdentificationCreate(StrictModel):
    school_id: uuid.UUID
    student_id: uuid.UUID
    attestation_event_id: uuid.UUID
    method: Annotated[
        str, StringConstraints(min_length=1, max_length=50, pattern=r"^[a-z][a-z0-9_]*$")
    ] = Field(description="Способ идентификации, например video, in_person, esia")
    identified_at: Instant
    identified_by: uuid.UUID | None = Field(default=None, description="Кто идентифицировал")


class IdentificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    school_id: uuid.UUID
    student_id: uuid.UUID
    attestation_event_id: uuid.UUID
    method: str
    identified_at: datetime
    identified_by: uuid.UUID | None
    created_at: datetime
