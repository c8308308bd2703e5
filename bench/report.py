"""The summary printed by ``python -m bench`` and the text of docs/performance.md."""

from __future__ import annotations

import argparse
import os
import platform
from typing import Any

P1_GOAL = 0.75
LOGIN_GOAL = 0.9
P4_GOAL_MS = 100.0
P2_GOAL = 0.7


def machine(cores: int, cpus: str | None) -> dict[str, Any]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cores_used": cores,
        "pinned_to": cpus,
        "cpu_model": model,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _login_headline(results: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    login = results.get("login")
    if not login:
        return None
    key = max(login, key=int)  # all cores busy: the throughput a server gets
    return key, login[key]


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    p1 = results.get("p1")
    out.append(
        {
            "id": "P1",
            "goal": f"gateway ≥ {P1_GOAL}× direct (authenticated GET, wrk 64 connections)",
            "value": p1["ratio"] if p1 else None,
            "passed": None if not p1 else p1["ratio"] >= P1_GOAL,
        }
    )
    headline = _login_headline(results)
    out.append(
        {
            "id": "login",
            "goal": f"login ≥ {LOGIN_GOAL}× bare Argon2id verify (m=19 MiB, t=2, p=1)",
            "value": headline[1]["ratio"] if headline else None,
            "passed": None if not headline else headline[1]["ratio"] >= LOGIN_GOAL,
        }
    )
    p2 = results.get("p2")
    out.append(
        {
            "id": "P2",
            "goal": (
                f"class × subject × term grid (30 students × 50 lessons) ≥ {P2_GOAL}× the same "
                "query in raw SQL"
            ),
            "value": p2["ratio"] if p2 else None,
            "passed": None if not p2 else p2["ratio"] >= P2_GOAL,
        }
    )
    p4 = results.get("p4")
    out.append(
        {
            "id": "P4",
            "goal": (
                f"a school's week (33 classes × 30 lessons) checked against the norms in "
                f"≤ {P4_GOAL_MS:.0f} ms (HTTP endpoint, median)"
            ),
            "value": p4["http"]["median_ms"] if p4 else None,
            "passed": None if not p4 else p4["http"]["median_ms"] <= P4_GOAL_MS,
            "unit": "ms",
        }
    )
    return out


def _figure(goal: dict[str, Any]) -> str:
    if goal.get("unit") == "ms":
        return f"{goal['value']:.1f} ms" if goal["value"] is not None else "not measured"
    return _ratio(goal["value"])


def _ratio(value: float | None) -> str:
    return f"{value:.2f}×" if value is not None else "not measured"


def _verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "SKIP"}[passed]


def summary(results: dict[str, Any]) -> str:
    lines = ["Summary"]
    tokens = results.get("tokens")
    if tokens:
        lines.append(
            "  tokens: jwt.sign {sign_us:.0f} µs, jwt.verify {raw_verify_us:.0f} µs, "
            "TokenVerifier uncached {verifier_uncached_us:.0f} µs, "
            "cached {verifier_cached_us:.2f} µs".format(**tokens)
        )
    p1 = results.get("p1")
    if p1:
        lines.append(
            f"  P1: direct {p1['direct_rps']:.0f} req/s, through the gateway "
            f"{p1['gateway_rps']:.0f} req/s ({p1['ratio']:.2f}×); with every request "
            f"logged {p1['gateway_log_all_rps']:.0f} req/s ({p1['ratio_log_all']:.2f}×)"
        )
        cpu = p1["cpu_us_per_request"]
        lines.append(
            f"  CPU per request: identity {cpu['identity']:.0f} µs, gateway "
            f"{cpu['gateway']:.0f} µs ({cpu['gateway_log_all']:.0f} µs logging every request)"
        )
    for concurrency, figures in (results.get("login") or {}).items():
        lines.append(
            f"  login x{concurrency}: {figures['login_rps']:.1f}/s vs bare verify "
            f"{figures['argon2_verify_rps']:.1f}/s"
        )
    p2 = results.get("p2")
    if p2:
        lines.append(
            f"  P2: grid endpoint {p2['endpoint_rps']:.1f}/s, raw SQL {p2['raw_sql_rps']:.1f}/s "
            f"({p2['ratio']:.2f}×); CPU per request {p2['endpoint_cpu_ms']:.1f} vs "
            f"{p2['raw_cpu_ms']:.1f} ms ({p2['cpu_ratio']:.2f}×)"
        )
    p4 = results.get("p4")
    if p4:
        lines.append(
            f"  P4: engine {p4['engine']['median_ms']:.1f} ms "
            f"({p4['engine_with_parsing']['median_ms']:.1f} ms with parsing), HTTP median "
            f"{p4['http']['median_ms']:.1f} ms, p95 {p4['http']['p95_ms']:.1f} ms for "
            f"{p4['lessons']} lessons"
        )
    lines.append(
        f"  load average (1 min) before / after: {results['load_before']:.2f} / "
        f"{results['load_after']:.2f} (other processes on the machine skew the figures)"
    )
    for goal in results["goals"]:
        verdict = _verdict(goal["passed"])
        lines.append(f"  {verdict}  {goal['id']}: {_figure(goal)}  (goal: {goal['goal']})")
    return "\n".join(lines)


