"""`make bench` and `make bench-quick`: OneStop and the limit app under the same load.

    .venv/bin/python -m bench.run [--quick]

One run: recreate the PostgreSQL databases (`bench_onestop`, `bench_limit`), migrate, create
the load's accounts with `onestop create-user`, seed the cases on the server
(`bench.seed_cases`), start `onestop serve` as in production (random secrets) and the limit app
(`../shared/bench/limit_app.py`) with as many workers, check that a seeded case can be read,
changed and noted, then run every scenario of `bench.scenarios` with wrk for a fixed time with
fresh tokens, sampling the workers' memory. Prints a table and writes
`bench/results/<timestamp>.json`. The servers are stopped however the run ends.
Parameters come from the environment (BENCH_*, see bench/README.md).
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from bench import checks, database
from bench.checks import Account
from bench.load import Load, measure, wrk_path
from bench.processes import BenchError, MemorySampler, Server, run
from bench.report import Outcome, machine, table, write_json
from bench.scenarios import SCENARIOS, Caller, Role, Scenario, plan_lines

ROOT = Path(__file__).resolve().parent.parent
PROFILES = {
    "full": {"BENCH_CASES": "1000000", "BENCH_SECONDS": "30", "BENCH_WARMUP": "5"},
    "quick": {"BENCH_CASES": "50000", "BENCH_SECONDS": "15", "BENCH_WARMUP": "2"},
}
DEFAULTS = {
    "BENCH_CONNECTIONS": "32",
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


def _stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def main(argv: list[str]) -> int:
    profile = "quick" if "--quick" in argv else "full"
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    try:
        return _run(Options.from_environment(profile))
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1


def _step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _run(options: Options) -> int:
    wrk_path()
    if not options.limit_app.is_file():
        raise BenchError(f"no limit app at {options.limit_app}; set BENCH_LIMIT_APP")
    scenarios = options.selected()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work_dir = options.results / f"{stamp}-files"
    python = str(ROOT / ".venv" / "bin" / "python")
    onestop = str(ROOT / ".venv" / "bin" / "onestop")
    service_url = f"postgresql+asyncpg://{options.postgres.split('://', 1)[1]}/{options.database}"
    password = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "DATABASE_URL": service_url,
        "ONESTOP_ENVIRONMENT": "production",
        "ONESTOP_JWT_SECRET": secrets.token_urlsafe(48),
        "ONESTOP_DATA_KEY": secrets.token_urlsafe(48),
        "ONESTOP_NEW_USER_PASSWORD": password,
    }
    limit_env = {
        **os.environ,
        "DSN": f"{options.postgres}/{options.limit_database}",
        "LIMIT_SECRET": secrets.token_urlsafe(48),
    }
    started = time.monotonic()

    _step(f"recreating {options.database} and {options.limit_database}")
    database.recreate(options.postgres, options.database, options.limit_database)
    work_dir.mkdir(parents=True, exist_ok=True)
    run([onestop, "migrate"], env=env, timeout=300, what="onestop migrate")
    accounts = _create_accounts(onestop, env, options.volunteers)
    field_workers = [a.user_id for a in accounts if a.role in ("volunteer", "caseworker")]
    _step(f"seeding {options.cases:,} cases")
    seeded = run(
        [
            python,
            "-m",
            "bench.seed_cases",
            service_url,
            "--cases",
            str(options.cases),
            "--busiest",
            ",".join(field_workers),
            "--events",
        ],
        env=env,
        timeout=3600,
        what="bench.seed_cases",
    )
    _step(seeded.strip())
    described = database.describe(options.postgres, options.database)
    samples = database.samples(options.postgres, options.database, field_workers)

    service = Server(
        "onestop serve",
        [
            onestop,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(options.port),
            "--workers",
            str(options.workers),
        ],
        env=env,
        port=options.port,
        ready_path="/readyz",
        log=work_dir / "service.log",
        workers_expected=options.workers,
    )
    limit = Server(
        "limit app",
        [
            str(ROOT / ".venv" / "bin" / "uvicorn"),
            "--app-dir",
            str(options.limit_app.parent),
            f"{options.limit_app.stem}:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(options.limit_port),
            "--workers",
            str(options.workers),
            "--no-access-log",
        ],
        env=limit_env,
        port=options.limit_port,
        ready_path="/openapi.json",
        log=work_dir / "limit.log",
        workers_expected=options.workers,
    )
    outcomes: list[Outcome] = []
    result_file = options.results / f"{stamp}.json"
    document: dict[str, Any] = {
        "started_at": stamp,
        "profile": options.profile,
        "parameters": {k: str(v) for k, v in asdict(options).items()},
        "machine": machine(),
        "database": described,
        "seeding": seeded.strip(),
        "commit": _commit(),
    }
    with ExitStack() as stack:
        _step("starting the service and the limit app")
        stack.callback(service.stop)
        stack.callback(limit.stop)
        service.start()
        limit.start()
        limit_token = run(
            [python, str(options.limit_app), "token"],
            env=limit_env,
            timeout=60,
            what="limit app token",
        ).strip()
        base = f"http://127.0.0.1:{options.port}"
        limit_base = f"http://127.0.0.1:{options.limit_port}"
        rng = random.Random(42)  # noqa: S311 - picks request variants, not secrets

        def callers(scenario: Scenario | None = None) -> list[Caller]:
            # Access tokens live 15 minutes: fresh ones for every scenario, for the accounts
            # it uses (a sign-in hashes a password: it costs the server a little).
            roles = {c.role for c in scenario.calls} if scenario else None
            chosen = [a for a in accounts if roles is None or a.role in roles]
            fresh = checks.sign_in(base, chosen, password)
            return [*fresh, Caller("limit", "limit", limit_token)]

        _step("checking that seeded cases can be read, changed and noted")
        checks.preflight(base, limit_base, callers(), samples)
        load = Load(options.connections, options.threads, options.seconds, options.timeout)
        if options.warmup:
            _step(f"warming up for {options.warmup} s each (not recorded)")
            warm_load = Load(options.connections, options.threads, options.warmup, options.timeout)
            for warm in (s for s in SCENARIOS if s.kind in ("mixed", "limit")):
                measure(
                    limit_base if warm.server == "limit" else base,
                    plan=plan_lines(warm, callers(warm), samples, rng),
                    load=warm_load,
                    work_dir=work_dir,
                    label=f"warmup-{warm.name}",
                )
        for scenario in scenarios:
            server = limit if scenario.server == "limit" else service
            for each in (service, limit):
                if not each.alive():
                    raise BenchError(f"{each.name} stopped:\n{each.log_tail()}")
            _step(f"{scenario.name}: {options.seconds} s at {options.connections} connections")
            plan = plan_lines(scenario, callers(scenario), samples, rng)
            with MemorySampler(server) as memory:
                measured = measure(
                    limit_base if scenario.server == "limit" else base,
                    plan=plan,
                    load=load,
                    work_dir=work_dir,
                    label=scenario.name,
                )
            outcome = Outcome(
                scenario,
                measured,
                peak_rss_mb={p: round(kb / 1024, 1) for p, kb in memory.peak_rss_kb.items()},
                hwm_mb={p: round(kb / 1024, 1) for p, kb in memory.hwm_kb.items()},
            )
            if scenario.ratio_to:
                baseline = next((o for o in outcomes if o.scenario.name == scenario.ratio_to), None)
                if baseline and baseline.measured.per_second:
                    outcome.ratio = measured.per_second / baseline.measured.per_second
            outcome.judge()
            outcomes.append(outcome)
            print(table([outcome]).splitlines()[-1], flush=True)
            # Written after every scenario, so an interrupted run keeps what it measured.
            document["scenarios"] = [o.as_json() for o in outcomes]
            document["seconds"] = round(time.monotonic() - started, 1)
            write_json(result_file, document)

    document["database_after"] = database.describe(options.postgres, options.database)
    write_json(result_file, document)
    print()
    print(_heading(options, document))
    print(table(outcomes))
    print(f"\nresults: {result_file} (logs and plans in {work_dir})")
    return 0


def _commit() -> str:
    """The code measured: the commit, marked when the working tree differs from it."""
    try:
        head = run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            env=os.environ,
            timeout=10,
            what="git rev-parse",
        ).strip()
        dirty = run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            env=os.environ,
            timeout=10,
            what="git status",
        ).strip()
    except BenchError:
        return "unknown"
    return f"{head}+changes" if dirty else head


def _heading(options: Options, document: dict[str, Any]) -> str:
    m, d = document["machine"], document["database"]
    return (
        f"{options.profile} run, {d['cases']:,} cases ({d['database_bytes'] / 2**20:,.0f} MB), "
        f"PostgreSQL {d['postgresql']}, {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{options.workers} workers each, {options.connections} connections, "
        f"{options.seconds} s per scenario, {document['seconds']:.0f} s in all"
    )


def _create_accounts(onestop: str, env: dict[str, str], volunteers: int) -> list[Account]:
    """The load's accounts, made with `onestop create-user` (in parallel: each call starts
    Python and hashes a password)."""
    wanted: list[tuple[str, Role]] = [
        (f"load.volunteer{n}", "volunteer") for n in range(1, volunteers + 1)
    ]
    wanted += [("load.caseworker1", "caseworker"), ("load.supervisor1", "supervisor")]
    _step(f"creating {len(wanted)} accounts with onestop create-user")
    running = [
        (
            name,
            role,
            subprocess.Popen(  # noqa: S603 - our own command
                [onestop, "create-user", name, "--role", role],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for name, role in wanted
    ]
    accounts = []
    for name, role, process in running:
        try:
            out, err = process.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            raise BenchError(f"onestop create-user {name}: no answer after 120 s") from None
        if process.returncode != 0:
            raise BenchError(f"onestop create-user {name} failed:\n{err.strip()[-2000:]}")
        accounts.append(Account(name, role, out.strip().splitlines()[-1]))
    return accounts


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
