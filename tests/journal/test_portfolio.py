"""The student's digital portfolio (JO-7): proposals and their confirmation, items from
learning's events (once, even when replayed), JSON and PDF export, bad input."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pypdf import PdfReader

from tests.journal.learning_events import (
    a_course,
    feed,
    online_course_completed,
    review_completed,
)
from tests.support.service_world import World

API = "/api/v1/journal"

OLYMPIAD: dict[str, Any] = {
    "kind": "achievement",
    "title": "Всероссийская олимпиада школьников по математике",
    "event_kind": "olympiad",
    "level": "regional",
    "result": "prize_winner",
    "date": "2026-11-12",
    "organizer": "Министерство образования Самарской области",
    "evidence_url": "https://olimp.example.ru/results/2026",
}
DOCUMENT: dict[str, Any] = {
    "kind": "education_document",
    "title": "Свидетельство об обучении в музыкальной школе",
    "number": "63 № 0012345",
    "issued_on": "2026-06-01",
    "issuer": "ДМШ № 3 г. Самары",
}


def items_url(world: World, student: str = "student") -> str:
    return f"{API}/students/{world.id(student)}/portfolio/items"


async def add(
    client: httpx.AsyncClient,
    world: World,
    who: str,
    body: dict[str, Any] | None = None,
    student: str = "student",
) -> dict[str, Any]:
    r = await client.post(
        items_url(world, student), json=body or OLYMPIAD, headers=world.headers(who)
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def portfolio(
    client: httpx.AsyncClient, world: World, who: str = "admin", student: str = "student"
) -> dict[str, Any]:
    r = await client.get(
        f"{API}/students/{world.id(student)}/portfolio", headers=world.headers(who)
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


async def events(client: httpx.AsyncClient, world: World, prefix: str) -> list[dict[str, Any]]:
    r = await client.get(f"{API}/events", params={"limit": 1000}, headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    return [e for e in r.json()["items"] if e["type"].startswith(prefix)]


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class TestProposals:
    async def test_student_proposes_homeroom_teacher_confirms(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        item = await add(client, world, "student")
        assert item["status"] == "proposed"
        assert item["kind"] == "achievement"
        assert item["occurred_on"] == "2026-11-12"
        assert item["details"]["level"] == "regional"
        assert item["details"]["result"] == "prize_winner"
        assert item["created_by"] == str(world.id("student"))
        assert item["decided_by"] is None

        own = await client.post(
            f"{API}/portfolio-items/{item['id']}/confirm", headers=world.headers("student")
        )
        assert own.status_code == 403
        r = await client.post(
            f"{API}/portfolio-items/{item['id']}/confirm", headers=world.headers("teacher")
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "confirmed"
        assert r.json()["decided_by"] == str(world.id("teacher"))
        again = await client.post(
            f"{API}/portfolio-items/{item['id']}/confirm", headers=world.headers("staff")
        )
        assert again.status_code == 409
        assert again.json()["type"] == "urn:eo:problem:portfolio-item-already-decided"

        kinds = [e["type"] for e in await events(client, world, "portfolio_item.")]
        assert kinds == ["portfolio_item.created", "portfolio_item.confirmed"]

    async def test_guardian_proposes_for_own_child_only_and_staff_rejects(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        item = await add(client, world, "guardian", DOCUMENT)
        assert item["status"] == "proposed"
        assert item["details"] == {
            "number": "63 № 0012345",
            "issued_on": "2026-06-01",
            "issuer": "ДМШ № 3 г. Самары",
        }
        other = await client.post(
            items_url(world, "student2"), json=DOCUMENT, headers=world.headers("guardian")
        )
        assert other.status_code == 404
        r = await client.post(
            f"{API}/portfolio-items/{item['id']}/reject",
            json={"reason": "Номер документа не совпадает с копией"},
            headers=world.headers("staff"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "rejected"
        assert r.json()["reject_reason"] == "Номер документа не совпадает с копией"
        seen = await portfolio(client, world, "guardian")
        assert [(i["status"], i["reject_reason"]) for i in seen["items"]] == [
            ("rejected", "Номер документа не совпадает с копией")
        ]
        rejected = await events(client, world, "portfolio_item.rejected")
        assert rejected[0]["payload"]["reject_reason"] == "Номер документа не совпадает с копией"
        assert rejected[0]["payload"]["student_id"] == str(world.id("student"))

    async def test_staff_and_homeroom_teacher_entries_are_confirmed_at_once(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        by_staff = await add(client, world, "staff", {**OLYMPIAD, "result": "winner"})
        by_homeroom = await add(
            client, world, "teacher", {"kind": "competency", "title": "Работа в команде"}
        )
        for item in (by_staff, by_homeroom):
            assert item["status"] == "confirmed"
            assert item["decided_at"] is not None
        created = await events(client, world, "portfolio_item.created")
        assert [e["payload"]["status"] for e in created] == ["confirmed", "confirmed"]
        not_homeroom = await client.post(
            items_url(world), json=OLYMPIAD, headers=world.headers("teacher2")
        )
        assert not_homeroom.status_code == 403

    async def test_review_queue_by_class(self, client: httpx.AsyncClient, world: World) -> None:
        mine = await add(client, world, "student")
        theirs = await add(client, world, "student3", student="student3")
        await add(client, world, "admin", student="student2")  # confirmed: not in the queue
        params = {"status": "proposed"}
        staff = await client.get(
            f"{API}/portfolio-items", params=params, headers=world.headers("staff")
        )
        assert staff.status_code == 200, staff.text
        assert {i["id"] for i in staff.json()["items"]} == {mine["id"], theirs["id"]}
        homeroom = await client.get(
            f"{API}/portfolio-items", params=params, headers=world.headers("teacher")
        )
        assert [i["id"] for i in homeroom.json()["items"]] == [mine["id"]]
        first = await client.get(
            f"{API}/portfolio-items", params={"limit": 1}, headers=world.headers("staff")
        )
        assert len(first.json()["items"]) == 1
        assert first.json()["next_cursor"]
        assert 'rel="next"' in first.headers["link"]


class TestFromLearning:
    async def test_online_course_certificate_once_even_when_replayed(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        cert = uuid.uuid4()
        done = online_course_completed(world, certificate_id=cert)
        await feed(journal_app, done)
        await feed(journal_app, done)
        # the same certificate under another event id (a re-issued event) is still one item
        await feed(journal_app, online_course_completed(world, certificate_id=cert))
        items = (await portfolio(client, world, "student"))["items"]
        assert len(items) == 1
        item = items[0]
        assert item["kind"] == "course_certificate"
        assert item["status"] == "confirmed"
        assert item["source"] == "learning"
        assert item["title"] == "Основы программирования на Python"
        assert item["occurred_on"] == "2026-11-20"
        assert item["details"]["number"] == "ОК-2026-1"
        assert item["details"]["hours"] == 36
        assert len(await events(client, world, "portfolio_item.created")) == 1

    async def test_accepted_review_becomes_a_work_once_and_the_mark_still_arrives(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await a_course(journal_app, world)
        review = review_completed(world, course, mark="5")
        review["payload"]["work"] = {
            "text_excerpt": "Решение задачи № 5: x = 12",
            "file_names": ["решение.pdf", "чертёж.png"],
        }
        await feed(journal_app, review)
        await feed(journal_app, review)
        items = (await portfolio(client, world, "guardian"))["items"]
        assert len(items) == 1
        work = items[0]
        assert work["kind"] == "work"
        assert work["status"] == "confirmed"
        assert work["title"] == "Домашняя работа"
        assert work["occurred_on"] == "2026-11-24"
        d = work["details"]
        assert d["subject"] == "Математика"
        assert d["mark"] == "5"
        assert d["comment"] == "Хорошая работа"
        assert d["text_excerpt"] == "Решение задачи № 5: x = 12"
        assert d["file_names"] == ["решение.pdf", "чертёж.png"]
        assert d["reviewer_name"] == "Иванова Анна"
        assert d["submitted_at"] == "2026-11-24T08:00:00+00:00"
        assert d["reviewed_at"] == "2026-11-24T10:00:00+00:00"
        # the journal's own handler of the same event is intact: one mark
        marks = await client.get(
            f"{API}/marks", params={"course_id": str(course)}, headers=world.headers("teacher")
        )
        assert [m["value"] for m in marks.json()["items"]] == ["5"]

    async def test_the_work_is_a_snapshot_kept_when_the_submission_changes(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await a_course(journal_app, world)
        first = review_completed(world, course, mark="4")
        submission = first["payload"]["submission_id"]
        await feed(journal_app, first)
        second = review_completed(world, course, mark="5")
        second["payload"]["submission_id"] = submission
        second["payload"]["submission_version"] = 2
        second["payload"]["work"] = {"text_excerpt": "Исправленное решение", "file_names": []}
        await feed(journal_app, second)
        items = (await portfolio(client, world))["items"]
        by_version = {i["details"]["submission_version"]: i["details"] for i in items}
        assert by_version[1]["mark"] == "4"
        assert by_version[1]["text_excerpt"] == "Решение"
        assert by_version[2]["mark"] == "5"
        assert by_version[2]["text_excerpt"] == "Исправленное решение"

    async def test_returned_or_unmarked_reviews_make_no_work(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await a_course(journal_app, world)
        returned = review_completed(world, course, mark=None)
        returned["payload"]["status"] = "returned"
        unmarked = review_completed(world, course, mark=None)
        await feed(journal_app, returned, unmarked)
        assert (await portfolio(client, world))["items"] == []
        cert_less = online_course_completed(world)
        cert_less["payload"]["certificate"] = None
        await feed(journal_app, cert_less)
        assert (await portfolio(client, world))["items"] == []


class TestExport:
    async def test_json_export_has_every_status_and_the_student(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        await add(client, world, "student")
        await add(client, world, "admin", DOCUMENT)
        body = await portfolio(client, world, "student")
        assert body["student"] == {
            "id": str(world.id("student")),
            "full_name": "Соколов Артём",
            "class_names": ["7Б"],
        }
        assert sorted(i["status"] for i in body["items"]) == ["confirmed", "proposed"]
        r = await client.get(
            f"{API}/students/{world.id('student')}/portfolio",
            params={"status": "confirmed"},
            headers=world.headers("student"),
        )
        assert [i["kind"] for i in r.json()["items"]] == ["education_document"]

    async def test_pdf_has_confirmed_items_in_cyrillic(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        await add(client, world, "staff")
        await add(client, world, "student", {**DOCUMENT, "title": "Непроверенная грамота"})
        course = await a_course(journal_app, world)
        await feed(journal_app, review_completed(world, course, mark="5"))
        await feed(journal_app, online_course_completed(world))
        r = await client.get(
            f"{API}/students/{world.id('student')}/portfolio.pdf", headers=world.headers("guardian")
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''" in r.headers["content-disposition"]
        text = pdf_text(r.content)
        for expected in (
            "Цифровое портфолио обучающегося",
            "Соколов Артём",
            "класс 7Б",
            "Всероссийская олимпиада школьников по математике",
            "региональный",
            "призёр",
            "Домашняя работа",
            "отметка: 5",
            "Рецензия: Хорошая работа",
            "Основы программирования на Python",
            "ОК-2026-1",
        ):
            assert expected in text, expected
        assert "Непроверенная грамота" not in text


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"evidence_url": "http://olimp.example.ru"}, "evidence_url"),
            ({"level": "galactic"}, "level"),
            ({"result": "champion"}, "result"),
            ({"date": "12.11.2026"}, "date"),
            ({"title": ""}, "title"),
            ({"title": "Олимпиада\x00"}, "title"),
            ({"unknown": 1}, "unknown"),
        ],
    )
    async def test_bad_item_is_refused_and_nothing_stored(
        self, client: httpx.AsyncClient, world: World, change: dict[str, Any], field: str
    ) -> None:
        r = await client.post(
            items_url(world), json={**OLYMPIAD, **change}, headers=world.headers("student")
        )
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert any(field in e["field"] for e in r.json()["errors"]), r.json()
        assert (await portfolio(client, world))["items"] == []

    async def test_works_only_come_from_learning_and_kinds_are_known(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        for kind in ("work", "diploma"):
            r = await client.post(
                items_url(world), json={**OLYMPIAD, "kind": kind}, headers=world.headers("admin")
            )
            assert r.status_code == 422, r.text
        missing = {k: v for k, v in DOCUMENT.items() if k != "number"}
        r = await client.post(items_url(world), json=missing, headers=world.headers("admin"))
        assert r.status_code == 422
        assert (await portfolio(client, world))["items"] == []

    async def test_unknown_student_item_and_reason(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        nobody = await client.post(
            f"{API}/students/{uuid.uuid4()}/portfolio/items",
            json=OLYMPIAD,
            headers=world.headers("admin"),
        )
        assert nobody.status_code == 404
        assert nobody.json()["type"] == "urn:eo:problem:student-not-found"
        not_a_student = await client.get(
            f"{API}/students/{world.id('teacher')}/portfolio", headers=world.headers("admin")
        )
        assert not_a_student.status_code == 404
        missing = await client.get(
            f"{API}/portfolio-items/{uuid.uuid4()}", headers=world.headers("admin")
        )
        assert missing.status_code == 404
        assert missing.json()["type"] == "urn:eo:problem:portfolio-item-not-found"
        item = await add(client, world, "student")
        for body in ({}, {"reason": ""}, {"reason": "x" * 1001}):
            r = await client.post(
                f"{API}/portfolio-items/{item['id']}/reject",
                json=body,
                headers=world.headers("admin"),
            )
            assert r.status_code == 422, r.text
        still = await client.get(
            f"{API}/portfolio-items/{item['id']}", headers=world.headers("admin")
        )
        assert still.json()["status"] == "proposed"
        bad_status = await client.get(
            f"{API}/students/{world.id('student')}/portfolio",
            params={"status": "lost"},
            headers=world.headers("admin"),
        )
        assert bad_status.status_code == 422
