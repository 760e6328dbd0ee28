"""Plans and timings of `GET /api/v1/stats` over a month and over a year, on PostgreSQL.

    .venv/bin/python -m bench.explain_stats [DATABASE_URL] [--runs 5] [--plans]

Run it on a database filled by `bench.seed_cases`. The statistics are computed by the
service's own `read_statistics`, as a supervisor sees them (every figure). For each period the
script captures the plan of every statement PostgreSQL really executes (auto_explain, as
`bench.explain_cases` does), prints each one on a line, fails when one reads `cases` or
`case_categories` with a sequential scan over a month, and times the whole call `--runs` times
(median and worst, in ms). Over a year the planner may rightly prefer a sequential scan (a
third of all cases); that is reported, not failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from bench.explain_cases import DEFAULT_URL, PlanCapture, enable_auto_explain, parse_plan, tree
from models.base import utcnow
from models.enums import Role
from models.user import User
from service.platform.db import create_engine
from service.statistics.report import read_statistics
from service.thai.dates import BANGKOK


class AllPlans(PlanCapture):
    """Every statement's plan (not only the case list's), with the start of its text."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[str] = []

    def __call__(self, _connection: object, message: object) -> None:
        text = str(getattr(message, "message", message))
        if "plan:" not in text or "pg_catalog" in text:
            return
        document = json.loads(text.split("plan:", 1)[1])
        self.plans.append(parse_plan(document))
        self.queries.append(" ".join(document.get("Query Text", "").split()))


async def main(url: str, *, runs: int, show_plans: bool) -> int:
    engine = create_engine(url, pool_size=1)
    supervisor = User(username="bench", display_name="", role=Role.supervisor, password_hash="")
    failures: list[str] = []
    try:
        async with engine.connect() as connection:
            capture = AllPlans()
            await enable_auto_explain(connection, capture)
            newest = (
                await connection.execute(sa.text("SELECT max(created_at) FROM cases"))
            ).scalar_one()
            total = (await connection.execute(sa.text("SELECT count(*) FROM cases"))).scalar_one()
            await connection.rollback()
            last = newest.astimezone(BANGKOK).date()
            session = AsyncSession(bind=connection, expire_on_commit=False)
            raw = (await connection.get_raw_connection()).driver_connection
            print(f"{total:,} cases; newest {last}\n")
            for name, days in (("a month", 30), ("a year", 365)):
                first = last - timedelta(days=days - 1)
                await raw.execute("SET auto_explain.log_min_duration = 0")
                capture.plans.clear()
                capture.queries.clear()
                stats = await _once(session, supervisor, first, last)
                await session.rollback()
                await raw.execute("SET auto_explain.log_min_duration = -1")
                print(f"{name}: {first} to {last}, {stats} cases")
                for plan, query in zip(capture.plans, capture.queries, strict=True):
                    seq = plan.seq_scans()
                    print(
                        f"  {plan.milliseconds:8.1f} ms  {plan.summary()[:90]}\n      {query[:90]}"
                    )
                    if show_plans:
                        print("\n".join(tree(plan.root, 3)))
                    if seq and days <= 31:
                        failures.append(f"{name}: Seq Scan on {seq} in {query[:90]}")
                timings = []
                for _ in range(runs):
                    started = time.perf_counter()
                    await _once(session, supervisor, first, last)
                    timings.append((time.perf_counter() - started) * 1000)
                    await session.rollback()
                print(
                    f"  read_statistics: median {statistics.median(timings):.0f} ms, "
                    f"worst {max(timings):.0f} ms over {runs} runs\n"
                )
            await session.close()
    finally:
        await engine.dispose()
    if failures:
        print("FAILED:\n" + "\n".join(failures))
        return 1
    print("OK: no Seq Scan on cases or case_categories over a month")
    return 0


async def _once(session: AsyncSession, user: User, first: date, last: date) -> int:
    stats = await read_statistics(session, user=user, first=first, last=last, now=utcnow())
    return stats.cases


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="a postgresql+asyncpg URL")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--plans", action="store_true", help="also print each plan as a tree")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    sys.exit(asyncio.run(main(arguments.url, runs=arguments.runs, show_plans=arguments.plans)))
