"""The running platform for the end-to-end tests, started once as ``make run`` starts it.

``scripts/run.py`` runs as a subprocess with a temporary ``--var-dir`` (fresh SQLite
databases, migrated, with the demo school), five free ports and a ``--ready-file``; it is
stopped with SIGINT, as Ctrl-C stops it. Every wait is bounded, and whatever happens the
supervisor and the processes it started are gone after the session.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
RUN_SCRIPT = REPO / "scripts" / "run.py"
DEMO_PASSWORD = "E2e-Demo-Shkola-2026"
START_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
PROCESS_NAMES = ("gateway", "identity", "learning", "journal", "compliance")
# Variables of a developer's shell that would point the platform elsewhere.
SCRUBBED_ENV = ("EO_POSTGRES_URL", "EO_REDIS_URL", "EO_PORT_BASE", "EO_VAR_DIR", "EO_HOST")


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_base(count: int = len(PROCESS_NAMES)) -> int:
    """A base port with ``count`` consecutive free ports (each xdist worker picks its own)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20_000, 60_000 - count)
        if all(_port_free(base + i) for i in range(count)):
            return base
    raise RuntimeError("no block of free ports found")


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return fields[0] != "Z"
    return True


@dataclass
class StopResult:
    returncode: int | None
    pids: dict[str, int]
    alive_after: list[str]
    killed: bool


@dataclass
class RunningPlatform:
    process: subprocess.Popen[bytes]
    workdir: Path
    ready_file: Path
    log_path: Path
    gateway: str = ""
    pids: dict[str, int] = field(default_factory=dict)
    password: str = DEMO_PASSWORD
    stopped: StopResult | None = None

    @property
    def docs_url(self) -> str:
        return f"{self.gateway}/docs"

    def log_tail(self, lines: int = 80) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no output)"
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, timeout: float = START_TIMEOUT, *, fail: bool = True) -> None:
        """Wait for the ready file; ``fail=False`` only waits (until up or exited)."""
        deadline = time.monotonic() + timeout
        while not self.ready_file.exists():
            if self.process.poll() is not None:
                if not fail:
                    return
                pytest.fail(
                    f"scripts/run.py exited ({self.process.returncode}) before the platform "
                    f"was up:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"the platform was not up within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.2)
        data = json.loads(self.ready_file.read_text(encoding="utf-8"))
        self.gateway = data["gateway"]
        self.pids = {name: int(info["pid"]) for name, info in data["processes"].items()}

    def token(self, username: str = "demo-student") -> str:
        response = httpx.post(
            f"{self.gateway}/api/v1/identity/token",
            data={"grant_type": "password", "username": username, "password": self.password},
            timeout=15.0,
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def stop(self, timeout: float = STOP_TIMEOUT) -> StopResult:
        """Ctrl-C the supervisor; kill whatever is left after ``timeout``. Idempotent."""
        if self.stopped is not None:
            return self.stopped
        killed = False
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                killed = True
                self.process.kill()
                self.process.wait(10)
        # Give the kernel a moment to reap what the supervisor has just waited for.
        deadline = time.monotonic() + 5
        alive = [name for name, pid in self.pids.items() if pid_alive(pid)]
        while alive and time.monotonic() < deadline:
            time.sleep(0.1)
            alive = [name for name, pid in self.pids.items() if pid_alive(pid)]
        for name in alive:
            killed = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pids[name], signal.SIGKILL)
        self.stopped = StopResult(self.process.returncode, dict(self.pids), alive, killed)
        return self.stopped


def _start(workdir: Path) -> RunningPlatform:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env["DEMO_PASSWORD"] = DEMO_PASSWORD
    env["PYTHONUNBUFFERED"] = "1"
    ready_file = workdir / "ready.json"
    log_path = workdir / "run.log"
    command = [
        sys.executable,
        str(RUN_SCRIPT),
        "--var-dir",
        str(workdir / "var"),
        "--port-base",
        str(free_port_base()),
        "--ready-file",
        str(ready_file),
        "--startup-timeout",
        str(START_TIMEOUT - 30),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return RunningPlatform(process, workdir, ready_file, log_path)


def _port_clash(running: RunningPlatform) -> bool:
    """Whether the start failed only because another process took one of the ports."""
    if running.process.poll() is None:
        return False
    tail = running.log_tail().lower()
    return "ports in use" in tail or "address already in use" in tail


@pytest.fixture(scope="session")
def running_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """The gateway and the four services, running with the demo school."""
    running = _start(tmp_path_factory.mktemp("platform"))
    try:
        for _ in range(2):  # free ports can be taken between the check and the bind: retry
            running.wait_ready(fail=False)
            if not _port_clash(running):
                break
            running.stop()
            running = _start(tmp_path_factory.mktemp("platform"))
        running.wait_ready()
        yield running
    finally:
        result = running.stop()
        if result.alive_after:
            pytest.fail(
                "processes outlived the platform and were killed: " + ", ".join(result.alive_after)
            )


@pytest.fixture
def stopped_platform(running_platform: RunningPlatform) -> StopResult:
    """Stops the shared platform: tests using it are moved to the end of the session."""
    return running_platform.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests that stop the shared platform after every test that uses it."""
    stopping = [item for item in items if "stopped_platform" in getattr(item, "fixturenames", ())]
    if stopping:
        moved = {id(item) for item in stopping}
        items[:] = [item for item in items if id(item) not in moved] + stopping
