"""Teaching content for the demo school, written through the gateway's public API.

``make run`` calls ``load(gateway_url, password)`` once the platform answers: the demo
teacher gets courses of 7Б with their thematic plans (КТП), a weekly timetable for the
coming weeks (one lesson distance, with a video room and a laptop segment checked by
compliance) and a published assignment, so that every screen has something to show.
Everything goes through the same endpoints a frontend uses, with the demo teacher's own
token, so the services' rules apply. It is idempotent: when the teacher already has a
course, nothing is written. Run it on its own against a running platform with
``python scripts/demo_content.py [gateway-url]`` (``DEMO_PASSWORD`` as for the loader).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, timedelta
from typing import Any

import httpx

DEFAULT_PASSWORD = "Demo-Shkola-2026"
L = "/api/v1/learning"

COURSES: list[dict[str, Any]] = [
    {
        "subject": "Математика",
        "delivery": "blended",
        "hours_per_week": 5,
        "plan": [
            ("Обыкновенные дроби", "Понятие дроби", 1),
            ("Обыкновенные дроби", "Сравнение дробей", 2),
            ("Обыкновенные дроби", "Сложение и вычитание дробей", 2),
            ("Десятичные дроби", "Запись десятичных дробей", 2),
            ("Десятичные дроби", "Действия с десятичными дробями", 3),
        ],
        # weekday (1 = Monday), start, lesson number, delivery form, devices, room link
        "week": [
            (1, "09:00", 2, "in_person", [], None),
            (3, "10:00", 3, "distance", [{"device": "laptop", "minutes": 15}], True),
        ],
    },
    {
        "subject": "Русский язык",
        "delivery": "in_person",
        "hours_per_week": 4,
        "plan": [
            ("Морфология", "Причастие как часть речи", 2),
            ("Морфология", "Причастный оборот", 2),
            ("Морфология", "Деепричастие", 2),
        ],
        "week": [
            (2, "08:00", 1, "in_person", [], None),
            (4, "09:00", 2, "in_person", [], None),
        ],
    },
]


class DemoContentError(Exception):
    """The content could not be written; the message says where."""


def _ok(response: httpx.Response, *expected: int) -> Any:
    if response.status_code not in (expected or (200,)):
        raise DemoContentError(
            f"{response.request.method} {response.request.url.path}: "
            f"{response.status_code} {response.text[:500]}"
        )
    return response.json() if response.content else None


def _items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict) and "items" in body:
        return list(body["items"])
    return list(body)


def _login(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    body = _ok(
        client.post(
            "/api/v1/identity/token",
            data={"grant_type": "password", "username": username, "password": password},
        )
    )
    return {"Authorization": f"Bearer {body['access_token']}"}


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def load(gateway_url: str, password: str, *, wait_seconds: float = 60.0) -> list[str]:
    """Write the content if the demo teacher has no course yet; returns what was done."""
    done: list[str] = []
    with httpx.Client(base_url=gateway_url, timeout=30.0) as client:
        teacher = _login(client, "demo-teacher", password)
        me = _ok(client.get("/api/v1/identity/me", headers=teacher))
        if _items(_ok(client.get(f"{L}/courses", headers=teacher))):
            return ["the demo teacher already has courses: nothing written"]
        groups = _items(_ok(client.get("/api/v1/identity/class-groups", headers=teacher)))
        class_7b = next(g for g in groups if g["name"] == "7Б")
        # learning learns about 7Б from identity's change feed: wait for it to arrive
        deadline = time.monotonic() + wait_seconds
        for spec in COURSES:
            body = {
                "subject": spec["subject"],
                "class_group_id": class_7b["id"],
                "teacher_ids": [me["id"]],
                "delivery": spec["delivery"],
                "hours_per_week": spec["hours_per_week"],
            }
            while True:
                response = client.post(f"{L}/courses", json=body, headers=teacher)
                if response.status_code == 201 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            course = _ok(response, 201)
            for section, title, hours in spec["plan"]:
                _ok(
                    client.post(
                        f"{L}/courses/{course['id']}/topics",
                        json={"section": section, "title": title, "planned_hours": hours},
                        headers=teacher,
                    ),
                    201,
                )
            for weekday, starts, number, form, devices, room in spec["week"]:
                template: dict[str, Any] = {
                    "weekday": weekday,
                    "starts_at": starts,
                    "lesson_number": number,
                    "delivery_form": form,
                    "devices": [{**d, "kind": "interactive"} for d in devices],
                }
                if form == "distance":
                    template["duration_minutes"] = 30  # Reg §5.11: grades 5-11
                if room:
                    template["video_room_url"] = "https://sferum.ru/?call_link=demo-7b-math"
                _ok(
                    client.post(
                        f"{L}/courses/{course['id']}/timetable/templates",
                        json=template,
                        headers=teacher,
                    ),
                    201,
                )
            first = _monday(date.today())
            generated = _ok(
                client.post(
                    f"{L}/courses/{course['id']}/timetable/generate",
                    json={
                        "from": first.isoformat(),
                        "to": (first + timedelta(days=27)).isoformat(),
                    },
                    headers=teacher,
                )
            )
            done.append(
                f"course «{spec['subject']}» of 7Б: {len(spec['plan'])} topics, "
                f"{generated.get('created', 0)} lessons"
            )
            if spec["subject"] == "Математика":
                due = first + timedelta(days=11)
                _ok(
                    client.post(
                        f"{L}/assignments",
                        json={
                            "course_id": course["id"],
                            "title": "Сравнение дробей",
                            "instructions": "Решите № 101–105 и пришлите фото решения.",
                            "due_at": f"{due.isoformat()}T18:00:00",
                        },
                        headers=teacher,
                    ),
                    201,
                )
                done.append("assignment «Сравнение дробей» published to 7Б")
    return done


def main(argv: list[str]) -> int:
    url = argv[1] if len(argv) > 1 else "http://127.0.0.1:8000"
    try:
        for line in load(url, os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)):
            print(f"demo content: {line}")
    except (DemoContentError, httpx.HTTPError) as exc:
        print(f"demo content: not written: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
