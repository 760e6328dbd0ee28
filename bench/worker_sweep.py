# ruff: noqa: S608 - the statements interpolate integers and module constants only
"""How long the worker takes to work through a pile of due items.

    .venv/bin/python -m bench.worker_sweep [DATABASE_URL] [--items 10000]

On a database seeded by `bench.seed_cases` (and `bench.seed_routing` or `bench.seed_queues`
for the helpers), makes `--items` items due at once, on the server: a quarter are pending
offers past their expiry (one per open case, to a helper; the case is made `screened` without
a lead, as a case waiting for its first lead is), the rest are cases whose first response
deadline is past due (half of them: a breach to record) or past its warning (the other half: a
warning). Then runs the jobs that handle them (`offers`, `deadline_breaches`,
`deadline_warnings`, as `onestop worker` does, batch after batch, one transaction each) until
none is left, and prints the time, each job's time and the process's CPU time in it. Routing
runs in mode `auto`, the costly path: each expired offer is followed by an offer of the case to
its next ranked candidate (or an escalation after too many failed offers). Target: under a
minute for 10,000 items. The other jobs
are left out: on a seeded database every case still counts its deadlines under no rules yet,
so the re-stamping job would have a million cases to go through first.

Changes the database (the items are handled for real): run it last, or on a copy.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass

import sqlalchemy as sa

from models.base import utcnow
from models.enums import RoutingMode
from service.platform.db import create_engine, create_sessionmaker
from service.platform.settings import Settings
from service.routing.load import recount_all_sql
from service.worker.jobs import JOBS
from service.worker.runner import run_job

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_cases"
SWEPT = ("offers", "deadline_breaches", "deadline_warnings")
TARGET_SECONDS = 60.0


@dataclass(frozen=True)
class Sweep:
    items: int
    offers: int
    breaches: int
    warnings: int
    handled: dict[str, int]
    job_seconds: dict[str, float]
    job_cpu: dict[str, float]
    reoffered: int
    seconds: float

    def line(self) -> str:
        done = sum(self.handled.values())
        met = "met" if self.seconds < TARGET_SECONDS else "MISSED"
        return (
            f"worker sweep: {done:,} of {self.items:,} due items ({self.offers:,} offers to "
            f"expire, {self.breaches:,} breaches, {self.warnings:,} warnings) in "
            f"{self.seconds:.1f} s ({done / max(self.seconds, 1e-9):,.0f}/s; target < "
            f"{TARGET_SECONDS:.0f} s: {met})"
        )


def seed_statements(items: int) -> tuple[str, ...]:
    """Statements making `items` items due now (offers first, then deadlines)."""
    offers = items // 4
    deadlines = items - offers
    breaches = deadlines // 2
    return (
        # No pending offer may stay from before: one case has one pending offer at most.
        "UPDATE offers SET status = 'expired', answered_at = now() WHERE status = 'pending'",
        f"""INSERT INTO offers (id, case_id, user_id, status, created_at, expires_at)
           SELECT gen_random_uuid(), c.id, h.user_id, 'pending', now() - interval '5 hours',
                  now() - interval '1 minute'
           FROM (SELECT id FROM cases WHERE status <> 'closed' ORDER BY created_at DESC
                 LIMIT {offers}) AS c
           CROSS JOIN LATERAL (
               SELECT user_id FROM helper_profiles
               ORDER BY md5(user_id::text || c.id::text) LIMIT 1
           ) AS h""",
        # An offer waits on a screened case without a lead: its expiry is followed up.
        """UPDATE cases SET status = 'screened', lead_id = NULL
           WHERE id IN (SELECT case_id FROM offers WHERE status = 'pending')""",
        # Deadlines: the newest closed cases, so none of them is among the offers' cases.
        f"""UPDATE cases SET
               first_response_met_at = NULL, first_response_warned_at = NULL,
               first_response_breached_at = NULL,
               first_response_warn_at = now() - interval '2 hours',
               first_response_due_at = CASE WHEN n <= {breaches}
                   THEN now() - interval '1 hour' ELSE now() + interval '1 hour' END
           FROM (SELECT id, row_number() OVER (ORDER BY created_at DESC) AS n FROM cases
                 WHERE status = 'closed' ORDER BY created_at DESC LIMIT {deadlines}) AS due
           WHERE cases.id = due.id""",
        # The helpers' stored load, as the service keeps it.
        *recount_all_sql(),
        "ANALYZE offers",
        "ANALYZE cases",
    )


async def sweep(url: str, *, items: int) -> Sweep:
    engine = create_engine(url, pool_size=2)
    settings = Settings(routing_mode=RoutingMode.auto)
    try:
        async with engine.begin() as connection:
            for statement in seed_statements(items):
                await connection.execute(sa.text(statement))
            offers = int(
                (
                    await connection.execute(
                        sa.text("SELECT count(*) FROM offers WHERE status = 'pending'")
                    )
                ).scalar_one()
            )
        deadlines = items - items // 4
        sessionmaker = create_sessionmaker(engine)
        jobs = [job for job in JOBS if job.name in SWEPT]
        handled = dict.fromkeys(SWEPT, 0)
        job_seconds = dict.fromkeys(SWEPT, 0.0)
        job_cpu = dict.fromkeys(SWEPT, 0.0)
        sweep_began = utcnow()
        started = time.monotonic()
        while True:
            now = utcnow()
            counts = {}
            for job in jobs:
                job_started, cpu_started = time.monotonic(), time.process_time()
                counts[job.name] = await run_job(sessionmaker, job, settings=settings, now=now)
                job_seconds[job.name] += time.monotonic() - job_started
                job_cpu[job.name] += time.process_time() - cpu_started
            for name, count in counts.items():
                handled[name] += count
            if not any(counts.values()):
                break
        seconds = time.monotonic() - started
        async with engine.connect() as connection:
            reoffered = int(
                (
                    await connection.execute(
                        sa.text(
                            "SELECT count(*) FROM offers WHERE status = 'pending' "
                            "AND offered_by_id IS NULL AND created_at >= :began"
                        ),
                        {"began": sweep_began},
                    )
                ).scalar_one()
            )
    finally:
        await engine.dispose()
    return Sweep(
        items=offers + deadlines,
        offers=offers,
        breaches=deadlines // 2,
        warnings=deadlines - deadlines // 2,
        handled=handled,
        job_seconds=job_seconds,
        job_cpu=job_cpu,
        reoffered=reoffered,
        seconds=seconds,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="a postgresql+asyncpg URL")
    parser.add_argument("--items", type=int, default=10_000)
    arguments = parser.parse_args()
    result = asyncio.run(sweep(arguments.url, items=arguments.items))
    print(
        ", ".join(
            f"{name} {count:,} in {result.job_seconds[name]:.1f} s "
            f"(CPU {result.job_cpu[name]:.1f} s)"
            for name, count in result.handled.items()
        )
        + f"; routing auto: {result.reoffered:,} offered anew"
    )
    print(result.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
