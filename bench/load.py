"""Running the load generator (wrk with `load.lua`) and reading what it measured."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.processes import BenchError, run

SCRIPT = Path(__file__).with_name("load.lua")


@dataclass(frozen=True)
class Load:
    connections: int
    threads: int
    seconds: int
    timeout: int


@dataclass(frozen=True)
class Measured:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    statuses: dict[str, int]
    socket_errors: dict[str, int]
    rate: float | None = None  # set on a median over rounds: the median of their rates

    @property
    def per_second(self) -> float:
        if self.rate is not None:
            return self.rate
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def non_2xx(self) -> int:
        return sum(count for status, count in self.statuses.items() if not status.startswith("2"))

    @property
    def socket_error_count(self) -> int:
        return sum(self.socket_errors.values())


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise BenchError("wrk is missing: run `apt-get install -y wrk` (as root) and try again")
    return found


def measure(url: str, *, plan: list[str], load: Load, work_dir: Path, label: str) -> Measured:
    """Run wrk against `url` with `plan` (see `scenarios.plan_lines`) and read its results."""
    plan_file = work_dir / f"{label}.plan"
    out_file = work_dir / f"{label}.json"
    plan_file.write_text("\n".join(plan) + "\n", encoding="utf-8")
    out_file.unlink(missing_ok=True)
    try:
        run(
            [
                wrk_path(),
                f"--threads={load.threads}",
                f"--connections={load.connections}",
                f"--duration={load.seconds}s",
                f"--timeout={load.timeout}s",
                f"--script={SCRIPT}",
                url,
            ],
            env={**os.environ, "BENCH_PLAN": str(plan_file), "BENCH_OUT": str(out_file)},
            timeout=load.seconds + load.timeout + 60,
            what=f"wrk ({label})",
        )
    finally:
        plan_file.unlink(missing_ok=True)  # it holds access tokens
    try:
        raw = json.loads(out_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BenchError(f"wrk ({label}) left no readable results: {error}") from None
    latency = raw["latency_us"]
    return Measured(
        requests=int(raw["requests"]),
        seconds=raw["duration_us"] / 1e6,
        p50_ms=latency["p50"] / 1000,
        p95_ms=latency["p95"] / 1000,
        p99_ms=latency["p99"] / 1000,
        mean_ms=latency["mean"] / 1000,
        max_ms=latency["max"] / 1000,
        statuses={str(k): int(v) for k, v in raw["statuses"].items()},
        socket_errors={str(k): int(v) for k, v in raw["socket_errors"].items()},
    )
