"""`make bench` and `make bench-quick`: OneStop and the limit app under the same load.

    .venv/bin/python -m bench.run [--quick]

One run: recreate the PostgreSQL databases (`bench_onestop`, `bench_limit`), migrate, create
the load's accounts with `onestop create-user`, seed the cases on the server
(`bench.seed_cases`) while `onestop serve` starts as in production (random secrets, no jobs in
the server) beside the limit app (`../shared/bench/limit_app.py`) with as many workers; start
`onestop worker` and wait until it has stamped every seeded case's due times; check that a
seeded case can be read, changed and noted; then run every scenario of `bench.scenarios` with
wrk for a fixed time with fresh tokens, sampling the workers' memory, BENCH_ROUNDS times over
the one seeded database (3 for `make bench`, 1 for `make bench-quick`); last, time the worker
through BENCH_SWEEP_ITEMS due items (`bench.worker_sweep`; 0 leaves it out). Prints a row per
scenario as it ends, then a table of the medians of the rounds, on which the targets are
judged, and writes `bench/results/<timestamp>.json` (every round's rows and the medians; after
each scenario, so an interrupted run keeps what it measured). The servers are stopped however
the run ends. Parameters: BENCH_* (bench/README.md).
"""

from __future__ import annotations

import ast
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from bench import checks, database
from bench.checks import Account
from bench.load import Load, measure, wrk_path
from bench.options import ROOT, Options
from bench.processes import BenchError, Job, MemorySampler, Server, run
from bench.report import Outcome, machine, medians, table, write_json
from bench.scenarios import (
    LATENCY_KINDS,
    SCENARIOS,
    Caller,
    Role,
    Samples,
    Scenario,
    plan_lines,
)
from models.enums import ClosureReason
from service.platform.settings import Settings

VENV = ROOT / ".venv" / "bin"
SEED_TIMEOUT = 3600.0
SETTLE_TIMEOUT = 3600.0
# The seeded deadlines that passed over an hour before the run, taken as recorded then.
_RECORDED_BEFORE = """
UPDATE cases SET
    {kind}_warned_at = coalesce({kind}_warned_at, {kind}_warn_at),
    {kind}_breached_at = CASE WHEN {kind}_due_at <= now() - interval '1 hour'
                              THEN coalesce({kind}_breached_at, {kind}_due_at)
                              ELSE {kind}_breached_at END
WHERE {kind}_met_at IS NULL AND {kind}_warn_at <= now() - interval '1 hour'
  AND ({kind}_warned_at IS NULL
       OR ({kind}_breached_at IS NULL AND {kind}_due_at <= now() - interval '1 hour'))
"""
IDLE_WINDOW = 5.0  # seconds over which the worker's CPU share is measured
IDLE_SHARE = 0.05  # below this share of one core the worker counts as idle


def main(argv: list[str]) -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    unknown = [arg for arg in argv if arg != "--quick"]
    if unknown:  # --help included: a run recreates databases, so nothing else starts one
        print(__doc__, file=sys.stderr)
        return 0 if unknown in (["--help"], ["-h"]) else 2
    try:
        return Run(Options.from_environment("quick" if "--quick" in argv else "full")).go()
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1


def _stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def _step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