def performance_md(results: dict[str, Any], args: argparse.Namespace) -> str:
    m = results["machine"]
    tokens = results.get("tokens") or {
        "sign_us": float("nan"),
        "raw_verify_us": float("nan"),
        "verifier_uncached_us": float("nan"),
        "verifier_cached_us": float("nan"),
    }
    p1 = results.get("p1")
    login = results.get("login") or {}
    goal_rows = "\n".join(
        f"| {g['id']} | {g['goal']} | {_figure(g)} | {_verdict(g['passed']).lower()} |"
        for g in results["goals"]
    )
    pinned = f", pinned to CPUs {m['pinned_to']}" if m["pinned_to"] else ""
    parts = [
        "# Performance",
        "",
        "Measured by `make bench` (`python -m bench --write-docs` regenerates this page). "
        "Benchmarks are not tests: they live in `bench/`, start real uvicorn processes "
        "and drive them with wrk (Debian package `wrk`).",
        "",
        "## Machine and run",
        "",
        f"- Date: {results['date']}",
        f"- CPU: {m['cpu_model']}; `nproc` = {m['nproc']}; "
        f"{m['cores_used']} cores used by everything (wrk, gateway, service){pinned}",
        f"- Python {m['python']}, {m['system']}; uvicorn with uvloop and httptools, "
        "one worker per process",
        f"- Load average (1 min) when the run started / ended: {results['load_before']:.2f} / "
        f"{results['load_after']:.2f}",
        *(
            [
                "- The machine was shared with other work during the run (load above the "
                "core count): throughput varies from round to round, so compare the mean "
                "ratio and the CPU time per request, which such load hardly moves."
            ]
            if results["load_before"] > (m["nproc"] or 1)
            else []
        ),
        f"- wrk: {args.connections} connections, {args.threads} threads, "
        f"{args.seconds} s per run, {args.rounds} interleaved rounds "
        "(direct, gateway, gateway logging everything; again …) after a 3 s warm-up of each",
        "",
        "## Goals",
        "",
        "| goal | what | measured | result |",
        "|---|---|---|---|",
        goal_rows,
        "",
        "## P1: the gateway's cost on an authenticated GET",
        "",
        "`GET /api/v1/identity/me` with a bearer token, once straight to identity and once "
        "through the gateway. Identity does the same work either way (it verifies the token "
        "itself and reads the user from its SQLite database). The gateway runs as in "
        "production: token verified at the edge (RS256 once, then cached until `exp`), "
        "request id taken or made and echoed, the client counted against its rate limit "
        "(in memory; the limit set out of wrk's reach), Prometheus metrics, JSON logs at "
        "INFO with the default access log (lines for refused or failed requests; identity "
        "writes its own line for every request, under the same request id).",
        "",
    ]
    if p1:
        parts += [
            "| round | direct | gateway | gateway, every request logged |",
            "|---|---|---|---|",
        ]
        rows = zip(p1["direct"], p1["gateway"], p1["gateway_log_all"], strict=True)
        for i, runs in enumerate(rows, start=1):
            cells = " | ".join(
                f"{r['requests_per_second']:.0f} req/s (p50 {r['latency_p50_ms']:.0f} ms, "
                f"p99 {r['latency_p99_ms']:.0f} ms)"
                for r in runs
            )
            parts.append(f"| {i} | {cells} |")
        parts += [
            "",
            f"Mean: direct **{p1['direct_rps']:.0f} req/s**, through the gateway "
            f"**{p1['gateway_rps']:.0f} req/s**: ratio **{p1['ratio']:.2f}** "
            f"(goal ≥ {P1_GOAL}). With an access-log line for every request "
            f"(`GATEWAY_ACCESS_LOG=all`, not the default): {p1['gateway_log_all_rps']:.0f} "
            f"req/s, ratio {p1['ratio_log_all']:.2f}.",
            "",
            "CPU time per request, read from /proc over the same runs (other load on the "
            "machine skews it far less than throughput): identity "
            f"**{p1['cpu_us_per_request']['identity']:.0f} µs**, the gateway "
            f"**{p1['cpu_us_per_request']['gateway']:.0f} µs** "
            f"({p1['cpu_us_per_request']['gateway_log_all']:.0f} µs logging every request): "
            f"the gateway adds about "
            f"{p1['cpu_us_per_request']['gateway'] / p1['cpu_us_per_request']['identity']:.0%} "
            "to the CPU the service itself spends on the request.",
            "",
            "How the gateway gets there, and what was tried before, is in "
            "[decisions/0002-gateway-transport.md](decisions/0002-gateway-transport.md).",
            "",
        ]
    else:
        parts += ["Not measured in this run (wrk missing).", ""]
    parts += [
        "## Login against a bare Argon2id verify",
        "",
        "`POST /api/v1/identity/token` (password grant: throttling counters, user lookup, "
        "Argon2id verify in a worker thread, RS256 signing, a refresh token stored) driven "
        "by wrk with a Lua script, against `argon2.PasswordHasher.verify` alone with the "
        "same parameters (Argon2id, m = 19 MiB, t = 2, p = 1) in as many threads as wrk "
        "has connections, in the same run. Argon2id is the point of a login, so the "
        "endpoint should add little to it; the goal is judged with every core busy.",
        "",
    ]
    if login:
        parts += [
            "| concurrency | logins/s | bare verifies/s | ratio | login p50 ms |",
            "|---|---|---|---|---|",
        ]
        for concurrency, f in login.items():
            parts.append(
                f"| {concurrency} | {f['login_rps']:.1f} | {f['argon2_verify_rps']:.1f} | "
                f"{f['ratio']:.2f} | {f['login_p50_ms']:.1f} |"
            )
        parts += [
            "",
            "Why the goal is hard on two cores: the bare verifies run in-process with both "
            "cores to themselves, while a login also pays for wrk, the HTTP parsing and "
            "response, the form, the user query, the refresh-token insert and the commit — "
            "each SQLite statement a round trip to aiosqlite's worker thread — on the same "
            "two cores the Argon2id threads need. With two logins in flight the event loop "
            "competes with both Argon2id threads, so the ratio at concurrency 2 sits below "
            "the one at concurrency 1.",
            "",
        ]
        verify_ms = 1000 / login["1"]["argon2_verify_rps"] if "1" in login else None
        sign_ms = tokens["sign_us"] / 1000
        if verify_ms and sign_ms > verify_ms / 2:
            parts += [
                f"Where the rest goes: signing the access token alone costs {sign_ms:.0f} ms "
                f"(see Tokens below) against {verify_ms:.0f} ms for the Argon2id verify. "
                "`services.common.jwt.sign` hands python-jose the PEM text, and jose parses "
                "and validates the RSA private key on every call — on the event loop, so it "
                "also stalls every other request of identity meanwhile. Keeping the parsed key "
                "(e.g. `jwk.construct(pem, ALGORITHM)` cached per PEM) brings a signature to "
                "about a millisecond.",
                "",
            ]
    else:
        parts += ["Not measured in this run (wrk missing).", ""]
    parts += _p2_section(results.get("p2"), results)
    parts += _p4_section(results.get("p4"))
    parts += [
        "## Tokens",
        "",
        "In process, RS256 with a 2048-bit key, the platform's claims.",
        "",
        "| what | µs per token |",
        "|---|---|",
        f"| `services.common.jwt.sign` (what a login pays) | {tokens['sign_us']:.0f} |",
        f"| `services.common.jwt.verify` (signature and claims) | {tokens['raw_verify_us']:.0f} |",
        f"| `TokenVerifier.verify`, not cached (header, key, verify, claims) | "
        f"{tokens['verifier_uncached_us']:.0f} |",
        f"| `TokenVerifier.verify`, cached (what the gateway pays per request) | "
        f"{tokens['verifier_cached_us']:.2f} |",
        "",
        "## Running it",
        "",
        "```",
        "apt-get install -y wrk      # once; the bench says so when wrk is missing",
        "make bench                  # or: .venv/bin/python -m bench [--write-docs] [--check]",
        "```",
        "",
        "On a machine with more than two cores every process is pinned to CPUs 0 and 1 "
        "with `taskset`, so the figures stay comparable. Raw figures of the last run are in "
        "`bench/results/latest.json` (not committed).",
        "",
    ]
    return "\n".join(parts)


