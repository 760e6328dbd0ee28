"""Plans and timings of `GET /api/v1/cases` for every filter combination, on PostgreSQL.

    .venv/bin/python -m bench.explain_cases [DATABASE_URL] [--runs 20] [--plans]

Run it on a database filled by `bench.seed_cases`. Each list query is built by the service's
own `build_case_list_query` and run by `list_cases`, for the first page and for the page after
its cursor. For each one the script:

- captures the plan PostgreSQL really executes for it (auto_explain with ANALYZE and BUFFERS,
  sent back to the client as a notice), so the plan is the one of the app's own prepared
  statement and settings, not of a hand-written EXPLAIN;
- fails when the plan reads `cases` or `case_categories` with a sequential scan;
- times `list_cases` (settings, query, loading, rendering; one transaction per call, as one
  request is one) `--runs` times after two warm-up runs and reports the median and p95 in ms;
  a p95 over the SPEC's 30 ms fails too.

Loading auto_explain needs a superuser, as the bench database's owner usually is.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement, Executable

from models.enums import CaseStatus, Category, Role, Urgency
from models.user import User
from service.cases.listing import CaseFilters, build_case_list_query, list_cases
from service.platform.db import create_engine
from service.queues import waiting, work, workload

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_cases"
P95_TARGET_MS = 30.0
LIMIT = 50
SCANNED_TABLES = frozenset({"cases", "case_categories", "offers", "referrals", "case_routing"})
OPEN_STATUSES = [
    CaseStatus.new,
    CaseStatus.screened,
    CaseStatus.in_progress,
    CaseStatus.awaiting_client,
    CaseStatus.referred,
]


@dataclass(frozen=True)
class Samples:
    """Values picked from the seeded data so that every filter matches realistic rows."""

    staff: User
    volunteer: User  # a volunteer with a typical number of cases
    busy_volunteer: User  # the volunteer with the most cases
    lead: uuid.UUID  # a helper with a typical number of cases led
    reporter: uuid.UUID  # a user with a typical number of cases reported
    big_province: str
    small_province: str
    district: str
    reference: str
    common_first_name: str
    full_name: str
    last_name: str
    month_start: datetime


@dataclass(frozen=True)
class Scenario:
    name: str
    user: User
    filters: CaseFilters


@dataclass
class PlanNode:
    node: str
    relation: str | None
    index: str | None
    rows: int
    loops: int
    sorted_rows: int | None
    children: list[PlanNode] = field(default_factory=list)

    def walk(self) -> Iterator[PlanNode]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Plan:
    root: PlanNode
    milliseconds: float
    shared_hit: int
    shared_read: int

    def seq_scans(self) -> list[str]:
        return sorted(
            {
                node.relation
                for node in self.root.walk()
                if node.node == "Seq Scan" and node.relation in SCANNED_TABLES
            }
        )

    def sorted_rows(self) -> int:
        return max((node.sorted_rows or 0 for node in self.root.walk()), default=0)

    def summary(self) -> str:
        """The scans and sorts of the plan on one line, outermost first."""
        parts = []
        for node in self.root.walk():
            if node.node in ("Limit", "Result", "Materialize", "Memoize"):
                continue
            text = node.node
            if node.index:
                text += f" {node.index}"
            elif node.relation:
                text += f" {node.relation}"
            if node.sorted_rows is not None:
                text += f" ({node.sorted_rows} rows)"
            elif node.node in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Seq Scan"):
                text += f" ({node.rows * node.loops} rows)"
            parts.append(text)
        return " > ".join(parts)


def _node(raw: dict[str, Any]) -> PlanNode:
    children = [_node(child) for child in raw.get("Plans", [])]
    sorted_rows = None
    if raw["Node Type"] in ("Sort", "Incremental Sort") and children:
        child = children[0]
        sorted_rows = child.rows * child.loops
    return PlanNode(
        node=raw["Node Type"],
        relation=raw.get("Relation Name"),
        index=raw.get("Index Name"),
        rows=int(raw.get("Actual Rows", 0)),
        loops=int(raw.get("Actual Loops", 1)),
        sorted_rows=sorted_rows,
        children=children,
    )


def parse_plan(document: dict[str, Any]) -> Plan:
    """A JSON plan (EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) or auto_explain) as a tree."""
    top = document["Plan"]
    return Plan(
        root=_node(top),
        milliseconds=float(document.get("Execution Time", top.get("Actual Total Time", 0.0))),
        shared_hit=int(top.get("Shared Hit Blocks", 0)),
        shared_read=int(top.get("Shared Read Blocks", 0)),
    )


class Explain(Executable, ClauseElement):
    """`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` of a statement, with its bound values."""

    inherit_cache = False

    def __init__(self, statement: sa.Select[Any] | sa.CompoundSelect[Any]) -> None:
        self.statement = statement


@compiles(Explain, "postgresql")
def _compile_explain(element: Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + compiler.process(element.statement, **kw)


async def explain(
    connection: AsyncConnection, statement: sa.Select[Any] | sa.CompoundSelect[Any]
) -> Plan:
    """The plan PostgreSQL chooses for `statement` with its values, executed once."""
    document = (await connection.execute(Explain(statement))).scalar_one()
    if isinstance(document, str):
        document = json.loads(document)
    return parse_plan(document[0])


def _user(user_id: uuid.UUID, role: Role) -> User:
    return User(
        id=user_id, username=f"bench-{role.value}", display_name="", role=role, password_hash=""
    )


async def pick_samples(connection: AsyncConnection) -> Samples:
    """Typical values of each filter (medians), plus the busiest volunteer."""

    async def one(sql: str, **params: Any) -> Any:
        return (await connection.execute(sa.text(sql), params)).scalar_one()

    def median_of(group_sql: str) -> str:
        return (
            f"SELECT key FROM ({group_sql}) AS t(key, n) ORDER BY n DESC, key "  # noqa: S608
            f"OFFSET (SELECT count(*) / 2 FROM ({group_sql}) AS u) LIMIT 1"
        )

    staff = await one("SELECT id FROM users WHERE role = 'supervisor' ORDER BY username LIMIT 1")
    volunteer_counts = (
        "SELECT u.id, (SELECT count(*) FROM cases c WHERE c.created_by_id = u.id) "
        "+ (SELECT count(*) FROM cases c WHERE c.lead_id = u.id) "
        "FROM users u WHERE u.role = 'volunteer'"
    )
    volunteer = await one(median_of(volunteer_counts))
    busy = await one(
        f"SELECT key FROM ({volunteer_counts}) AS t(key, n) ORDER BY n DESC LIMIT 1"  # noqa: S608
    )
    lead = await one(
        median_of("SELECT lead_id, count(*) FROM cases WHERE lead_id IS NOT NULL GROUP BY 1")
    )
    reporter = await one(median_of("SELECT created_by_id, count(*) FROM cases GROUP BY 1"))
    big_province = await one(
        "SELECT province_code FROM cases GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    small_province = await one(median_of("SELECT province_code, count(*) FROM cases GROUP BY 1"))
    district = await one(
        median_of(
            "SELECT district_code, count(*) FROM cases WHERE district_code IS NOT NULL GROUP BY 1"
        )
    )
    total = await one("SELECT count(*) FROM cases")
    reference = await one(
        "SELECT reference FROM cases ORDER BY created_at, id OFFSET :half LIMIT 1",
        half=total // 2,
    )
    common_first = await one(
        "SELECT client_first_name FROM cases WHERE client_first_name IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    )
    full_name, last_name = (
        await connection.execute(
            sa.text(
                "SELECT client_first_name || ' ' || client_last_name, client_last_name "
                "FROM cases WHERE client_first_name IS NOT NULL "
                "ORDER BY created_at, id OFFSET :third LIMIT 1"
            ),
            {"third": total // 3},
        )
    ).one()
    newest = await one("SELECT max(created_at) FROM cases")
    month_start = (newest - timedelta(days=365)).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    return Samples(
        staff=_user(staff, Role.supervisor),
        volunteer=_user(volunteer, Role.volunteer),
        busy_volunteer=_user(busy, Role.volunteer),
        lead=lead,
        reporter=reporter,
        big_province=big_province,
        small_province=small_province,
        district=district,
        reference=reference,
        common_first_name=common_first,
        full_name=full_name,
        last_name=last_name,
        month_start=month_start.astimezone(UTC),
    )


def scenarios(s: Samples) -> list[Scenario]:
    """No filter, each filter alone, the volunteer scope and the common pairs."""
    month = {"created_from": s.month_start, "created_to": s.month_start + timedelta(days=31)}

    def staff(name: str, **filters: Any) -> Scenario:
        return Scenario(name, s.staff, CaseFilters(**filters))

    return [
        staff("no filter"),
        staff("status=new", statuses=[CaseStatus.new]),
        staff("status=open (5)", statuses=OPEN_STATUSES),
        staff("status=closed", statuses=[CaseStatus.closed]),
        staff("urgency=critical", urgency=Urgency.critical),
        staff("category=income_livelihood", category=Category.income_livelihood),
        staff("category=human_trafficking", category=Category.human_trafficking),
        staff("province=largest", province_code=s.big_province),
        staff("province=median", province_code=s.small_province),
        staff("district=median", district_code=s.district),
        staff("lead=<user>", lead=str(s.lead)),
        staff("lead=none", lead="none"),
        staff("reporter=<user>", reporter=str(s.reporter)),
        staff("created in a month", **month),
        staff("q=reference", q=s.reference),
        staff("q=first name", q=s.common_first_name),
        staff("q=full name", q=s.full_name),
        staff("q=last name", q=s.last_name),
        Scenario("volunteer own scope", s.volunteer, CaseFilters()),
        Scenario("busiest volunteer own scope", s.busy_volunteer, CaseFilters()),
        Scenario("busiest volunteer lead=me", s.busy_volunteer, CaseFilters(lead="me")),
        Scenario("busiest volunteer reporter=me", s.busy_volunteer, CaseFilters(reporter="me")),
        Scenario(
            "volunteer own scope + status=open", s.volunteer, CaseFilters(statuses=OPEN_STATUSES)
        ),
        Scenario(
            "volunteer own scope + category=older_person",
            s.volunteer,
            CaseFilters(category=Category.older_person),
        ),
        staff(
            "status=in_progress + urgency=critical",
            statuses=[CaseStatus.in_progress],
            urgency=Urgency.critical,
        ),
        staff(
            "province=largest + status=new",
            province_code=s.big_province,
            statuses=[CaseStatus.new],
        ),
        staff(
            "province=median + status=closed",
            province_code=s.small_province,
            statuses=[CaseStatus.closed],
        ),
        staff(
            "district=median + category=older_person",
            district_code=s.district,
            category=Category.older_person,
        ),
        staff(
            "category=older_person + status=in_progress",
            category=Category.older_person,
            statuses=[CaseStatus.in_progress],
        ),
        staff("lead=<user> + status=closed", lead=str(s.lead), statuses=[CaseStatus.closed]),
        staff(
            "lead=<user> + status=in_progress", lead=str(s.lead), statuses=[CaseStatus.in_progress]
        ),
        staff("created in a month + status=closed", statuses=[CaseStatus.closed], **month),
    ]


def scenario_names() -> list[str]:
    """The names of the scenarios, which do not depend on the sampled values."""
    someone = _user(uuid.UUID(int=1), Role.volunteer)
    stand_in = Samples(
        staff=_user(uuid.UUID(int=2), Role.supervisor),
        volunteer=someone,
        busy_volunteer=someone,
        lead=someone.id,
        reporter=someone.id,
        big_province="10",
        small_province="10",
        district="1001",
        reference="OS-2569-000001",
        common_first_name="x",
        full_name="x",
        last_name="x",
        month_start=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return [scenario.name for scenario in scenarios(stand_in)]


class PlanCapture:
    """The plans auto_explain sends back as notices on one connection."""

    def __init__(self) -> None:
        self.plans: list[Plan] = []

    def __call__(self, _connection: Any, message: Any) -> None:
        text = str(getattr(message, "message", message))
        if "plan:" not in text:
            return
        document = json.loads(text.split("plan:", 1)[1])
        # Only the list query itself, not the driver's own catalogue look-ups.
        if "FROM cases" in document.get("Query Text", ""):
            self.plans.append(parse_plan(document))


async def _raw(connection: AsyncConnection) -> Any:
    return (await connection.get_raw_connection()).driver_connection


async def enable_auto_explain(connection: AsyncConnection, capture: PlanCapture) -> None:
    raw = await _raw(connection)
    for statement in (
        "LOAD 'auto_explain'",
        "SET auto_explain.log_analyze = on",
        "SET auto_explain.log_buffers = on",
        "SET auto_explain.log_format = 'json'",
        "SET auto_explain.log_level = 'notice'",
        "SET auto_explain.log_min_duration = -1",
    ):
        await raw.execute(statement)
    raw.add_log_listener(capture)


async def captured_plan(
    session: AsyncSession, capture: PlanCapture, scenario: Scenario, cursor: str | None
) -> Plan:
    """The plan of one real `list_cases` call, as PostgreSQL executed it."""
    raw = await _raw(await session.connection())
    await raw.execute("SET auto_explain.log_min_duration = 0")
    capture.plans.clear()
    try:
        await list_cases(
            session, user=scenario.user, filters=scenario.filters, limit=LIMIT, cursor=cursor
        )
        await asyncio.sleep(0.01)
    finally:
        # After the rollback: a SET inside the transaction would be rolled back with it.
        await session.rollback()
        await raw.execute("SET auto_explain.log_min_duration = -1")
    if len(capture.plans) != 1:
        raise RuntimeError(f"expected one plan for {scenario.name}, got {len(capture.plans)}")
    return capture.plans[0]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def time_runs(
    session: AsyncSession, scenario: Scenario, cursor: str | None, runs: int
) -> list[float]:
    timings = []
    for attempt in range(runs + 2):
        started = time.perf_counter()
        await list_cases(
            session, user=scenario.user, filters=scenario.filters, limit=LIMIT, cursor=cursor
        )
        if attempt >= 2:
            timings.append((time.perf_counter() - started) * 1000)
        # One transaction per call, as one request is one transaction.
        await session.rollback()
    return timings


@dataclass
class Result:
    scenario: str
    page: str
    plan: Plan
    median_ms: float
    p95_ms: float

    def problems(self) -> list[str]:
        found = [f"reads {table} with a Seq Scan" for table in self.plan.seq_scans()]
        if self.p95_ms > P95_TARGET_MS:
            found.append(f"p95 {self.p95_ms:.1f} ms > {P95_TARGET_MS:.0f} ms")
        return found


async def measure(
    session: AsyncSession, capture: PlanCapture, scenario: Scenario, runs: int
) -> list[Result]:
    first = await list_cases(
        session, user=scenario.user, filters=scenario.filters, limit=LIMIT, cursor=None
    )
    results = []
    for page, cursor in (("first", None), ("after cursor", first.next_cursor)):
        if page != "first" and cursor is None:
            continue
        # The query must be the service's own: a filter it rejects fails here, not later.
        build_case_list_query(
            user=scenario.user, filters=scenario.filters, limit=LIMIT, cursor=cursor
        )
        plan = await captured_plan(session, capture, scenario, cursor)
        capture.plans.clear()
        timings = await time_runs(session, scenario, cursor, runs)
        if capture.plans:
            raise RuntimeError("auto_explain was still on while timing")
        results.append(
            Result(
                scenario=scenario.name,
                page=page,
                plan=plan,
                median_ms=statistics.median(timings),
                p95_ms=percentile(timings, 0.95),
            )
        )
    return results


def report(results: list[Result]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| query | page | median ms | p95 ms | DB ms | rows sorted | plan |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for result in results:
        lines.append(
            f"| {result.scenario} | {result.page} | {result.median_ms:.1f} | {result.p95_ms:.1f} "
            f"| {result.plan.milliseconds:.2f} | {result.plan.sorted_rows()} "
            f"| {result.plan.summary()} |"
        )
    return "\n".join(lines)


def tree(node: PlanNode, depth: int = 0) -> Iterator[str]:
    """The plan as an indented tree with actual rows."""
    target = node.index or node.relation or ""
    yield f"{'  ' * depth}-> {node.node} {target} (rows={node.rows} loops={node.loops})"
    for child in node.children:
        yield from tree(child, depth + 1)


# --------------------------------------------------------------------------- work queues


@dataclass(frozen=True)
class QueueScenario:
    """One work queue as one caller sees it: its query for a cursor, and its page as the
    service answers it (whose `next_cursor` leads to the second page)."""

    name: str
    query: Callable[[str | None], sa.Select[Any]]
    page: Callable[[AsyncSession, str | None], Awaitable[Any]]


async def queue_scenarios(connection: AsyncConnection) -> list[QueueScenario]:
    """The queues for staff and, where a volunteer has their own, for a volunteer with rows in
    it; the referrals queue also for the agency with the most referrals waiting (needs
    `bench.seed_queues`)."""

    async def one(sql: str) -> Any:
        return (await connection.execute(sa.text(sql))).scalar_one()

    staff = _user(
        await one("SELECT id FROM users WHERE role = 'supervisor' ORDER BY username LIMIT 1"),
        Role.supervisor,
    )
    volunteer_with = {
        "unassigned": "SELECT c.created_by_id FROM cases c JOIN users u ON u.id = c.created_by_id "
        "WHERE u.role = 'volunteer' AND c.status <> 'closed' AND c.lead_id IS NULL "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
        "offers": "SELECT o.user_id FROM offers o JOIN users u ON u.id = o.user_id "
        "WHERE u.role = 'volunteer' AND o.status = 'pending' GROUP BY 1 "
        "ORDER BY count(*) DESC LIMIT 1",
        "workload": "SELECT p.user_id FROM helper_profiles p JOIN users u ON u.id = p.user_id "
        "WHERE u.role = 'volunteer' ORDER BY p.user_id LIMIT 1",
        "escalated": "SELECT c.created_by_id FROM cases c JOIN case_routing r ON r.case_id = c.id "
        "JOIN users u ON u.id = c.created_by_id WHERE u.role = 'volunteer' "
        "AND c.status <> 'closed' AND r.escalated_at IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1",
    }
    volunteers = {
        name: _user(await one(sql), Role.volunteer) for name, sql in volunteer_with.items()
    }
    agency = await one(
        "SELECT organization_id FROM referrals WHERE status = 'requested' "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    now = datetime.now(UTC)
    found: list[QueueScenario] = []
    for name, user in (("", staff), (", volunteer", None)):

        def caller(queue: str, user: User | None = user) -> User:
            return user or volunteers[queue]

        found += [
            QueueScenario(
                f"unassigned{name}",
                lambda cursor, u=caller("unassigned"): work.unassigned_query(
                    user=u, limit=LIMIT, cursor=cursor
                ),
                lambda session, cursor, u=caller("unassigned"): work.unassigned_cases(
                    session, user=u, limit=LIMIT, cursor=cursor, now=now
                ),
            ),
            QueueScenario(
                f"offers{name}",
                lambda cursor, u=caller("offers"): waiting.offers_query(
                    user=u, limit=LIMIT, cursor=cursor
                ),
                lambda session, cursor, u=caller("offers"): waiting.waiting_offers(
                    session, user=u, limit=LIMIT, cursor=cursor, now=now
                ),
            ),
            QueueScenario(
                f"workload{name}",
                lambda cursor, u=caller("workload"): workload.workload_query(
                    user=u, limit=LIMIT, cursor=cursor
                ),
                lambda session, cursor, u=caller("workload"): workload.workload(
                    session, user=u, limit=LIMIT, cursor=cursor, now=now
                ),
            ),
            QueueScenario(
                f"escalated{name}",
                lambda cursor, u=caller("escalated"): work.escalated_query(
                    user=u, limit=LIMIT, cursor=cursor
                ),
                lambda session, cursor, u=caller("escalated"): work.escalated_cases(
                    session, user=u, limit=LIMIT, cursor=cursor, now=now
                ),
            ),
        ]
    for name, organization in (("referrals", None), ("referrals, one agency", agency)):

        def referrals_query(cursor: str | None, o: Any = organization) -> sa.Select[Any]:
            query = waiting.referrals_query(
                user=staff, organization_id=o, limit=LIMIT, cursor=cursor
            )
            assert query is not None
            return query

        found.append(
            QueueScenario(
                name,
                referrals_query,
                lambda session, cursor, o=organization: waiting.waiting_referrals(
                    session, user=staff, organization_id=o, limit=LIMIT, cursor=cursor, now=now
                ),
            )
        )
    return found


async def measure_queue(session: AsyncSession, scenario: QueueScenario, runs: int) -> list[Result]:
    """The plan (EXPLAIN ANALYZE of the service's own query) and the timings of the service
    call, for the first page and the page after its cursor."""
    first = await scenario.page(session, None)
    await session.rollback()
    results = []
    for page, cursor in (("first", None), ("after cursor", first.next_cursor)):
        if page != "first" and cursor is None:
            continue
        plan = await explain(await session.connection(), scenario.query(cursor))
        await session.rollback()
        timings = []
        for attempt in range(runs + 2):
            started = time.perf_counter()
            await scenario.page(session, cursor)
            if attempt >= 2:
                timings.append((time.perf_counter() - started) * 1000)
            await session.rollback()
        results.append(
            Result(
                scenario=f"queue {scenario.name}",
                page=page,
                plan=plan,
                median_ms=statistics.median(timings),
                p95_ms=percentile(timings, 0.95),
            )
        )
    return results


def show(results: list[Result], *, plans: bool) -> None:
    """One line per measured page as it is measured (and its plan as a tree)."""
    for result in results:
        print(
            f"{result.scenario:45} {result.page:12} median {result.median_ms:6.2f} "
            f"p95 {result.p95_ms:6.2f}  DB {result.plan.milliseconds:6.2f}  "
            f"{result.plan.summary()}",
            flush=True,
        )
        if plans:
            print("\n".join(tree(result.plan.root, 2)))


async def main(url: str, *, runs: int, show_plans: bool, only: str | None) -> int:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            capture = PlanCapture()
            await enable_auto_explain(connection, capture)
            samples = await pick_samples(connection)
            cases_total = (
                await connection.execute(sa.text("SELECT count(*) FROM cases"))
            ).scalar_one()
            await connection.rollback()
            print(f"{cases_total:,} cases; {LIMIT} per page; {runs} timed runs per query\n")
            session = AsyncSession(bind=connection, expire_on_commit=False)
            results: list[Result] = []
            for scenario in scenarios(samples):
                if only and only not in scenario.name:
                    continue
                measured = await measure(session, capture, scenario, runs)
                show(measured, plans=show_plans)
                results.extend(measured)
                session.expunge_all()
            for queue in await queue_scenarios(connection):
                if only and only not in f"queue {queue.name}":
                    continue
                measured = await measure_queue(session, queue, runs)
                show(measured, plans=show_plans)
                results.extend(measured)
                session.expunge_all()
            await session.close()
    finally:
        await engine.dispose()
    print()
    print(report(results))
    failures = [
        f"{result.scenario} ({result.page}): {problem}"
        for result in results
        for problem in result.problems()
    ]
    if failures:
        print("\nFAILED:\n" + "\n".join(failures))
        return 1
    print(f"\nOK: no Seq Scan on cases or case_categories; every p95 <= {P95_TARGET_MS:.0f} ms")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="a postgresql+asyncpg URL")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--plans", action="store_true", help="also print each plan as a tree")
    parser.add_argument("--only", help="run the scenarios whose name contains this text")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    sys.exit(
        asyncio.run(
            main(
                arguments.url, runs=arguments.runs, show_plans=arguments.plans, only=arguments.only
            )
        )
    )