class Run:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.work_dir = options.results / f"{self.stamp}-files"
        self.result_file = options.results / f"{self.stamp}.json"
        self.password = secrets.token_urlsafe(24)
        server_path = options.postgres.split("://", 1)[1]
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgresql+asyncpg://{server_path}/{options.database}",
            "ONESTOP_ENVIRONMENT": "production",
            "ONESTOP_JWT_SECRET": secrets.token_urlsafe(48),
            "ONESTOP_DATA_KEY": secrets.token_urlsafe(48),
            "ONESTOP_NEW_USER_PASSWORD": self.password,
        }
        self.limit_env = {
            **os.environ,
            "DSN": f"{options.postgres}/{options.limit_database}",
            "LIMIT_SECRET": secrets.token_urlsafe(48),
        }
        self.base = f"http://127.0.0.1:{options.port}"
        self.limit_base = f"http://127.0.0.1:{options.limit_port}"
        self.rng = random.Random(42)  # noqa: S311 - picks request variants, not secrets
        self.started = time.monotonic()
        self.accounts: list[Account] = []
        self.limit_token = ""
        self.outcomes: list[Outcome] = []
        self.document: dict[str, Any] = {
            "started_at": self.stamp,
            "profile": options.profile,
            "commit": _commit(),
            "parameters": {k: str(v) for k, v in asdict(options).items()},
            "machine": machine(),
        }

    def go(self) -> int:
        wrk_path()
        if not self.options.limit_app.is_file():
            raise BenchError(f"no limit app at {self.options.limit_app}; set BENCH_LIMIT_APP")
        scenarios = self.options.selected()
        self.prepare_databases()
        service, limit = self.servers()
        with ExitStack() as stack:
            seeding = self.seed_in_background()
            stack.callback(seeding.stop)
            stack.callback(service.stop)
            stack.callback(limit.stop)
            _step("starting the service and the limit app while seeding")
            service.start()
            limit.start()
            self.limit_token = run(
                [str(VENV / "python"), str(self.options.limit_app), "token"],
                env=self.limit_env,
                timeout=60,
                what="limit app token",
            ).strip()
            seeded = seeding.wait(timeout=SEED_TIMEOUT).strip().splitlines()[-1]
            _step(seeded)
            routing = self.seed_routing()
            _step(routing)
            _step(self.seed_queues())
            _step(self.retained())
            worker = self.job_worker()
            stack.callback(worker.stop)
            settled = self.settle(worker)
            _step(settled)
            self.document["settling"] = settled
            self.document["seeding"] = seeded
            self.document["seeding_routing"] = routing
            self.document["database"] = database.describe(
                self.options.postgres, self.options.database
            )
            samples = database.samples(
                self.options.postgres, self.options.database, self.field_workers()
            )
            _step("checking that seeded cases can be read, changed and noted")
            checks.preflight(self.base, self.limit_base, self.callers(), samples)
            self.warm_up(samples)
            latency = self.options.latency_connections
            passes = [(scenario, False) for scenario in scenarios]
            if latency:
                passes += [(s, True) for s in scenarios if s.kind in LATENCY_KINDS]
            for round_ in range(1, self.options.rounds + 1):
                if self.options.rounds > 1:
                    _step(f"round {round_} of {self.options.rounds}")
                for scenario, latency_pass in passes:
                    for each in (service, limit):
                        if not each.alive():
                            raise BenchError(f"{each.name} stopped:\n{each.log_tail()}")
                    self.measure(
                        scenario,
                        limit if scenario.server == "limit" else service,
                        samples,
                        latency_pass=latency_pass,
                        round_=round_,
                    )
        # With the servers stopped: their own workers would take a share of the items.
        sweep = self.worker_sweep()
        self.document["database_after"] = database.describe(
            self.options.postgres, self.options.database
        )
        self.save()
        print()
        print(self.heading())
        if self.options.rounds > 1:
            print(f"medians of {self.options.rounds} rounds")
        print(table(medians(self.outcomes)))
        if sweep:
            print(sweep)
        print(f"\nresults: {self.result_file} (logs in {self.work_dir})")
        return 0

    # ------------------------------------------------------------------ steps

    def prepare_databases(self) -> None:
        o = self.options
        _step(f"recreating {o.database} and {o.limit_database}")
        database.recreate(o.postgres, o.database, o.limit_database)
        # The limit app creates its table on start, in each worker: two workers racing on a
        # new database can both try to create its row type and one fails. Created once here.
        database.execute(o.postgres, o.limit_database, _limit_table(o.limit_app))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        run([str(VENV / "onestop"), "migrate"], env=self.env, timeout=300, what="onestop migrate")
        self.accounts = _create_accounts(str(VENV / "onestop"), self.env, o.volunteers)

    def field_workers(self) -> list[str]:
        return [a.user_id for a in self.accounts if a.role in ("volunteer", "caseworker")]

    def seed_in_background(self) -> Job:
        _step(f"seeding {self.options.cases:,} cases")
        job = Job(
            "bench.seed_cases",
            [
                str(VENV / "python"),
                "-m",
                "bench.seed_cases",
                self.env["DATABASE_URL"],
                "--cases",
                str(self.options.cases),
                "--busiest",
                ",".join(self.field_workers()),
                "--events",
            ],
            env=self.env,
            log=self.work_dir / "seed.log",
        )
        job.start()
        return job

    def seed_routing(self) -> str:
        """Helpers and agencies for the suggestions (`bench.seed_routing`), once the cases are
        in: the open cases of the seeded staff go to the helpers."""
        _step("seeding 5,000 helpers and 300 agencies")
        out = run(
            [str(VENV / "python"), "-m", "bench.seed_routing", self.env["DATABASE_URL"]],
            env=self.env,
            timeout=600,
            what="bench.seed_routing",
        )
        return out.strip().splitlines()[-1]

    def job_worker(self) -> Job:
        """`onestop worker` beside the service, as in production (the server runs no jobs)."""
        _step("starting onestop worker (the background jobs, beside the service)")
        worker = Job(
            "onestop worker",
            [str(VENV / "onestop"), "worker"],
            env=self.env,
            log=self.work_dir / "worker.log",
        )
        worker.start()
        return worker

    def retained(self) -> str:
        """Mark the seeded cases closed longer ago than their retention period as anonymised
        then (`anonymised_at`), as the worker's retention job would have in a database in use;
        their seeded fields stay (a benchmark's made-up people). Otherwise the worker would
        anonymise them all before the measurements: about 12 % of the seeded cases, at a few
        hundred a second."""
        settings = Settings()
        days = " ".join(
            f"WHEN '{reason.value}' THEN {settings.retention_for(reason)}"
            for reason in ClosureReason
        )
        period = (
            f"make_interval(days => CASE closure_reason {days} ELSE {settings.retention_days} END)"
        )
        query = (
            f"WITH marked AS (UPDATE cases SET anonymised_at = closed_at + {period} "  # noqa: S608
            f"WHERE closed_at IS NOT NULL AND anonymised_at IS NULL "
            f"AND closed_at + {period} < now() RETURNING 1) SELECT count(*) FROM marked"
        )
        o = self.options
        marked = int(database.fetch(o.postgres, o.database, query)[0][0])
        return f"{marked:,} seeded cases closed beyond their retention period taken as anonymised"

    def settle(self, worker: Job) -> str:
        """Wait until the worker has stamped the due times of every seeded case.

        Cases are bulk-loaded without due times (each would cost the seed the calendar
        arithmetic intake does); a database in use has them all stamped, so the measurements
        start once the worker's restamping job (the one that follows a change of the deadline
        rules) has caught up. Its rate is reported: it is what a change of the rules costs."""
        o = self.options
        query = "SELECT count(*) FROM cases WHERE deadline_rules_version IS NULL"
        started = time.monotonic()
        first = left = int(database.fetch(o.postgres, o.database, query)[0][0])
        _step(f"waiting for the worker to stamp the due times of {first:,} seeded cases")
        while left:
            if not worker.alive():
                raise BenchError(f"onestop worker stopped:\n{worker.log_tail()}")
            if time.monotonic() - started > SETTLE_TIMEOUT:
                raise BenchError(
                    f"the worker left {left:,} cases unstamped after {SETTLE_TIMEOUT:.0f} s"
                )
            time.sleep(2)
            left = int(database.fetch(o.postgres, o.database, query)[0][0])
        seconds = max(time.monotonic() - started, 1e-3)
        stamped = (
            f"the worker stamped the due times of {first:,} cases in {seconds:.1f} s "
            f"({first / seconds:,.0f} cases/s)"
        )
        # Once stamped, the seeded cases long past their deadlines would have their warnings and
        # breaches recorded now, and the seeded offers past their expiry followed up: a
        # catch-up that takes a core's share for a minute (50,000 cases) or more. In a database
        # in use they were recorded when they fell due: what fell due over an hour ago is
        # marked so (the seed writes no history beyond `created`), the rest is the worker's.
        for kind in ("first_response", "resolution"):
            database.execute(o.postgres, o.database, _RECORDED_BEFORE.format(kind=kind))
        _step("waiting for the worker to catch up with what was due (idle for 5 s)")
        caught_up = time.monotonic()
        assert worker.process is not None
        while _cpu_share(worker.process.pid, seconds=IDLE_WINDOW) > IDLE_SHARE:
            if not worker.alive():
                raise BenchError(f"onestop worker stopped:\n{worker.log_tail()}")
            if time.monotonic() - started > SETTLE_TIMEOUT:
                raise BenchError(f"the worker was still busy after {SETTLE_TIMEOUT:.0f} s")
        idle = time.monotonic() - caught_up
        # Stamping rewrote every case: a million dead row versions, which the partial indexes
        # the worker reads every round still point at (its query for cases under other rules
        # read 1.1 million index entries, 1.3 s a round, until a VACUUM). A database in use is
        # vacuumed as it goes; this server may run without autovacuum, so the run vacuums here.
        vacuum_started = time.monotonic()
        database.execute(o.postgres, o.database, "VACUUM (ANALYZE) cases")
        vacuumed = time.monotonic() - vacuum_started
        return f"{stamped}; idle {idle:.1f} s later; cases vacuumed in {vacuumed:.1f} s"

    def seed_queues(self) -> str:
        """Offers, referrals and escalations for the work queues (`bench.seed_queues`), keeping
        the helpers `bench.seed_routing` made."""
        _step("seeding the work queues: offers, referrals, escalations")
        out = run(
            [str(VENV / "python"), "-m", "bench.seed_queues", self.env["DATABASE_URL"],
             "--keep-profiles"],
            env=self.env,
            timeout=900,
            what="bench.seed_queues",
        )  # fmt: skip
        return out.strip().splitlines()[-1]

    def worker_sweep(self) -> str:
        """The worker through `sweep_items` due items, after the scenarios (it changes the
        data): the report's last line."""
        items = self.options.sweep_items
        if not items:
            return ""
        _step(f"worker sweep: {items:,} due items")
        out = run(
            [str(VENV / "python"), "-m", "bench.worker_sweep", self.env["DATABASE_URL"],
             "--items", str(items)],
            env=self.env,
            timeout=1800,
            what="bench.worker_sweep",
        )  # fmt: skip
        line = out.strip().splitlines()[-1]
        self.document["worker_sweep"] = out.strip()
        _step(line)
        self.save()
        return line

    def servers(self) -> tuple[Server, Server]:
        o = self.options
        service = Server(
            "onestop serve",
            [str(VENV / "onestop"), "serve", "--host", "127.0.0.1", "--port", str(o.port),
             "--workers", str(o.workers), "--no-jobs"],
            env=self.env,
            port=o.port,
            ready_path="/readyz",
            log=self.work_dir / "service.log",
            workers_expected=o.workers,
        )  # fmt: skip
        limit = Server(
            "limit app",
            [str(VENV / "uvicorn"), "--app-dir", str(o.limit_app.parent),
             f"{o.limit_app.stem}:app", "--host", "127.0.0.1", "--port", str(o.limit_port),
             "--workers", str(o.workers), "--no-access-log"],
            env=self.limit_env,
            port=o.limit_port,
            ready_path="/openapi.json",
            log=self.work_dir / "limit.log",
            workers_expected=o.workers,
        )  # fmt: skip
        return service, limit

    def callers(self, scenario: Scenario | None = None) -> list[Caller]:
        """Fresh access tokens (they live 15 minutes) for the accounts `scenario` uses (a
        sign-in hashes a password: it costs the server a little), and the limit app's."""
        roles = {call.role for call in scenario.calls} if scenario else None
        chosen = [a for a in self.accounts if roles is None or a.role in roles]
        fresh = checks.sign_in(self.base, chosen, self.password)
        return [*fresh, Caller("limit", "limit", self.limit_token)]

    def warm_up(self, samples: Samples) -> None:
        o = self.options
        if not o.warmup:
            return
        _step(f"warming up both servers for {o.warmup} s each (not recorded)")
        load = Load(o.connections, o.threads, o.warmup, o.timeout)
        for scenario in (s for s in SCENARIOS if s.kind in ("mixed", "limit")):
            measure(
                self.limit_base if scenario.server == "limit" else self.base,
                plan=plan_lines(scenario, self.callers(scenario), samples, self.rng),
                load=load,
                work_dir=self.work_dir,
                label=f"warmup-{scenario.name}",
            )

    def measure(
        self,
        scenario: Scenario,
        server: Server,
        samples: Samples,
        *,
        latency_pass: bool,
        round_: int = 1,
    ) -> None:
        """One scenario: the load pass (`connections`, `seconds`) or the latency pass (a few
        clients, `latency_connections`, `latency_seconds`), on which p95 targets are judged
        when it runs. Its ratio to the limit app is to the limit app's run of the same round
        and pass."""
        o = self.options
        connections = o.latency_connections if latency_pass else o.connections
        seconds = o.latency_seconds if latency_pass else o.seconds
        _step(f"{scenario.name}: {seconds} s at {connections} connections")
        plan = plan_lines(scenario, self.callers(scenario), samples, self.rng)
        with MemorySampler(server) as memory:
            measured = measure(
                self.limit_base if scenario.server == "limit" else self.base,
                plan=plan,
                load=Load(connections, min(o.threads, connections), seconds, o.timeout),
                work_dir=self.work_dir,
                label=f"{scenario.name}@{connections}"
                + (f"-round{round_}" if o.rounds > 1 else ""),
            )
        outcome = Outcome(
            scenario,
            measured,
            peak_rss_mb={pid: round(kb / 1024, 1) for pid, kb in memory.peak_rss_kb.items()},
            hwm_mb={pid: round(kb / 1024, 1) for pid, kb in memory.hwm_kb.items()},
            connections=connections,
            latency_pass=latency_pass,
            latency_judged=latency_pass or not o.latency_connections,
            load_average=os.getloadavg()[0],
            round=round_,
        )
        baseline = next(
            (
                x
                for x in self.outcomes
                if x.scenario.name == scenario.ratio_to
                and x.latency_pass == latency_pass
                and x.round == round_
            ),
            None,
        )
        if baseline is not None and baseline.measured.per_second:
            outcome.ratio = measured.per_second / baseline.measured.per_second
        outcome.judge()
        self.outcomes.append(outcome)
        row = f"{table([outcome]).splitlines()[-1]} load {outcome.load_average:.1f}"
        if o.rounds > 1:
            row += f" round {round_}"
        print(row, flush=True)
        self.save()

    def save(self) -> None:
        self.document["rounds"] = self.options.rounds
        self.document["scenarios"] = [outcome.as_json() for outcome in self.outcomes]
        self.document["medians"] = [outcome.as_json() for outcome in medians(self.outcomes)]
        self.document["seconds"] = round(time.monotonic() - self.started, 1)
        write_json(self.result_file, self.document)

    def heading(self) -> str:
        o, m, d = self.options, self.document["machine"], self.document["database"]
        return (
            f"{o.profile} run at {self.document['commit']}: {d['cases']:,} cases "
            f"({d['database_bytes'] / 2**20:,.0f} MB), PostgreSQL {d['postgresql']}, "
            f"{m['cpus']} CPUs ({m['cpu_model']}), {o.workers} workers each, "
            f"{o.connections} connections, {o.seconds} s per scenario (reads, lists, queues and "
            f"suggestions also at {o.latency_connections} connections for "
            f"{o.latency_seconds} s), {o.rounds} round{'s' if o.rounds > 1 else ''}, "
            f"{self.document['seconds']:.0f} s in all"
        )


