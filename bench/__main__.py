"""``python -m bench``: run every benchmark, print a summary, save the figures.

    python -m bench                    # all of it (about 3 minutes)
    python -m bench --write-docs       # also rewrite docs/performance.md
    python -m bench --check            # exit 1 when a goal is missed
    python -m bench --only p2          # one part (repeatable); see --help

Needs ``wrk`` (Debian package ``wrk``) for P1 and the login figure; without it the
in-process figures are still measured and the run exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import httpx

from bench import journal_grid, micro, norms, report, wrk
from bench.identity_db import PASSWORD, USERNAME, prepare
from bench.servers import REPO, Server, free_port, uvicorn_server

RESULTS_DIR = REPO / "bench" / "results"
LOGIN_LUA = """\
wrk.method = "POST"
wrk.body = "grant_type=password&username={username}&password={password}"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""


def _cores(limit: int) -> tuple[str | None, int]:
    """The CPU list to pin everything to, and how many cores that is."""
    count = os.cpu_count() or 1
    if count > limit:
        return ",".join(str(i) for i in range(limit)), limit
    return None, count


def _identity_env(database_url: str) -> dict[str, str]:
    return {
        "IDENTITY_DATABASE_URL": database_url,
        "IDENTITY_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "IDENTITY_LOG_LEVEL": "INFO",
        "IDENTITY_ACCESS_TOKEN_SECONDS": "3600",
        # the bench logs in thousands of times from one address
        "IDENTITY_LOGIN_CLIENT_ATTEMPTS": "100000000",
    }


def _gateway_env(identity_url: str) -> dict[str, str]:
    dead = f"http://127.0.0.1:{free_port()}"
    return {
        "GATEWAY_IDENTITY_URL": identity_url,
        "GATEWAY_LEARNING_URL": dead,
        "GATEWAY_JOURNAL_URL": dead,
        "GATEWAY_COMPLIANCE_URL": dead,
        "GATEWAY_LOG_LEVEL": "INFO",
        # counted on every request like in production, but never reached by wrk
        "GATEWAY_RATE_LIMIT_REQUESTS": "1000000000",
    }