def _p2_section(p2: dict[str, Any] | None, results: dict[str, Any]) -> list[str]:
    parts = [
        "## P2: the class × subject × term grid against raw SQL",
        "",
        "`GET /api/v1/journal/courses/{id}/grid` for a class of 30 students and a term of "
        "50 lessons (500 marks, absences), as the course's teacher, through the journal's "
        "ASGI app in process (every middleware, the token check, the access rules, the "
        "queries, the averages, the JSON, the commit) on a migrated SQLite database; "
        "against the baseline: the same data read with four plain SQL statements on a "
        "pooled connection of the same engine, rows fetched, nothing else (see "
        "`bench/journal_grid.py`). Interleaved rounds, one request at a time; the endpoint "
        "is called as an ASGI application, the way uvicorn hands a parsed request over (an "
        "HTTP client building requests and decoding answers in the same process would add "
        "its own cost to one side only). CPU time per request is the process's "
        "(event loop and aiosqlite's worker thread), which other load on the machine skews "
        "far less than throughput.",
        "",
    ]
    if not p2:
        return [*parts, "Not measured in this run.", ""]
    parts += [
        f"Run of {results['date']}, load average (1 min) {results['load_before']:.2f} before "
        f"and {results['load_after']:.2f} after the whole run.",
        "",
        "| round | endpoint | raw SQL | ratio | CPU ms per request: endpoint / raw |",
        "|---|---|---|---|---|",
    ]
    for n, r in enumerate(p2["rounds"], start=1):
        parts.append(
            f"| {n} | {r['endpoint_rps']:.1f}/s | {r['raw_rps']:.1f}/s | "
            f"{r['endpoint_rps'] / r['raw_rps']:.2f} | {r['endpoint_cpu_ms']:.1f} / "
            f"{r['raw_cpu_ms']:.1f} |"
        )
    verdict = "meets" if p2["ratio"] >= p2["goal"] else "misses"
    parts += [
        "",
        f"Mean: endpoint **{p2['endpoint_rps']:.1f} requests/s**, raw SQL "
        f"**{p2['raw_sql_rps']:.1f}/s**: ratio **{p2['ratio']:.2f}** ({verdict} the goal "
        f"≥ {p2['goal']}); by CPU time per request {p2['endpoint_cpu_ms']:.1f} ms against "
        f"{p2['raw_cpu_ms']:.1f} ms: **{p2['cpu_ratio']:.2f}**. The answer has "
        f"{p2['cells']} cells with {p2['marks']} marks and {p2['absences']} absences "
        f"({p2['response_bytes'] / 1024:.0f} KiB); the endpoint runs "
        f"{p2['endpoint_queries']} SQL statements, the baseline {p2['raw_queries']}.",
        "",
        "What the endpoint does to get there (`services/journal/marks/grid.py`):",
        "",
        "- a constant number of statements: the course (the access check), the roster with "
        "names (class members joined with the directory), the lessons, and the marks and "
        "absences together in one `UNION ALL`. With aiosqlite every statement is four round "
        "trips to its worker thread (cursor, execute, fetch, close), so statements are most "
        "of the cost on a busy machine;",
        "- marks and absences are read without SQLAlchemy's result processing: building a "
        "`uuid.UUID`, a `date` and two `Decimal` for each of 500 marks cost more than the "
        "query. Ids, dates and numbers stay as the driver returns them and are normalised "
        "only where the answer needs them;",
        "- the statements are built once, with bound parameters (building the SQL "
        "expressions on every request cost about as much as running them), and run on the "
        "request's connection without the ORM layer;",
        "- no ORM entity and no pydantic model per cell: the answer is assembled as plain "
        "lists and dicts (cells without a mark share one empty list, so 1,500 cells "
        "allocate only those with marks) and serialised once (its shape is the `Grid` "
        "schema).",
        "",
        "Where the time went before (profiled with cProfile on the same data): "
        "six statements instead of four (the roster and the absences apart), a "
        "`uuid.UUID` / `date` / `Decimal` built per mark by SQLAlchemy's result "
        "processors, the statements rebuilt per request, and 1,500 lists allocated per "
        "answer; the ratio was 0.32 then (measured through an in-process httpx client).",
        "",
        "On a shared two-core machine the throughput ratio moves from run to run with the "
        "other load (by about ±0.1 in the runs behind this page, which puts the goal inside "
        "the band); the CPU ratio moves less. Run `python -m bench --only p2` a few times "
        "before reading much into one figure.",
        "",
        "What remains above the baseline: the ASGI stack and the platform's middleware "
        "(request id, metrics, logging, idempotency, body limit), the bearer token check, "
        "the commit and the JSON encoding — a few milliseconds of CPU per request that the "
        "baseline does not pay.",
        "",
    ]
    return parts


