"""Schemas of the payloads of learning's events, documented in the contract (GW-5).

They describe what ``services/learning/events.py`` and ``services/learning/*/service.py``
(``assignments/publisher.py``, ``quizzes/finishing.py``) put into ``emit(...)``;
consumers must ignore fields they do not know (new fields may be added, none removed).
"""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field

from services.common.event_docs import EventPayload

# -- courses, thematic plans, lessons (services/learning/events.py) ---------------------


class LearningCoursePayload(EventPayload):
    """Курс создан или изменён, в том числе его внешние идентификаторы (course.created,
    course.updated). Событие полное: журнал и compliance ведут по нему копию курса."""

    id: uuid.UUID = Field(description="Курс")
    subject: str = Field(description="Предмет")
    class_group_id: uuid.UUID = Field(description="Класс")
    grade: int = Field(description="Параллель")
    level: str = Field(description="Уровень образования: primary, basic или secondary")
    subgroup: str | None = Field(description="Подгруппа; пусто — курс всего класса")
    student_ids: list[uuid.UUID] | None = Field(
        description="Ученики подгруппы; пусто у курса всего класса"
    )
    teacher_ids: list[uuid.UUID] = Field(description="Педагоги курса, первый — основной")
    class_name: str | None = Field(description="Название класса, например 7Б")
    academic_year_id: uuid.UUID = Field(description="Учебный год")
    delivery: str = Field(description="Как ведётся курс: in_person, blended или distance_only")
    work_program_title: str | None = Field(description="Рабочая программа")
    work_program_url: str | None = Field(description="Ссылка на рабочую программу")
    hours_per_week: float | None = Field(description="Часов в неделю")
    is_archived: bool = Field(description="Курс в архиве")
    external_ids: dict[str, str] = Field(
        description="Идентификаторы курса во внешних системах: система → значение"
    )


class LearningPlanTopic(EventPayload):
    id: uuid.UUID = Field(description="Тема КТП")
    position: int = Field(description="Порядковый номер в плане")
    section: str | None = Field(description="Раздел")
    title: str = Field(description="Тема")
    planned_hours: float = Field(description="Запланировано часов")
    planned_date: dt.date | None = Field(description="Плановая дата")


class LearningCoursePlanPayload(EventPayload):
    """Календарно-тематический план курса изменён (course_plan.updated): весь план после
    изменения, по порядку."""

    course_id: uuid.UUID = Field(description="Курс")
    topics: list[LearningPlanTopic] = Field(description="Темы плана по порядку")


class LearningLessonCourse(EventPayload):
    subject: str = Field(description="Предмет")
    class_group_id: uuid.UUID = Field(description="Класс")
    grade: int = Field(description="Параллель")
    level: str = Field(description="Уровень образования: primary, basic или secondary")
    subgroup: str | None = Field(description="Подгруппа; пусто — курс всего класса")
    student_ids: list[uuid.UUID] | None = Field(
        description="Ученики подгруппы; пусто у курса всего класса"
    )
    teacher_ids: list[uuid.UUID] = Field(description="Педагоги курса, первый — основной")


class LearningLessonTopic(EventPayload):
    id: uuid.UUID = Field(description="Тема КТП")
    position: int = Field(description="Порядковый номер в плане")
    title: str = Field(description="Тема")


class LearningLessonDevice(EventPayload):
    device: str = Field(
        description="Электронное средство обучения: interactive_whiteboard, "
        "interactive_panel, pc, laptop, tablet"
    )
    minutes: int = Field(description="Минут работы")
    kind: str = Field(description="Как используется: viewing, copying или interactive")


class LearningLessonPayload(EventPayload):
    """Урок запланирован, изменён или отменён (lesson.scheduled, lesson.changed,
    lesson.cancelled). Событие полное: журнал и compliance ведут по нему копию урока."""

    id: uuid.UUID = Field(description="Урок")
    course_id: uuid.UUID = Field(description="Курс")
    course: LearningLessonCourse = Field(description="Курс урока")
    date: dt.date = Field(description="Дата урока (местная дата школы)")
    starts_at: str = Field(description="Время начала по местному времени школы, ЧЧ:ММ")
    starts_at_utc: dt.datetime = Field(description="Начало урока как момент времени")
    duration_minutes: int = Field(description="Продолжительность, минут")
    lesson_number: int | None = Field(description="Номер урока в расписании дня")
    topic: LearningLessonTopic | None = Field(description="Тема КТП")
    organisational_form: str = Field(
        description="Организационная форма обучения: lesson, lecture, seminar …"
    )
    delivery_form: str = Field(description="Форма проведения: in_person, e_learning, distance")
    support_mode: str | None = Field(
        description="Форма сопровождения: online_testing, online_study …"
    )
    devices: list[LearningLessonDevice] = Field(
        description="Плановое использование ЭСО по отрезкам, в порядке использования"
    )
    video_room_url: str | None = Field(description="Ссылка на видеокомнату")
    room: str | None = Field(description="Кабинет")
    status: str = Field(description="scheduled или cancelled")
    cancel_reason: str | None = Field(description="Причина отмены")
    substitute_teacher_id: uuid.UUID | None = Field(description="Педагог на замене")
    teacher_id: uuid.UUID | None = Field(
        description="Кто ведёт урок: педагог на замене, иначе основной педагог курса"
    )
    homework: str | None = Field(description="Домашнее задание")
    alternative: str | None = Field(
        description="Очная или бумажная альтернатива для учеников с отказом от ЭО и ДОТ"
    )
    moved_from_date: dt.date | None = Field(description="С какой даты перенесён урок")
    version: int = Field(description="Версия записи")
    compliance_status: str | None = Field(
        description="Санитарная проверка: checked_ok, warnings или not_checked; "
        "пусто, если ЭСО не используются"
    )


