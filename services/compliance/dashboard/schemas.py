"""The administration's dashboard of everything open (CO-8)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from services.compliance.dot_training.schemas import UntrainedLessonFlag

LIST_DOC = "Первые записи (не больше limit), самые срочные первыми"


class PlanViolationItem(BaseModel):
    check_id: uuid.UUID
    kind: str = Field(description="lesson | class_day | student_day | school_week")
    checked_on: date
    status: str = Field(description="blocked — блокирует публикацию, warned — предупреждение")
    violation_count: int
    class_group_id: uuid.UUID | None
    student_id: uuid.UUID | None
    lesson_ref: str | None
    created_at: datetime


class PlanViolationsSection(BaseModel):
    count: int = Field(
        description=(
            "Открытые нарушения норм ЭСО: последние проверки планов на сегодня и будущие "
            "даты (по каждому уроку, классу, обучающемуся или неделе), нашедшие нарушения"
        )
    )
    violations: int = Field(description="Нарушений в этих проверках")
    items: list[PlanViolationItem] = Field(description=LIST_DOC)


class ScreenTimeAlertItem(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    student_name: str | None
    day: date
    device: str
    measure: str
    threshold: int = Field(description="80 или 100 % предела")
    used_minutes: int
    limit_minutes: int
    clause: str


class ScreenTimeAlertsSection(BaseModel):
    count: int = Field(description="Оповещений о времени за экраном за последние 7 дней")
    over_limit: int = Field(description="Из них о превышении предела (100 %)")
    students: int = Field(description="Разных обучающихся")
    items: list[ScreenTimeAlertItem] = Field(description=LIST_DOC)


class DeadlineItem(BaseModel):
    notice_id: uuid.UUID
    kind: str
    title: str
    deadline: date
    state: str = Field(description="late — срок прошёл, due_soon — скоро срок")


class DeadlinesSection(BaseModel):
    due_soon: int
    late: int
    count: int = Field(description="due_soon + late")
    items: list[DeadlineItem] = Field(description=LIST_DOC)


class UnreviewedWorkItem(BaseModel):
    submission_id: uuid.UUID
    assignment_id: uuid.UUID
    course_id: uuid.UUID
    subject: str | None
    teacher_ids: list[uuid.UUID]
    student_id: uuid.UUID
    student_name: str | None
    received_at: datetime
    review_due_at: datetime


class UnreviewedWorksSection(BaseModel):
    count: int = Field(
        description=(
            "Работы, не проверенные в день поступления (Рег. §2.3) и до сих пор без проверки"
        )
    )
    reviewed_late_30_days: int = Field(description="Проверены позже срока за последние 30 дней")
    items: list[UnreviewedWorkItem] = Field(description=LIST_DOC)


class OptOutGapItem(BaseModel):
    optout_id: uuid.UUID
    student_id: uuid.UUID
    student_name: str | None
    class_group_id: uuid.UUID
    lessons: int = Field(description="Предстоящих уроков с ЭО/ДОТ без альтернативы")
    first_date: date
    first_lesson_id: uuid.UUID


class OptOutGapsSection(BaseModel):
    count: int = Field(
        description=(
            "Обучающиеся с зарегистрированным отказом от ЭО и ДОТ (§3.9), у которых есть "
            "предстоящие (14 дней) уроки с ЭО или ДОТ без очной или бумажной альтернативы"
        )
    )
    lessons: int
    items: list[OptOutGapItem] = Field(description=LIST_DOC)


class UntrainedTeachersSection(BaseModel):
    count: int = Field(
        description="Уроки с ЭО/ДОТ на 30 дней вперёд у педагогов без подготовки (§3.4)"
    )
    teachers: int
    items: list[UntrainedLessonFlag] = Field(description=LIST_DOC)


class Dashboard(BaseModel):
    school_id: uuid.UUID
    today: date = Field(description="Сегодня по часовому поясу школы")
    generated_at: datetime
    plan_violations: PlanViolationsSection
    screen_time_alerts: ScreenTimeAlertsSection
    deadlines: DeadlinesSection
    unreviewed_works: UnreviewedWorksSection
    optouts_without_alternative: OptOutGapsSection
    untrained_teachers: UntrainedTeachersSection