def _token(base: str) -> str:
    response = httpx.post(
        base + "/api/v1/identity/token",
        data={"grant_type": "password", "username": USERNAME, "password": PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _check(result: wrk.WrkResult) -> wrk.WrkResult:
    if result.non_2xx or result.socket_errors:
        raise RuntimeError(
            f"{result.url}: {result.non_2xx} non-2xx responses, "
            f"{result.socket_errors} socket errors: the figure would be meaningless"
        )
    return result


def _mean(results: list[wrk.WrkResult]) -> float:
    return sum(r.requests_per_second for r in results) / len(results)


def run_p1(args: argparse.Namespace, folder: Path, cpus: str | None) -> dict[str, object]:
    """Direct, gateway and gateway with every request logged, interleaved in rounds.

    Besides throughput, the CPU time each process spent per request is read from /proc:
    it shows the gateway's own cost, which other load on the machine hardly skews.
    """
    database_url = prepare(folder / "p1")
    identity_port, gateway_port, logging_port = free_port(), free_port(), free_port()
    with (
        uvicorn_server(
            "services.identity.app:create_app",
            identity_port,
            _identity_env(database_url),
            folder / "identity.log",
            cpus=cpus,
        ) as identity,
        uvicorn_server(
            "gateway.app:create_app",
            gateway_port,
            _gateway_env(identity.url),
            folder / "gateway.log",
            cpus=cpus,
        ) as gateway,
        uvicorn_server(
            "gateway.app:create_app",
            logging_port,
            {**_gateway_env(identity.url), "GATEWAY_ACCESS_LOG": "all"},
            folder / "gateway-all.log",
            cpus=cpus,
        ) as gateway_all,
    ):
        headers = {"Authorization": f"Bearer {_token(identity.url)}"}
        path = "/api/v1/identity/me"
        targets = {"direct": identity, "gateway": gateway, "gateway_log_all": gateway_all}
        for server in targets.values():  # pools, JWKS, caches
            httpx.get(server.url + path, headers=headers, timeout=10).raise_for_status()

        def measure(server: Server, seconds: int) -> wrk.WrkResult:
            return wrk.run(
                server.url + path,
                connections=args.connections,
                seconds=seconds,
                threads=args.threads,
                headers=headers,
                cpus=cpus,
            )

        for server in targets.values():
            measure(server, 3)
        series: dict[str, list[wrk.WrkResult]] = {name: [] for name in targets}
        cpu_us: dict[str, list[float]] = {"identity": [], "gateway": [], "gateway_log_all": []}
        for round_no in range(args.rounds):
            for name, server in targets.items():
                identity_cpu, proxy_cpu = identity.cpu_seconds(), server.cpu_seconds()
                result = _check(measure(server, args.seconds))
                series[name].append(result)
                if name == "direct":
                    spent = identity.cpu_seconds() - identity_cpu
                    cpu_us["identity"].append(spent / result.requests * 1e6)
                else:
                    spent = server.cpu_seconds() - proxy_cpu
                    cpu_us[name].append(spent / result.requests * 1e6)
                print(
                    f"  P1 round {round_no + 1} {name:16s} {result.requests_per_second:8.1f} "
                    f"req/s  p50 {result.latency_p50_ms:6.1f} ms  p99 "
                    f"{result.latency_p99_ms:6.1f} ms  CPU {spent / result.requests * 1e6:6.0f} "
                    "µs/request",
                    flush=True,
                )
    direct_rps = _mean(series["direct"])
    return {
        **{name: [asdict(r) for r in results] for name, results in series.items()},
        "direct_rps": direct_rps,
        "gateway_rps": _mean(series["gateway"]),
        "gateway_log_all_rps": _mean(series["gateway_log_all"]),
        "ratio": _mean(series["gateway"]) / direct_rps,
        "ratio_log_all": _mean(series["gateway_log_all"]) / direct_rps,
        "cpu_us_per_request": {k: sum(v) / len(v) for k, v in cpu_us.items()},
    }


def run_login(
    args: argparse.Namespace, folder: Path, cpus: str | None, cores: int
) -> dict[str, object]:
    database_url = prepare(folder / "login")
    script = folder / "login.lua"
    script.write_text(LOGIN_LUA.format(username=USERNAME, password=PASSWORD))
    port = free_port()
    results: dict[str, object] = {}
    with uvicorn_server(
        "services.identity.app:create_app",
        port,
        _identity_env(database_url),
        folder / "identity-login.log",
        cpus=cpus,
    ) as identity:
        _token(identity.url)
        for concurrency in sorted({1, cores}):
            login = _check(
                wrk.run(
                    identity.url + "/api/v1/identity/token",
                    connections=concurrency,
                    seconds=args.login_seconds,
                    threads=1,
                    script=script,
                    cpus=cpus,
                )
            )
            bare = micro.argon2_verifies_per_second(concurrency, args.login_seconds)
            ratio = login.requests_per_second / bare
            results[str(concurrency)] = {
                "login_rps": login.requests_per_second,
                "argon2_verify_rps": bare,
                "ratio": ratio,
                "login_p50_ms": login.latency_p50_ms,
            }
            print(
                f"  login x{concurrency}: {login.requests_per_second:7.1f}/s, "
                f"bare Argon2id verify x{concurrency}: {bare:7.1f}/s, ratio {ratio:.2f}",
                flush=True,
            )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each P1 wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (P1)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--login-seconds", type=int, default=10)
    parser.add_argument(
        "--only",
        choices=["tokens", "login", "p1", "p2", "p4"],
        action="append",
        help=(
            "run only these parts (repeatable); goals of the others count as not measured, "
            "and --write-docs rewrites only these parts' sections of docs/performance.md"
        ),
    )
    parser.add_argument(
        "--p2-seconds", type=float, default=3.0, help="length of each P2 run (per side, round)"
    )
    parser.add_argument("--write-docs", action="store_true", help="rewrite docs/performance.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)

    cpus, cores = _cores(2)
    machine = report.machine(cores, cpus)
    print(f"bench: {machine['cpu_model']}, {cores} cores used, Python {machine['python']}")
    results: dict[str, object] = {
        "machine": machine,
        "date": time.strftime("%Y-%m-%d"),
        "load_before": os.getloadavg()[0],
    }

    parts = set(args.only or ["tokens", "login", "p1", "p2", "p4"])
    if "tokens" in parts:
        print("Token verification (in process)...", flush=True)
        results["tokens"] = asdict(micro.token_figures())

    missing_wrk: str | None = None
    try:
        if parts & {"login", "p1"}:  # the only parts driven by wrk
            wrk.wrk_path()
    except wrk.WrkMissing as exc:
        missing_wrk = str(exc)
        print(f"bench: {missing_wrk}", file=sys.stderr)

    if missing_wrk is None:
        with tempfile.TemporaryDirectory(prefix="eo-bench-") as tmp:
            folder = Path(tmp)
            if "login" in parts:
                print("Login against a bare Argon2id verify...", flush=True)
                results["login"] = run_login(args, folder, cpus, cores)
            if "p1" in parts:
                print(
                    f"P1: GET /api/v1/identity/me, wrk {args.connections} connections, "
                    f"{args.seconds} s per run...",
                    flush=True,
                )
                results["p1"] = run_p1(args, folder, cpus)

    if "p2" in parts:
        print(
            f"P2: the class × subject × term grid ({journal_grid.STUDENTS} students × "
            f"{journal_grid.LESSONS} lessons) against the same query in raw SQL...",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="eo-bench-p2-") as tmp:
            results["p2"] = journal_grid.run_p2(Path(tmp), args.p2_seconds, args.rounds)

    if "p4" in parts:
        print(
            "P4: a school's week (33 classes × 30 lessons) against the screen-device norms...",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="eo-bench-p4-") as tmp:
            results["p4"] = norms.run_p4(Path(tmp), cpus)

    results["load_after"] = os.getloadavg()[0]
    goals = report.goals(results)
    results["goals"] = goals
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / "latest.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print()
    print(report.summary(results))
    print(f"\nfigures saved to {out.relative_to(REPO)}")
    if args.write_docs:
        path = REPO / "docs" / "performance.md"
        text = report.performance_md(results, args)
        if args.only and path.exists():
            # a partial run replaces only its own sections and goal rows
            text = report.merge_performance_md(path.read_text(), text, parts)
        path.write_text(text)
        print(f"wrote {path.relative_to(REPO)}")
    if missing_wrk is not None:
        return 2
    if args.check and any(g["passed"] is False for g in goals):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
