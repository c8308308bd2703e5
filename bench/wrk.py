"""Running wrk and reading its report."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.servers import pinned

DEBIAN_PACKAGE = "wrk"
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


class WrkMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class WrkResult:
    url: str
    requests_per_second: float
    requests: int
    non_2xx: int
    socket_errors: int
    latency_p50_ms: float
    latency_p99_ms: float


def wrk_path() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise WrkMissing(
            "wrk is not installed: the P1 benchmark needs it. "
            f"Install the Debian package: apt-get install -y {DEBIAN_PACKAGE}"
        )
    return path


def _seconds(value: str, unit: str) -> float:
    return float(value) * _UNITS[unit]


def parse(url: str, output: str) -> WrkResult:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rps is None or total is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.M))

    def pct(key: str) -> float:
        raw = percentiles.get(key)
        if raw is None:
            return float("nan")
        number, unit = re.match(r"([\d.]+)(us|ms|s|m)", raw).groups()  # type: ignore[union-attr]
        return _seconds(number, unit) * 1000

    return WrkResult(
        url=url,
        requests_per_second=float(rps.group(1)),
        requests=int(total.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in errors.groups()) if errors else 0,
        latency_p50_ms=pct("50"),
        latency_p99_ms=pct("99"),
    )


def run(
    url: str,
    *,
    connections: int,
    seconds: int,
    threads: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
    cpus: str | None = None,
) -> WrkResult:
    command = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "5s",
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(url)
    done = subprocess.run(  # a fixed argv of our own, no shell
        pinned(command, cpus), capture_output=True, text=True, check=True, timeout=seconds + 60
    )
    return parse(url, done.stdout)
