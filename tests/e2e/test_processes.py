"""The real processes, as ``make run`` starts them (GW-1, GW-2, ID-5).

A student of the demo school logs in through the gateway and reads their own profile;
then Ctrl-C stops every process.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.conftest import PROCESS_NAMES, RunningPlatform, StopResult

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("platform")]


class TestThroughTheGateway:
    def test_every_process_answers_healthz(self, running_platform: RunningPlatform) -> None:
        assert set(running_platform.pids) == set(PROCESS_NAMES)
        with httpx.Client(timeout=10.0) as client:
            response = client.get(f"{running_platform.gateway}/healthz")
            assert response.status_code == 200, response.text

    def test_student_logs_in_and_reads_me(self, running_platform: RunningPlatform) -> None:
        with httpx.Client(base_url=running_platform.gateway, timeout=15.0) as client:
            response = client.post(
                "/api/v1/identity/token",
                data={
                    "grant_type": "password",
                    "username": "demo-student",
                    "password": running_platform.password,
                },
            )
            assert response.status_code == 200, response.text
            tokens = response.json()
            assert tokens["token_type"].lower() == "bearer"
            assert tokens["refresh_token"]

            me = client.get(
                "/api/v1/identity/me",
                headers={"Authorization": f"Bearer {tokens['access_token']}"},
            )
        assert me.status_code == 200, me.text
        assert me.headers["x-request-id"]
        body = me.json()
        assert body["username"] == "demo-student"
        assert body["roles"] == ["student"]
        assert (body["last_name"], body["first_name"]) == ("Иванов", "Михаил")
        assert body["birth_date"].startswith("2013-")
        assert body["must_change_password"] is False
        assert body["school"]["name"] == "МБОУ Демонстрационная СОШ"
        assert body["school"]["timezone"] == "Europe/Samara"

    def test_wrong_password_is_refused(self, running_platform: RunningPlatform) -> None:
        with httpx.Client(base_url=running_platform.gateway, timeout=15.0) as client:
            response = client.post(
                "/api/v1/identity/token",
                data={"grant_type": "password", "username": "demo-teacher", "password": "x" * 12},
            )
            anonymous = client.get("/api/v1/identity/me")
        assert response.status_code == 400, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert anonymous.status_code == 401, anonymous.text


class TestStopping:
    def test_ctrl_c_stops_every_process(
        self, running_platform: RunningPlatform, stopped_platform: StopResult
    ) -> None:
        assert stopped_platform.returncode == 0, running_platform.log_tail()
        assert not stopped_platform.killed, running_platform.log_tail()
        assert set(stopped_platform.pids) == set(PROCESS_NAMES)
        assert stopped_platform.alive_after == []
        assert not running_platform.ready_file.exists()
        address = urlsplit(running_platform.gateway)
        with socket.socket() as sock:
            sock.settimeout(2.0)
            assert sock.connect_ex((str(address.hostname), int(address.port or 80))) != 0
        assert "all processes stopped" in running_platform.log_tail()