# -- online courses, individual plans ---------------------------------------------------


class LearningCertificate(EventPayload):
    id: uuid.UUID = Field(description="Сертификат")
    number: str = Field(description="Номер сертификата")
    issued_on: dt.date = Field(description="Дата выдачи")
    hours: int = Field(description="Объём курса, часов")


class LearningOnlineCourseCompletedPayload(EventPayload):
    """Ученик завершил онлайн-курс и получил сертификат (online_course.completed)."""

    enrolment_id: uuid.UUID = Field(description="Запись на курс")
    online_course_id: uuid.UUID = Field(description="Онлайн-курс")
    title: str = Field(description="Название курса")
    student_id: uuid.UUID = Field(description="Ученик")
    completed_at: dt.datetime | None = Field(description="Когда завершён")
    certificate: LearningCertificate = Field(description="Выданный сертификат")


class LearningBasisDocument(EventPayload):
    title: str | None = Field(description="Название документа")
    number: str = Field(description="Номер приказа")
    date: dt.date = Field(description="Дата приказа")


class LearningIndividualPlanPayload(EventPayload):
    """Индивидуальный учебный план создан или изменён (individual_plan.created,
    individual_plan.updated). Событие содержит весь план."""

    id: uuid.UUID = Field(description="Индивидуальный план")
    student_id: uuid.UUID = Field(description="Ученик")
    category: str = Field(
        description="Категория ученика: olympiad_preparation, high_achiever, "
        "absent_valid_reason, part_time"
    )
    category_label: str = Field(description="Категория словами")
    basis_document: LearningBasisDocument = Field(description="Приказ школы — основание")
    valid_from: dt.date = Field(description="Действует с")
    valid_to: dt.date = Field(description="Действует по")
    tutor_id: uuid.UUID = Field(description="Куратор")
    course_ids: list[uuid.UUID] = Field(description="Курсы ученика в плане")
    online_course_ids: list[uuid.UUID] = Field(description="Онлайн-курсы в плане")
    assignment_ids: list[uuid.UUID] = Field(description="Задания в плане")
    notes: str | None = Field(description="Примечания")
    version: int = Field(description="Версия записи")


# -- materials -------------------------------------------------------------------------


class LearningMaterialFile(EventPayload):
    id: uuid.UUID = Field(description="Файл")
    name: str = Field(description="Имя файла")
    content_type: str = Field(description="MIME-тип")
    size: int = Field(description="Размер, байт")
    sha256: str = Field(description="SHA-256 содержимого")


class LearningMaterialPayload(EventPayload):
    """Материал создан или изменён, в том числе заархивирован (material.created,
    material.updated)."""

    id: uuid.UUID = Field(description="Материал")
    kind: str = Field(description="Вид: video, lesson_scenario, test, own или third_party_link")
    title: str = Field(description="Название")
    author_id: uuid.UUID = Field(description="Автор")
    course_id: uuid.UUID | None = Field(description="Курс")
    lesson_id: uuid.UUID | None = Field(description="Урок")
    subjects: list[str] = Field(description="Предметы")
    levels: list[str] = Field(description="Уровни образования: primary, basic, secondary")
    visibility: str = Field(description="course — ученикам курса, library — всей школе")
    status: str = Field(description="active или archived")
    files: list[LearningMaterialFile] = Field(description="Файлы материала")
    url: str | None = Field(description="Ссылка на сторонний ресурс или видео")
    platform_code: str | None = Field(description="Код платформы из каталога")
    platform_name: str | None = Field(description="Название платформы из каталога")
    on_federal_list: bool | None = Field(
        description="Входит ли платформа в федеральный перечень на дату проверки; "
        "пусто, если ссылка не на платформу каталога"
    )
    checked_on: dt.date = Field(description="Дата проверки по федеральному перечню")
    version: int = Field(description="Версия записи")


# -- assignments, submissions, reviews, tests --------------------------------------------


class LearningScreenUse(EventPayload):
    device: str = Field(
        description="Устройство: interactive_whiteboard, interactive_panel, pc, laptop, tablet"
    )
    minutes: int = Field(description="Минут работы с устройством")


