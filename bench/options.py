"""What a benchmark run is given: the BENCH_* environment over a profile's defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bench.processes import BenchError
from bench.scenarios import SCENARIOS, Scenario

ROOT = Path(__file__).resolve().parent.parent
PROFILES = {
    "full": {
        "BENCH_CASES": "1000000",
        "BENCH_SECONDS": "20",
        "BENCH_LATENCY_SECONDS": "10",
        "BENCH_WARMUP": "5",
        "BENCH_SWEEP_ITEMS": "10000",
        "BENCH_ROUNDS": "3",
    },
    "quick": {
        "BENCH_CASES": "50000",
        "BENCH_SECONDS": "5",
        "BENCH_LATENCY_SECONDS": "3",
        "BENCH_WARMUP": "2",
        "BENCH_SWEEP_ITEMS": "2000",
        "BENCH_ROUNDS": "1",
    },
}
DEFAULTS = {
    "BENCH_CONNECTIONS": "32",
    "BENCH_LATENCY_CONNECTIONS": "4",
    "BENCH_THREADS": "2",
    "BENCH_WORKERS": "2",
    "BENCH_POSTGRES": "postgresql://postgres@127.0.0.1:5432",
    "BENCH_DATABASE": "bench_onestop",
    "BENCH_LIMIT_DATABASE": "bench_limit",
    "BENCH_PORT": "8400",
    "BENCH_LIMIT_PORT": "8401",
    "BENCH_SCENARIOS": "",
    "BENCH_TIMEOUT": "10",
    "BENCH_VOLUNTEERS": "4",
    "BENCH_LIMIT_APP": str(ROOT.parent / "shared" / "bench" / "limit_app.py"),
    "BENCH_RESULTS": str(ROOT / "bench" / "results"),
}


@dataclass(frozen=True)
class Options:
    profile: str
    cases: int
    seconds: int
    connections: int
    threads: int
    workers: int
    postgres: str
    database: str
    limit_database: str
    port: int
    limit_port: int
    scenarios: tuple[str, ...]
    warmup: int
    timeout: int
    volunteers: int
    limit_app: Path
    results: Path
    sweep_items: int = 10_000
    latency_connections: int = 4
    latency_seconds: int = 10
    rounds: int = 1  # the scenarios run this many times over the one seeded database

    @classmethod
    def from_environment(cls, profile: str) -> Options:
        values = {**DEFAULTS, **PROFILES[profile]}
        values.update({k: v for k, v in os.environ.items() if k in values and v != ""})

        def number(name: str) -> int:
            try:
                value = int(values[name])
            except ValueError:
                raise BenchError(f"{name} must be a whole number, not {values[name]!r}") from None
            if value < 0:
                raise BenchError(f"{name} must not be negative")
            return value

        rounds = number("BENCH_ROUNDS")
        if rounds < 1:
            raise BenchError("BENCH_ROUNDS must be at least 1")
        return cls(
            profile=profile,
            cases=number("BENCH_CASES"),
            seconds=max(1, number("BENCH_SECONDS")),
            connections=max(1, number("BENCH_CONNECTIONS")),
            threads=max(1, number("BENCH_THREADS")),
            workers=max(1, number("BENCH_WORKERS")),
            postgres=values["BENCH_POSTGRES"].rstrip("/"),
            database=values["BENCH_DATABASE"],
            limit_database=values["BENCH_LIMIT_DATABASE"],
            port=number("BENCH_PORT"),
            limit_port=number("BENCH_LIMIT_PORT"),
            scenarios=tuple(s.strip() for s in values["BENCH_SCENARIOS"].split(",") if s.strip()),
            warmup=number("BENCH_WARMUP"),
            timeout=max(1, number("BENCH_TIMEOUT")),
            volunteers=max(1, number("BENCH_VOLUNTEERS")),
            limit_app=Path(values["BENCH_LIMIT_APP"]).resolve(),
            results=Path(values["BENCH_RESULTS"]),
            sweep_items=number("BENCH_SWEEP_ITEMS"),
            latency_connections=number("BENCH_LATENCY_CONNECTIONS"),
            latency_seconds=max(1, number("BENCH_LATENCY_SECONDS")),
            rounds=rounds,
        )

    def selected(self) -> list[Scenario]:
        known = {s.name for s in SCENARIOS}
        unknown = [name for name in self.scenarios if name not in known]
        if unknown:
            raise BenchError(f"unknown scenarios {unknown}; known: {', '.join(sorted(known))}")
        chosen = [s for s in SCENARIOS if not self.scenarios or s.name in self.scenarios]
        # A scenario compared with the limit app brings it along.
        needed = {s.ratio_to for s in chosen if s.ratio_to}
        return [s for s in SCENARIOS if s in chosen or s.name in needed]
