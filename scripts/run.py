"""Run the whole platform on this machine: ``make run``.

1. picks the databases: SQLite files under ``var/`` (``--var-dir``), or PostgreSQL when
   ``EO_POSTGRES_URL`` (``--postgres-url``) names a server: the databases ``eo_identity``,
   ``eo_learning``, ``eo_journal`` and ``eo_compliance`` are created there if missing;
2. migrates each service's database (``alembic -n <service> upgrade head``);
3. loads the demo school (idempotent; ``--no-demo`` skips it);
4. starts identity, learning, journal, compliance and the gateway as separate
   ``uvicorn --factory <module>:create_app`` processes on ``--port-base`` + 0 … 4
   (8000 … 8004 by default), waits until each answers ``/healthz`` and prints the URLs
   and the demo logins;
5. on Ctrl-C (SIGINT), SIGTERM or SIGHUP, or when one of them dies, stops them all:
   SIGTERM, a bounded wait, then SIGKILL. The children also get SIGTERM from the kernel
   if this supervisor itself is killed, so none is left behind.

Every process gets the same issuer (the gateway's URL) and identity's JWKS URL; the
gateway gets its upstreams through ``GATEWAY_IDENTITY_URL`` and the like. Services run
in the development environment with the development secret, which their settings refuse
anywhere else.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parents[1]
SERVICES = ("identity", "learning", "journal", "compliance")
DEFAULT_DEMO_PASSWORD = "Demo-Shkola-2026"  # the same default as services.identity.demo
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Process:
    name: str
    module: str
    port: int
    host: str

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def prefix(self) -> str:
        return self.name.upper() + "_"


def log(message: str) -> None:
    print(f"run: {message}", flush=True)


class StartupError(Exception):
    """The platform could not be started; the message says why."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="scripts/run.py", description="Run the gateway and the four services locally."
    )
    parser.add_argument("--host", default=env.get("EO_HOST", "127.0.0.1"), help="bind address")
    parser.add_argument(
        "--port-base",
        type=int,
        default=int(env.get("EO_PORT_BASE", "8000")),
        help="gateway port; identity, learning, journal, compliance take the next four "
        "(default $EO_PORT_BASE or 8000)",
    )
    parser.add_argument(
        "--var-dir",
        type=Path,
        default=Path(env.get("EO_VAR_DIR", str(REPO / "var"))),
        help="folder of the SQLite databases (default $EO_VAR_DIR or var/)",
    )
    parser.add_argument(
        "--postgres-url",
        default=env.get("EO_POSTGRES_URL", ""),
        help="PostgreSQL server to use instead of SQLite (default $EO_POSTGRES_URL), "
        "e.g. postgresql://postgres@127.0.0.1:5432/postgres",
    )
    parser.add_argument(
        "--redis-url",
        default=env.get("EO_REDIS_URL", ""),
        help="Redis for rate limits and login throttling (default $EO_REDIS_URL; memory if empty)",
    )
    parser.add_argument(
        "--demo-password",
        default=env.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD,
        help=f"password of the demo accounts (default $DEMO_PASSWORD or {DEFAULT_DEMO_PASSWORD})",
    )
    parser.add_argument("--no-demo", action="store_true", help="don't load the demo school")
    parser.add_argument(
        "--reset-demo-passwords",
        action="store_true",
        help="give existing demo accounts the demo password again",
    )
    parser.add_argument(
        "--ready-file",
        type=Path,
        help="write the URLs and process ids here (JSON) once everything answers",
    )
    parser.add_argument(
        "--startup-timeout", type=float, default=60.0, help="seconds to wait for /healthz"
    )
    parser.add_argument(
        "--log-level", default=env.get("EO_UVICORN_LOG_LEVEL", "warning"), help="uvicorn log level"
    )
    return parser.parse_args(argv)


def processes(host: str, port_base: int) -> list[Process]:
    """The gateway first (port base), then the services in their port order."""
    procs = [Process("gateway", "gateway.app", port_base, host)]
    for offset, name in enumerate(SERVICES, start=1):
        procs.append(Process(name, f"services.{name}.app", port_base + offset, host))
    return procs


# --- databases ---------------------------------------------------------------