def _create_accounts(onestop: str, env: dict[str, str], volunteers: int) -> list[Account]:
    """The load's accounts, made with `onestop create-user` side by side (each call starts
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
    try:
        for name, role, process in running:
            try:
                out, err = process.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                raise BenchError(f"onestop create-user {name}: no answer after 120 s") from None
            if process.returncode != 0:
                raise BenchError(f"onestop create-user {name} failed:\n{err.strip()[-2000:]}")
            accounts.append(Account(name, role, out.strip().splitlines()[-1]))
    finally:
        for _, _, process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
    return accounts


def _cpu_share(pid: int, *, seconds: float) -> float:
    """The share of one core process `pid` used over the next `seconds` (from /proc)."""

    def used() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    try:
        before = used()
        time.sleep(seconds)
        return (used() - before) / seconds
    except (OSError, IndexError, ValueError):
        return 0.0  # gone: `alive()` tells


def _commit() -> str:
    """The code measured: the commit, marked when tracked files differ from it."""
    git = ["git", "-C", str(ROOT)]
    try:
        head = run([*git, "rev-parse", "--short", "HEAD"], env=os.environ, timeout=10, what="git")
        dirty = run(
            [*git, "status", "--porcelain", "--untracked-files=no"],
            env=os.environ,
            timeout=10,
            what="git",
        )
    except BenchError:
        return "unknown"
    return head.strip() + ("+changes" if dirty.strip() else "")


def _limit_table(limit_app: Path) -> str:
    """The limit app's own `create table if not exists` statement, read from its source."""
    tree = ast.parse(limit_app.read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "TABLE" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise BenchError(f"no TABLE statement in {limit_app}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
