"""Closing a school year (JO-8, 125-ФЗ): the lock, the archive with SHA-256 checksums
verified on download, reopening by order, retention periods as data."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.journal.reports_support import (
    API,
    Term,
    a_term,
    ok,
    pdf_text,
    row_of,
    workbook_rows,
)
from tests.support.service_world import World

ORDER = {"order_number": "№ 112-од", "order_date": "2027-06-15", "reason": "Исправление ошибки"}


@pytest.fixture
def archive_root(tmp_path: Path) -> Path:
    return tmp_path / "archive"


@pytest.fixture
def journal_overrides(archive_root: Path) -> dict[str, object]:
    return {"archive_path": archive_root}


@pytest.fixture
async def term(journal_app: FastAPI, client: httpx.AsyncClient, world: World) -> Term:
    return await a_term(journal_app, client, world)


async def close(client: httpx.AsyncClient, world: World, **body: str) -> dict[str, Any]:
    return await ok(
        await client.post(
            f"{API}/academic-years/{world.year_id}/close", json=body, headers=world.headers("admin")
        )
    )


async def listing(client: httpx.AsyncClient, world: World, **params: str) -> dict[str, Any]:
    return await ok(
        await client.get(
            f"{API}/archives/{world.year_id}", params=params, headers=world.headers("staff")
        )
    )


async def download(client: httpx.AsyncClient, world: World, file_id: str) -> httpx.Response:
    return await client.get(
        f"{API}/archives/{world.year_id}/files/{file_id}", headers=world.headers("admin")
    )


async def write_mark(client: httpx.AsyncClient, world: World, term: Term) -> httpx.Response:
    return await client.post(
        f"{API}/marks",
        json={
            "course_id": str(term.maths),
            "student_id": str(world.id("student")),
            "value": "4",
            "date": "2026-11-23",
        },
        headers=world.headers("teacher"),
    )


def on_disk(root: Path) -> dict[str, Path]:
    """The archive's files by their SHA-256."""
    return {hashlib.sha256(p.read_bytes()).hexdigest(): p for p in root.rglob("*.*")}


