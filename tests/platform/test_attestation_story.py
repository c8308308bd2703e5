"""An attestation with identification through the gateway (CO-6, ID-8, LE-8, §4.5, §4.8).

One story on the whole platform:

* demo-teacher creates a course of 7Б and a quiz in learning; the course reaches
  compliance over learning's feed, and demo-admin creates the attestation event for it
  (local act, identification by one-time code, procedures);
* the teacher puts the quiz in attestation mode for that event and publishes it;
  demo-student's attempt is refused (not identified);
* the teacher issues a one-time code; a wrong code is refused; with the right one the
  student is identified, compliance tells learning, and the attempt starts; the code
  can't be used again;
* a second event identifies by password re-entry: demo-student2 re-enters the password
  at identity, hands the signed proof to compliance (verified from identity's JWKS),
  and starts that event's quiz; the same proof is refused a second time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.support.platform import Platform

LEARNING = "/api/v1/learning"
ATTESTATION = "/api/v1/compliance/attestation"


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    return dict(response.json())


def problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"urn:eo:problem:{code}", response.text


async def test_an_attempt_starts_only_after_identification(platform: Platform) -> None:
    gw = platform.gateway
    teacher = await platform.headers("demo-teacher")
    admin = await platform.headers("demo-admin")
    student = await platform.headers("demo-student")
    student2 = await platform.headers("demo-student2")
    teacher_id = (await platform.me("demo-teacher"))["id"]
    student_id = (await platform.me("demo-student"))["id"]
    groups = ok(await gw.get("/api/v1/identity/class-groups", headers=admin))
    group_id = next(g["id"] for g in groups["items"] if g["name"] == "7Б")
    today = datetime.now(ZoneInfo("Europe/Samara")).date()

    # -- learning: a course, a question and a draft quiz ------------------------------------
    async def create_course() -> dict[str, Any] | None:
        r = await gw.post(
            f"{LEARNING}/courses",
            json={"subject": "Алгебра", "class_group_id": group_id, "teacher_ids": [teacher_id]},
            headers=teacher,
        )
        if r.status_code == 422 and r.json()["type"] == "urn:eo:problem:class-group-not-found":
            return None  # learning's replica of the directory is not there yet
        return ok(r, 201)

    course = await platform.wait_for(create_course, what="learning knowing the class 7Б")
    question = ok(
        await gw.post(
            f"{LEARNING}/question-bank",
            json={
                "course_id": course["id"],
                "kind": "single_choice",
                "text": "2 + 2 = ?",
                "points": 1,
                "options": [{"text": "4", "correct": True}, {"text": "5"}],
            },
            headers=teacher,
        ),
        201,
    )

    async def quiz_for_event(event_id: str, title: str) -> dict[str, Any]:
        quiz = ok(
            await gw.post(
                f"{LEARNING}/quizzes",
                json={
                    "course_id": course["id"],
                    "title": title,
                    "question_ids": [question["id"]],
                    "control_type": "interim_attestation",
                },
                headers=teacher,
            ),
            201,
        )
        ok(
            await gw.patch(
                f"{LEARNING}/quizzes/{quiz['id']}",
                json={"attestation_mode": True, "attestation_event_id": event_id},
                headers=teacher,
            )
        )
        return ok(await gw.post(f"{LEARNING}/quizzes/{quiz['id']}/publish", headers=teacher))

    # -- compliance: the attestation event of the course (once the course has arrived) ------
    def event_body(method: str) -> dict[str, Any]:
        return {
            "title": "Промежуточная аттестация по алгебре",
            "kind": "interim_attestation",
            "course_id": course["id"],
            "held_on": today.isoformat(),
            "starts_at": "10:00",
            "duration_minutes": 40,
            "local_act_number": "№ 87-о",
            "local_act_date": (today - timedelta(days=14)).isoformat(),
            "identification_method": method,
            "condition_control": "Камера включена; проктор — учитель; запись в Сферуме",
            "technical_problems_procedure": "Сообщить учителю; при обрыве связи — пересдача",
            "results_location": "Электронный дневник, на следующий рабочий день",
        }

    async def created_event() -> dict[str, Any] | None:
        r = await gw.post(f"{ATTESTATION}/events", json=event_body("one_time_code"), headers=admin)
        if r.status_code == 404:
            return None  # the course has not reached compliance yet
        return ok(r, 201)

    event = await platform.wait_for(created_event, what="the course in compliance's replica")
    assert event["class_group_id"] == group_id
    quiz = await quiz_for_event(event["id"], "Контрольная работа")
    attempts = f"{LEARNING}/quizzes/{quiz['id']}/attempts"

    # -- refused before identification --------------------------------------------------------
    problem(await gw.post(attempts, headers=student), 403, "identification-required")

    # -- the examiner's one-time code ---------------------------------------------------------
    issued = ok(
        await gw.post(
            f"{ATTESTATION}/events/{event['id']}/codes",
            json={"student_id": student_id},
            headers=teacher,
        ),
        201,
    )
    identify = f"{ATTESTATION}/events/{event['id']}/identifications"
    wrong = f"{(int(issued['code']) + 1) % 1_000_000:06d}"
    problem(
        await gw.post(identify, json={"method": "one_time_code", "code": wrong}, headers=student),
        422,
        "code-invalid",
    )
    problem(await gw.post(attempts, headers=student), 403, "identification-required")
    ident = ok(
        await gw.post(
            identify, json={"method": "one_time_code", "code": issued["code"]}, headers=student
        ),
        201,
    )
    assert (ident["student_id"], ident["identified_by"]) == (student_id, teacher_id)

    attempt = ok(await gw.post(attempts, headers=student), 201)
    assert attempt["status"] == "in_progress"
    problem(
        await gw.post(
            identify, json={"method": "one_time_code", "code": issued["code"]}, headers=student
        ),
        422,
        "code-already-used",
    )
    listed = await gw.get(identify, headers=teacher)
    assert listed.status_code == 200, listed.text
    assert [(i["student_id"], i["method"]) for i in listed.json()] == [
        (student_id, "one_time_code")
    ]

    # -- a second event: identification by password re-entry ---------------------------------
    event2 = ok(
        await gw.post(f"{ATTESTATION}/events", json=event_body("password_reauth"), headers=admin),
        201,
    )
    quiz2 = await quiz_for_event(event2["id"], "Контрольная работа (пароль)")
    attempts2 = f"{LEARNING}/quizzes/{quiz2['id']}/attempts"
    problem(await gw.post(attempts2, headers=student2), 403, "identification-required")
    problem(
        await gw.post(
            "/api/v1/identity/reauth", json={"password": "not-the-password"}, headers=student2
        ),
        400,
        "reauth-failed",
    )
    proof = ok(
        await gw.post(
            "/api/v1/identity/reauth", json={"password": platform.password}, headers=student2
        )
    )["proof"]
    identify2 = f"{ATTESTATION}/events/{event2['id']}/identifications"
    ok(
        await gw.post(
            identify2, json={"method": "password_reauth", "proof": proof}, headers=student2
        ),
        201,
    )
    ok(await gw.post(attempts2, headers=student2), 201)
    problem(
        await gw.post(
            identify2, json={"method": "password_reauth", "proof": proof}, headers=student2
        ),
        422,
        "reauth-proof-used",
    )