def _pg_url(server_url: str, database: str, driver: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(server_url).set(drivername=driver, database=database)
    return url.render_as_string(hide_password=False)


async def _create_pg_databases(server_url: str, names: Sequence[str]) -> list[str]:
    import asyncpg

    conn = await asyncpg.connect(_pg_url(server_url, _admin_database(server_url), "postgresql"))
    created = []
    try:
        for name in names:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                # CREATE DATABASE takes no parameters; the names are our own constants.
                await conn.execute(f'CREATE DATABASE "{name}"')
                created.append(name)
    finally:
        await conn.close()
    return created


def shown(url: str) -> str:
    """A database URL fit for the console: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _admin_database(server_url: str) -> str:
    """The database named in the server URL (``postgres`` if none)."""
    from sqlalchemy.engine import make_url

    return make_url(server_url).database or "postgres"


def database_urls(args: argparse.Namespace) -> dict[str, str]:
    if args.postgres_url:
        names = {svc: f"eo_{svc}" for svc in SERVICES}
        try:
            created = asyncio.run(_create_pg_databases(args.postgres_url, list(names.values())))
        except Exception as exc:  # any failure: say which server and why
            raise StartupError(
                f"PostgreSQL {shown(args.postgres_url)} is not usable: {exc}"
            ) from exc
        if created:
            log("created PostgreSQL databases " + ", ".join(created))
        return {
            svc: _pg_url(args.postgres_url, name, "postgresql+asyncpg")
            for svc, name in names.items()
        }
    var_dir = args.var_dir.resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    return {svc: f"sqlite+aiosqlite:///{var_dir / (svc + '.db')}" for svc in SERVICES}


# --- environment -------------------------------------------------------------


def child_env(
    args: argparse.Namespace, procs: Sequence[Process], urls: dict[str, str]
) -> dict[str, str]:
    by_name = {p.name: p for p in procs}
    gateway = by_name["gateway"]
    jwks = f"{by_name['identity'].url}/api/v1/identity/.well-known/jwks.json"
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env["DEMO_PASSWORD"] = args.demo_password
    for proc in procs:
        env.setdefault(proc.prefix + "ENVIRONMENT", "development")
        env[proc.prefix + "ISSUER"] = gateway.url
        env[proc.prefix + "JWKS_URL"] = jwks
        if args.redis_url:
            env[proc.prefix + "REDIS_URL"] = args.redis_url
        if proc.name in urls:
            env[proc.prefix + "DATABASE_URL"] = urls[proc.name]
        elif proc.name != "gateway":  # pragma: no cover - every service has a database
            raise StartupError(f"no database for {proc.name}")
    for svc in SERVICES:
        env[f"GATEWAY_{svc.upper()}_URL"] = by_name[svc].url
        # every service finds the others (change feeds, service calls) on this run's ports
        for proc in procs:
            if proc.name != "gateway":
                env[f"{proc.prefix}{svc.upper()}_URL"] = by_name[svc].url
    # files and mail of this run live beside its databases
    var_dir = args.var_dir.resolve()
    env.setdefault("LEARNING_FILES_PATH", str(var_dir / "learning-files"))
    env.setdefault("LEARNING_MAILDIR_PATH", str(var_dir / "learning-mail"))
    env.setdefault("COMPLIANCE_MAILDIR_PATH", str(var_dir / "compliance-mail"))
    return env


# --- one-shot steps ----------------------------------------------------------


def run_step(what: str, command: list[str], env: dict[str, str], timeout: float = 300) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            command,
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise StartupError(f"{what} took longer than {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise StartupError(f"{what} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def migrate(env: dict[str, str]) -> None:
    for svc in SERVICES:
        run_step(
            f"migrating {svc}", [sys.executable, "-m", "alembic", "-n", svc, "upgrade", "head"], env
        )
    log("databases migrated: " + ", ".join(SERVICES))


def load_demo(env: dict[str, str], reset_passwords: bool) -> None:
    command = [sys.executable, "-m", "services.identity.demo"]
    if reset_passwords:
        command.append("--reset-passwords")
    # The password travels in DEMO_PASSWORD, not on the command line (visible in ps).
    for line in run_step("loading the demo school", command, env).splitlines():
        if line.strip():
            log(line.removeprefix("demo: "))


def load_demo_content(gateway_url: str, password: str) -> None:
    """Courses, plans, lessons and an assignment for the demo teacher, through the API.

    A failure is reported and the platform keeps running: the school itself is there.
    """
    sys.path.insert(0, str(REPO / "scripts"))
    import demo_content

    try:
        for line in demo_content.load(gateway_url, password):
            log(f"demo content: {line}")
    except (demo_content.DemoContentError, OSError, ValueError) as exc:
        log(f"demo content not written: {exc}")


# --- processes ---------------------------------------------------------------


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to send SIGTERM to the child when this supervisor dies, however it dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def healthy(url: str) -> bool:
    import httpx

    try:
        response = httpx.get(f"{url}/healthz", timeout=2.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


class Supervisor:
    def __init__(self, procs: Sequence[Process], env: dict[str, str], log_level: str) -> None:
        self.procs = list(procs)
        self.env = env
        self.log_level = log_level
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = threading.Event()

    def request_stop(self, signum: int, _frame: FrameType | None) -> None:
        if not self.stopping.is_set():
            print(flush=True)
            log(f"{signal.Signals(signum).name}: stopping")
        self.stopping.set()

    def start(self) -> None:
        # Services first, so the gateway finds its upstreams when it comes up.
        for proc in [*self.procs[1:], self.procs[0]]:
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                f"{proc.module}:create_app",
                "--host",
                proc.host,
                "--port",
                str(proc.port),
                "--log-level",
                self.log_level,
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "5",
            ]
            self.children[proc.name] = subprocess.Popen(  # noqa: S603 - our own interpreter
                command,
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                # Own process group: the terminal's Ctrl-C reaches only this supervisor,
                # which then stops the children in order.
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    def exited(self) -> list[str]:
        return [
            f"{name} (exit {child.returncode})"
            for name, child in self.children.items()
            if child.poll() is not None
        ]

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = [p for p in self.procs if p.name in self.children]
        while pending:
            if self.stopping.is_set():
                raise StartupError("stopped before the platform was up")
            dead = self.exited()
            if dead:
                raise StartupError("exited while starting: " + ", ".join(dead))
            pending = [p for p in pending if not healthy(p.url)]
            if not pending:
                return
            if time.monotonic() > deadline:
                names = ", ".join(p.name for p in pending)
                raise StartupError(f"no answer from /healthz within {timeout:.0f} s: {names}")
            self.stopping.wait(0.25)

    def supervise(self) -> int:
        """Block until a signal (0) or until a child exits on its own (1)."""
        while not self.stopping.wait(0.5):
            dead = self.exited()
            if dead:
                log("exited unexpectedly: " + ", ".join(dead) + "; stopping the others")
                return 1
        return 0

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        # The gateway first, so no request reaches a service that is going away.
        order = [name for name in ("gateway", *SERVICES) if name in self.children]
        for name in order:
            child = self.children[name]
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for name in order:
            child = self.children[name]
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop within {timeout:.0f} s: killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait(5)
            # A killed process group may leave grandchildren; uvicorn has none.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGKILL)


def write_ready_file(path: Path, procs: Sequence[Process], sup: Supervisor) -> None:
    gateway = procs[0]
    data = {
        "gateway": gateway.url,
        "docs": f"{gateway.url}/docs",
        "openapi": f"{gateway.url}/api/openapi.json",
        "supervisor_pid": os.getpid(),
        "processes": {
            p.name: {"url": p.url, "port": p.port, "pid": sup.children[p.name].pid} for p in procs
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    tmp.replace(path)


def print_banner(args: argparse.Namespace, procs: Sequence[Process], database: str) -> None:
    gateway = procs[0]
    lines = [
        "",
        "The platform is up.",
        f"  gateway    {gateway.url}",
        f"  API docs   {gateway.url}/docs",
        f"  OpenAPI    {gateway.url}/api/openapi.json",
    ]
    lines += [f"  {p.name:<10} {p.url}" for p in procs[1:]]
    lines.append(f"  databases  {database}")
    if not args.no_demo:
        sys.path.insert(0, str(REPO))
        from services.identity.demo import SCHOOL_NAME, logins

        lines += [
            "",
            f"Demo school «{SCHOOL_NAME}», password for every login: {args.demo_password}",
        ]
        lines += [f"  {username:<15} {who}" for username, who in logins()]
        lines.append(
            f"  e.g. curl -d grant_type=password -d username=demo-student "
            f"-d password='{args.demo_password}' {gateway.url}/api/v1/identity/token"
        )
    lines += ["", "Press Ctrl-C to stop.", ""]
    print("\n".join(lines), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    procs = processes(args.host, args.port_base)
    sup: Supervisor | None = None
    try:
        busy = [f"{p.name} {p.port}" for p in procs if not port_free(p.host, p.port)]
        if busy:
            raise StartupError(
                "ports in use: " + ", ".join(busy) + " (is the platform already running? "
                "choose other ports with --port-base or EO_PORT_BASE)"
            )
        urls = database_urls(args)
        env = child_env(args, procs, urls)
        migrate(env)
        if not args.no_demo:
            load_demo(env, args.reset_demo_passwords)
        sup = Supervisor(procs, env, args.log_level)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, sup.request_stop)
        sup.start()
        sup.wait_healthy(args.startup_timeout)
        if not args.no_demo:
            load_demo_content(procs[0].url, args.demo_password)
        if args.ready_file:
            write_ready_file(args.ready_file, procs, sup)
        where = (
            "PostgreSQL " + shown(args.postgres_url)
            if args.postgres_url
            else str(args.var_dir.resolve())
        )
        print_banner(args, procs, where)
        return sup.supervise()
    except StartupError as exc:
        log(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        if sup is not None:
            sup.stop()
            log("all processes stopped")
        if args.ready_file:
            with contextlib.suppress(FileNotFoundError):
                args.ready_file.unlink()


if __name__ == "__main__":
    sys.exit(main())