def merge_performance_md(old: str, new: str, parts: set[str]) -> str:
    """``old`` with the sections and goal rows of the measured ``parts`` taken from ``new``.

    A run of some parts only (``--only``) keeps the figures of the others on the page.
    """
    headings = {
        "tokens": "## Tokens",
        "login": "## Login",
        "p1": "## P1",
        "p2": "## P2",
        "p4": "## P4",
    }

    def split(text: str) -> list[str]:
        out: list[str] = []
        for line in text.split("\n"):
            if line.startswith("## ") or not out:
                out.append(line)
            else:
                out[-1] += "\n" + line
        return out

    old_sections, new_sections = split(old), split(new)
    for part in sorted(parts):
        prefix = headings.get(part)
        if prefix is None:
            continue
        fresh = next((s for s in new_sections if s.startswith(prefix)), None)
        if fresh is None:
            continue
        at = next((i for i, s in enumerate(old_sections) if s.startswith(prefix)), None)
        if at is not None:
            old_sections[at] = fresh
        else:  # a new section: before the first one that follows it in the new page
            order = [s.split("\n", 1)[0] for s in new_sections]
            later = order[order.index(fresh.split("\n", 1)[0]) + 1 :]
            at = next(
                (i for i, s in enumerate(old_sections) if s.split("\n", 1)[0] in later),
                len(old_sections),
            )
            old_sections.insert(at, fresh)
    sections = [_merge_goal_rows(section, new, parts) for section in old_sections]
    return "\n".join(sections)


