"""A class's term as the reports and the archive see it: periods, two courses of 7Б with
plan, lessons, a lesson record, marks, an absence and term marks."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from tests.journal.learning_events import a_course, feed, lesson_scheduled, plan_updated
from tests.support.service_world import World

API = "/api/v1/journal"

QUARTERS = [
    ("2026-09-01", "2026-10-25"),
    ("2026-11-05", "2026-12-28"),
    ("2027-01-09", "2027-03-21"),
    ("2027-03-30", "2027-05-31"),
]


@dataclass
class Term:
    periods: list[str]
    maths: uuid.UUID
    russian: uuid.UUID
    lessons: list[str]

    @property
    def q2(self) -> str:
        return self.periods[1]


async def configure_quarters(client: httpx.AsyncClient, world: World) -> list[str]:
    r = await client.put(
        f"{API}/periods",
        json={
            "academic_year_id": str(world.year_id),
            "kind": "quarter",
            "periods": [{"starts_on": s, "ends_on": e} for s, e in QUARTERS],
        },
        headers=world.headers("admin"),
    )
    assert r.status_code == 200, r.text
    return [str(p["id"]) for p in r.json()["items"]]


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


async def a_term(app: FastAPI, client: httpx.AsyncClient, world: World) -> Term:
    """Mathematics in 7Б, 2nd quarter: lessons on 16, 17, 18 November.

    * 16.11: recorded as held at a distance, topic «Сложение дробей»; Соколов gets 5,
      Попова is absent (illness);
    * 17.11: not recorded (planned topic «Вычитание дробей»); Попова gets 4;
    * 20.11: a mark without a lesson for Соколов: 3;
    * term marks of the 2nd quarter: Соколов 5 (maths), Попова 4 (Russian).
    """
    periods = await configure_quarters(client, world)
    maths = await a_course(app, world, subject="Математика")
    russian = await a_course(app, world, subject="Русский язык", teachers=("teacher2",))
    plan, topics = plan_updated(world, maths, ["Сложение дробей", "Вычитание дробей"])
    lessons = [
        lesson_scheduled(world, maths, date(2026, 11, 16), topic=(topics[0], "Сложение дробей")),
        lesson_scheduled(world, maths, date(2026, 11, 17), topic=(topics[1], "Вычитание дробей")),
        lesson_scheduled(world, maths, date(2026, 11, 18), type_="lesson.cancelled"),
    ]
    lessons[1]["payload"]["homework"] = "Учебник, № 214–216"
    await feed(app, plan, *lessons)
    ids = [str(x["payload"]["id"]) for x in lessons]
    teacher, student, student2 = (
        world.headers("teacher"),
        str(world.id("student")),
        str(world.id("student2")),
    )
    await ok(
        await client.put(
            f"{API}/lessons/{ids[0]}/record",
            json={"topic_id": str(topics[0]), "delivery_form": "distance", "homework": "№ 201"},
            headers=teacher,
        ),
        201,
    )
    await ok(
        await client.post(
            f"{API}/lessons/{ids[0]}/marks",
            json={"marks": [{"student_id": student, "value": "5"}]},
            headers=teacher,
        ),
        201,
    )
    await ok(
        await client.put(
            f"{API}/lessons/{ids[0]}/attendance",
            json={"entries": [{"student_id": student2, "reason": "illness"}]},
            headers=teacher,
        )
    )
    await ok(
        await client.post(
            f"{API}/lessons/{ids[1]}/marks",
            json={"marks": [{"student_id": student2, "value": "4"}]},
            headers=teacher,
        ),
        201,
    )
    await ok(
        await client.post(
            f"{API}/marks",
            json={
                "course_id": str(maths),
                "student_id": student,
                "value": "3",
                "date": "2026-11-20",
            },
            headers=teacher,
        ),
        201,
    )
    q2 = {"period_id": periods[1]}
    await ok(
        await client.put(
            f"{API}/courses/{maths}/term-marks/{student}",
            params=q2,
            json={"value": "5"},
            headers=teacher,
        )
    )
    await ok(
        await client.post(
            f"{API}/marks",
            json={
                "course_id": str(russian),
                "student_id": student2,
                "value": "4",
                "date": "2026-11-19",
            },
            headers=world.headers("teacher2"),
        ),
        201,
    )
    await ok(
        await client.put(
            f"{API}/courses/{russian}/term-marks/{student2}",
            params=q2,
            json={"value": "4"},
            headers=world.headers("teacher2"),
        )
    )
    return Term(periods=periods, maths=maths, russian=russian, lessons=ids)


def workbook_rows(content: bytes, sheet: str) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet]
    assert isinstance(ws, Worksheet)
    return [list(row) for row in ws.iter_rows(values_only=True)]


def sheet_names(content: bytes) -> list[str]:
    return list(load_workbook(io.BytesIO(content)).sheetnames)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def row_of(rows: list[list[Any]], name: str) -> list[Any]:
    return next(r for r in rows if name in r)