class TestClosing:
    async def test_closing_locks_the_year_and_every_period(
        self, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        body = await close(client, world, reason="Окончание учебного года")
        assert body["is_closed"] is True
        assert body["generation"] == 1
        assert body["name"] == "2026/2027"
        assert [c["action"] for c in body["changes"]] == ["closed"]
        periods = await ok(
            await client.get(
                f"{API}/periods",
                params={"academic_year_id": str(world.year_id)},
                headers=world.headers("admin"),
            )
        )
        assert all(p["is_closed"] for p in periods["items"])

        mark = await write_mark(client, world, term)
        assert mark.status_code == 423
        assert mark.json()["type"] == "urn:eo:problem:year-closed"
        assert "2026/2027 закрыт" in mark.json()["detail"]
        absence = await client.put(
            f"{API}/lessons/{term.lessons[1]}/attendance",
            json={"entries": [{"student_id": str(world.id("student")), "reason": "illness"}]},
            headers=world.headers("teacher"),
        )
        assert absence.status_code == 423
        term_mark = await client.put(
            f"{API}/courses/{term.maths}/term-marks/{world.id('student2')}",
            params={"period_id": term.q2},
            json={"value": "4"},
            headers=world.headers("teacher"),
        )
        assert term_mark.status_code == 423

        again = await client.post(
            f"{API}/academic-years/{world.year_id}/close", json={}, headers=world.headers("admin")
        )
        assert again.status_code == 409
        assert again.json()["type"] == "urn:eo:problem:year-already-closed"

        events = await ok(
            await client.get(
                f"{API}/events",
                params={"types": "academic_year.closed"},
                headers=world.headers("admin"),
            )
        )
        [closed] = events["items"]
        assert closed["payload"]["generation"] == 1
        assert closed["payload"]["files"] == 2 * 2 + 2 * 2 + 1
        assert closed["payload"]["reason"] == "Окончание учебного года"

    async def test_reopening_needs_an_order_and_leaves_periods_closed(
        self, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        await close(client, world)
        url = f"{API}/academic-years/{world.year_id}/reopen"
        for bad in ({}, {**ORDER, "order_number": ""}, {**ORDER, "order_date": "вчера"}):
            r = await client.post(url, json=bad, headers=world.headers("admin"))
            assert r.status_code == 422, r.text
        body = await ok(await client.post(url, json=ORDER, headers=world.headers("admin")))
        assert body["is_closed"] is False
        reopened = body["changes"][-1]
        assert reopened["action"] == "reopened"
        assert reopened["order_number"] == "№ 112-од"
        assert reopened["order_date"] == "2027-06-15"
        twice = await client.post(url, json=ORDER, headers=world.headers("admin"))
        assert twice.status_code == 409
        assert twice.json()["type"] == "urn:eo:problem:year-not-closed"

        still = await write_mark(client, world, term)
        assert still.status_code == 423
        assert still.json()["type"] == "urn:eo:problem:period-closed"
        await ok(
            await client.post(
                f"{API}/periods/{term.q2}/reopen", json=ORDER, headers=world.headers("admin")
            )
        )
        assert (await write_mark(client, world, term)).status_code == 201

        # closing again writes a second archive and keeps the first
        second = await close(client, world)
        assert second["generation"] == 2
        latest = await listing(client, world)
        first = await listing(client, world, generation="1")
        assert latest["generation"] == 2
        assert first["generation"] == 1
        assert {f["id"] for f in latest["files"]}.isdisjoint(f["id"] for f in first["files"])
        assert (await download(client, world, first["files"][0]["id"])).status_code == 200
        maths = next(
            f
            for f in latest["files"]
            if f["course_id"] == str(term.maths) and f["format"] == "xlsx"
        )
        rows = workbook_rows((await download(client, world, maths["id"])).content, "Журнал")
        assert row_of(rows, "Соколов Артём")[4] == "3 (20.11); 4 (23.11)"

    async def test_unknown_and_foreign_years(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        admin = world.headers("admin")
        for year in (uuid.uuid4(), other_world.year_id):
            r = await client.post(f"{API}/academic-years/{year}/close", json={}, headers=admin)
            assert r.status_code == 404
            assert r.json()["type"] == "urn:eo:problem:year-not-found"
        never = await client.get(f"{API}/archives/{world.year_id}", headers=admin)
        assert never.status_code == 404
        assert never.json()["type"] == "urn:eo:problem:archive-not-found"
        state = await ok(
            await client.get(f"{API}/academic-years/{world.year_id}/closure", headers=admin)
        )
        assert state["is_closed"] is False
        assert state["generation"] == 0
        bad = await client.post(
            f"{API}/academic-years/{world.year_id}/close",
            json={"reason": "x" * 1001},
            headers=admin,
        )
        assert bad.status_code == 422
        assert (
            await client.get(f"{API}/academic-years/{world.year_id}/closure", headers=admin)
        ).json()["is_closed"] is False


class TestArchive:
    async def test_files_with_checksums_and_a_manifest(
        self, client: httpx.AsyncClient, world: World, term: Term, archive_root: Path
    ) -> None:
        await close(client, world)
        body = await listing(client, world)
        files = body["files"]
        kinds = sorted((f["record_type"], f["format"]) for f in files)
        assert kinds == sorted(
            [("class_journal", "xlsx"), ("class_journal", "pdf")] * 2
            + [("summary_sheet", "xlsx"), ("summary_sheet", "pdf")] * 2
            + [("manifest", "json")]
        )
        until = {f["record_type"]: f["retain_until"] for f in files}
        assert until == {
            "class_journal": "2032-12-31",
            "summary_sheet": "2052-12-31",
            "manifest": "2052-12-31",
        }
        for f in files:
            r = await download(client, world, f["id"])
            assert r.status_code == 200, r.text
            assert hashlib.sha256(r.content).hexdigest() == f["sha256"]
            assert r.headers["x-content-sha256"] == f["sha256"]
            assert len(r.content) == f["size"]

        manifest_file = next(f for f in files if f["record_type"] == "manifest")
        manifest = json.loads((await download(client, world, manifest_file["id"])).content)
        assert manifest["academic_year"]["name"] == "2026/2027"
        listed = {m["sha256"] for m in manifest["files"]}
        assert listed == {f["sha256"] for f in files if f["record_type"] != "manifest"}

        maths_pdf = next(
            f for f in files if f["course_id"] == str(term.maths) and f["format"] == "pdf"
        )
        assert maths_pdf["title"] == "Журнал: 7Б — Математика, 2026/2027 учебный год"
        text = pdf_text((await download(client, world, maths_pdf["id"])).content)
        assert "Соколов Артём" in text
        assert "Сложение дробей" in text
        summary = next(
            f
            for f in files
            if f["record_type"] == "summary_sheet"
            and f["class_group_id"] == str(world.class_id("7Б"))
            and f["format"] == "xlsx"
        )
        rows = workbook_rows(
            (await download(client, world, summary["id"])).content, "Сводная ведомость"
        )
        maths, russian = [None, None, None, None, 4, None], [None, "4", None, None, 4, None]
        assert row_of(rows, "Попова Дарья")[2:14] == [*maths, *russian]
        assert len(on_disk(archive_root)) == len(files)

    async def test_a_changed_or_missing_file_is_not_served(
        self, client: httpx.AsyncClient, world: World, term: Term, archive_root: Path
    ) -> None:
        await close(client, world)
        files = (await listing(client, world))["files"]
        stored = on_disk(archive_root)
        changed, missing = files[0], files[1]
        stored[changed["sha256"]].write_bytes(b"%PDF-1.4 tampered")
        stored[missing["sha256"]].unlink()
        for f in (changed, missing):
            r = await download(client, world, f["id"])
            assert r.status_code == 409
            assert r.json()["type"] == "urn:eo:problem:archive-corrupted"
            assert "SHA-256" in r.json()["detail"]
        assert (await download(client, world, files[2]["id"])).status_code == 200
        unknown = await download(client, world, str(uuid.uuid4()))
        assert unknown.status_code == 404


class TestRetention:
    async def test_defaults_with_their_source(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = await ok(await client.get(f"{API}/retention-rules", headers=world.headers("staff")))
        rules = {r["record_type"]: r for r in body["items"]}
        assert set(rules) == {"class_journal", "summary_sheet", "portfolio"}
        assert rules["class_journal"]["years"] == 5
        assert rules["summary_sheet"]["years"] == 25
        for t in ("class_journal", "summary_sheet"):
            assert rules[t]["source"] == "Приказ Росархива № 236 от 20.12.2019"
        assert all(r["is_default"] for r in rules.values())

    async def test_admin_changes_a_period_and_archived_files_follow(
        self, client: httpx.AsyncClient, world: World, other_world: World, term: Term
    ) -> None:
        await close(client, world)
        url = f"{API}/retention-rules"
        body = await ok(
            await client.put(
                url,
                json={"rules": [{"record_type": "class_journal", "years": 10}]},
                headers=world.headers("admin"),
            )
        )
        rules = {r["record_type"]: r for r in body["items"]}
        assert rules["class_journal"]["years"] == 10
        assert rules["class_journal"]["is_default"] is False
        # fields left out keep the default's values
        assert rules["class_journal"]["source"] == "Приказ Росархива № 236 от 20.12.2019"
        assert rules["summary_sheet"]["is_default"] is True
        until = {
            f["record_type"]: f["retain_until"] for f in (await listing(client, world))["files"]
        }
        assert until["class_journal"] == "2037-12-31"
        assert until["manifest"] == "2052-12-31"

        await ok(
            await client.put(
                url,
                json={
                    "rules": [
                        {
                            "record_type": "summary_sheet",
                            "years": 50,
                            "source": "Локальный акт школы № 7",
                            "note": None,
                        }
                    ]
                },
                headers=world.headers("admin"),
            )
        )
        until = {
            f["record_type"]: f["retain_until"] for f in (await listing(client, world))["files"]
        }
        assert until["summary_sheet"] == "2077-12-31"
        assert until["manifest"] == "2077-12-31"
        theirs = await ok(await client.get(url, headers=other_world.headers("admin")))
        assert all(r["is_default"] for r in theirs["items"])

    @pytest.mark.parametrize(
        "rules",
        [
            [{"record_type": "class_journal", "years": 0}],
            [{"record_type": "class_journal", "years": 101}],
            [{"record_type": "class_journal", "years": "пять"}],
            [{"record_type": "diary", "years": 5}],
            [{"record_type": "class_journal"}],
            [{"record_type": "class_journal", "years": 5, "extra": True}],
            [],
        ],
    )
    async def test_bad_rules_are_refused_and_nothing_stored(
        self, client: httpx.AsyncClient, world: World, rules: list[dict[str, Any]]
    ) -> None:
        r = await client.put(
            f"{API}/retention-rules", json={"rules": rules}, headers=world.headers("admin")
        )
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        after = await ok(await client.get(f"{API}/retention-rules", headers=world.headers("admin")))
        assert all(x["is_default"] for x in after["items"])

    async def test_a_type_named_twice(self, client: httpx.AsyncClient, world: World) -> None:
        r = await client.put(
            f"{API}/retention-rules",
            json={
                "rules": [
                    {"record_type": "portfolio", "years": 3},
                    {"record_type": "portfolio", "years": 4},
                ]
            },
            headers=world.headers("admin"),
        )
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:duplicate-record-type"
        assert "несколько раз" in r.json()["detail"]