class LearningAssignmentPublishedPayload(EventPayload):
    """Задание опубликовано и выдано ученикам (assignment.published)."""

    id: uuid.UUID = Field(description="Задание")
    course_id: uuid.UUID = Field(description="Курс")
    lesson_id: uuid.UUID | None = Field(description="Урок")
    title: str = Field(description="Название")
    due_at: dt.datetime = Field(description="Срок сдачи")
    due_date: dt.date = Field(description="Дата срока сдачи (местная дата школы)")
    published_at: dt.datetime | None = Field(description="Когда опубликовано")
    student_ids: list[uuid.UUID] = Field(description="Кому выдано")
    expected_screen_minutes: list[LearningScreenUse] = Field(
        description="Ожидаемое время работы с ЭСО"
    )
    has_alternative: bool = Field(description="Есть ли очная или бумажная альтернатива")
    alternative: str | None = Field(description="Очная или бумажная альтернатива")
    delivery_form: str = Field(description="Форма: in_person, e_learning или distance")


class LearningSubmissionReceivedPayload(EventPayload):
    """Работа ученика получена (submission.received)."""

    id: uuid.UUID = Field(description="Работа (версия)")
    assignment_id: uuid.UUID = Field(description="Задание")
    course_id: uuid.UUID = Field(description="Курс")
    student_id: uuid.UUID = Field(description="Ученик")
    version: int = Field(description="Номер версии работы")
    received_at: dt.datetime = Field(description="Когда получена")
    received_local_date: dt.date = Field(description="Дата получения (местная дата школы)")
    channel: str = Field(description="Канал: platform, email или other")
    late: bool = Field(description="Сдана ли после срока")
    recorded_by: uuid.UUID = Field(description="Кто записал работу")
    review_due_at: dt.datetime = Field(
        description="Конец учебного дня, к которому работу нужно проверить"
    )


class LearningReviewedWork(EventPayload):
    text_excerpt: str | None = Field(description="Начало текста работы")
    file_names: list[str] = Field(description="Имена файлов работы")


class LearningReviewCompletedPayload(EventPayload):
    """Работа проверена: принята или возвращена на доработку (review.completed).
    Содержит выдержку из работы, чтобы портфолио сохранило её."""

    id: uuid.UUID = Field(description="Рецензия")
    submission_id: uuid.UUID = Field(description="Работа (версия)")
    submission_version: int = Field(description="Номер версии работы")
    assignment_id: uuid.UUID = Field(description="Задание")
    assignment_title: str = Field(description="Название задания")
    course_id: uuid.UUID = Field(description="Курс")
    subject: str = Field(description="Предмет")
    lesson_id: uuid.UUID | None = Field(description="Урок")
    student_id: uuid.UUID = Field(description="Ученик")
    reviewer_id: uuid.UUID = Field(description="Кто проверил")
    mark: str | None = Field(description="Отметка по шкале школы")
    status: str = Field(description="accepted — принята, returned — на доработку")
    comment_text: str | None = Field(description="Текстовый комментарий")
    has_media_comment: bool = Field(description="Есть ли аудио- или видеокомментарий")
    reviewed_at: dt.datetime = Field(description="Когда проверена")
    submitted_at: dt.datetime = Field(description="Когда работа получена")
    work: LearningReviewedWork = Field(description="Выдержка из работы")


class LearningTestAttemptGradedPayload(EventPayload):
    """Попытка прохождения теста оценена (test_attempt.graded)."""

    id: uuid.UUID = Field(description="Попытка")
    test_id: uuid.UUID = Field(description="Тест")
    test_title: str = Field(description="Название теста")
    course_id: uuid.UUID = Field(description="Курс")
    lesson_id: uuid.UUID | None = Field(description="Урок")
    student_id: uuid.UUID = Field(description="Ученик")
    attempt_no: int = Field(description="Номер попытки")
    score: int | None = Field(description="Набрано баллов")
    max_score: int = Field(description="Максимум баллов")
    percent: float | None = Field(description="Процент выполнения")
    mark: str | None = Field(description="Отметка по пятибалльной шкале")
    graded_at: dt.datetime = Field(description="Когда оценена")
    control_type: str = Field(description="Вид контроля, например current_control")
    attestation_event_id: uuid.UUID | None = Field(
        description="Мероприятие промежуточной аттестации"
    )


EVENT_PAYLOADS: dict[str, type[BaseModel]] = {
    "course.created": LearningCoursePayload,
    "course.updated": LearningCoursePayload,
    "course_plan.updated": LearningCoursePlanPayload,
    "lesson.scheduled": LearningLessonPayload,
    "lesson.changed": LearningLessonPayload,
    "lesson.cancelled": LearningLessonPayload,
    "online_course.completed": LearningOnlineCourseCompletedPayload,
    "individual_plan.created": LearningIndividualPlanPayload,
    "individual_plan.updated": LearningIndividualPlanPayload,
    "material.created": LearningMaterialPayload,
    "material.updated": LearningMaterialPayload,
    "assignment.published": LearningAssignmentPublishedPayload,
    "submission.received": LearningSubmissionReceivedPayload,
    "review.completed": LearningReviewCompletedPayload,
    "test_attempt.graded": LearningTestAttemptGradedPayload,
}