def _merge_goal_rows(section: str, new: str, parts: set[str]) -> str:
    """The Goals section with the rows of the measured parts replaced or added."""
    if not section.startswith("## Goals"):
        return section
    ids = {"login": "login", "p1": "P1", "p2": "P2", "p4": "P4"}
    fresh = {
        line.split("|")[1].strip(): line
        for line in new.split("\n")
        if line.startswith("| ") and line.count("|") == 5
    }
    lines = section.split("\n")
    for part in sorted(parts):
        goal = ids.get(part)
        if goal is None or goal not in fresh:
            continue
        at = next((i for i, line in enumerate(lines) if line.startswith(f"| {goal} |")), None)
        if at is not None:
            lines[at] = fresh[goal]
        else:
            last_row = max(i for i, line in enumerate(lines) if line.startswith("|"))
            lines.insert(last_row + 1, fresh[goal])
    return "\n".join(lines)


def _p4_section(p4: dict[str, Any] | None) -> list[str]:
    parts = [
        "## P4: a school's week against the screen-device norms",
        "",
        "33 classes (three per grade 1–11) × 5 days × 6 lessons = 990 lessons with two or "
        "three device segments each (whiteboard, panel, PC, laptop, tablet; viewing, "
        "interactive, copying), checked against every built-in rule (СанПиН 1.2.3685-21 "
        "table 6.8, СП 2.4.3648-20 п. 2.10.2, the regulation's §5.11): per lesson, per day, "
        "continuous stretches, distance-lesson length (see `bench/norms.py`). The engine "
        "is pure Python over a lookup table keyed by (measure, device, band kind, grade or "
        "age) built once per combination of rule sets.",
        "",
    ]
    if not p4:
        return [*parts, "Not measured in this run.", ""]
    engine, parsing, http = p4["engine"], p4["engine_with_parsing"], p4["http"]
    return [
        *parts,
        "| what | median ms | p95 ms | runs |",
        "|---|---|---|---|",
        f"| engine: `check_week` over prepared lessons | {engine['median_ms']:.1f} | "
        f"{engine['p95_ms']:.1f} | {engine['runs']:.0f} |",
        f"| engine with the body validated by the endpoint's schema | "
        f"{parsing['median_ms']:.1f} | {parsing['p95_ms']:.1f} | {parsing['runs']:.0f} |",
        f"| `POST /api/v1/compliance/norms/checks/school-week` over HTTP (uvicorn, SQLite, "
        f"the run recorded) | {http['median_ms']:.1f} | {http['p95_ms']:.1f} | "
        f"{http['runs']:.0f} |",
        "",
        f"The week has {p4['lessons']} lessons and {p4['segments']} segments and yields "
        f"{p4['violations']} violations; the request body is "
        f"{http['request_bytes'] / 1024:.0f} KiB. The compliance process spent "
        f"**{http['server_cpu_ms']:.1f} ms of CPU per request** (read from /proc: other load "
        "on the machine stretches the wall-clock figures, hardly this one). Goal: at most "
        f"{p4['goal_ms']:.0f} ms for the endpoint (median of sequential requests, one at a "
        "time).",
        "",
    ]
