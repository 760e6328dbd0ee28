"""CPU time and statements per request, in-process, on PostgreSQL: where a request's cost goes.

    .venv/bin/python -m bench.profile_requests [DATABASE_URL] --seed 20000    # once
    .venv/bin/python -m bench.profile_requests [DATABASE_URL] [--runs 5] [--requests 200]
    .venv/bin/python -m bench.profile_requests --only intake --cprofile 30    # top 30 entries

The app is called as uvicorn calls it (an ASGI scope, the body, the answer collected), one
request at a time, so the figures are the server's own work: no HTTP parsing, no client. For
each scenario: warm-up requests, then `--runs` runs of `--requests` requests; it prints the
median CPU milliseconds per request (`time.process_time`, this process only: PostgreSQL's own
work is not in it), the median wall milliseconds, and the statements each request sent (counted
on the engine). CPU time does not drift with the machine's load as throughput does, so two
versions compare by it even on a shared machine. `--cprofile N` profiles one run of each
scenario and prints its top N functions by own time and by cumulative time.

The database (default `bench_profile`, never a shared one) is migrated and seeded by `--seed N`
(`bench.seed_cases`, with events, then `bench.seed_routing`: 5,000 helpers and 300 agencies,
then the due times stamped by the worker's restamping job) and holds the profile's own
accounts (`profile.*`).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from auth.passwords import hash_password_sync
from auth.tokens import TokenKind, issue_token
from bench import seed_cases, seed_routing
from models.base import utcnow
from models.enums import Role
from service.app import create_app
from service.platform.crypto import audit_key
from service.platform.db import create_engine, create_sessionmaker
from service.platform.settings import Environment, Settings
from service.worker.jobs import JOBS
from service.worker.runner import run_job

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_profile"
JWT_SECRET = "profile-jwt-secret-" + "j" * 32
DATA_KEY = "profile-data-key-" + "d" * 32
ROLES = (Role.volunteer, Role.caseworker)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""


@dataclass
class Answer:
    status: int = 0
    body: bytes = b""


async def call(app: Any, request: Request) -> Answer:
    """One request through the ASGI app, as a server would make it."""
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"content-length", str(len(request.body)).encode()),
        *request.headers,
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    answer = Answer()

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    await app(scope, receive, send)
    return answer


def settings_for(url: str) -> Settings:
    return Settings(
        environment=Environment.production,
        database_url=url,
        jwt_secret=JWT_SECRET,
        data_key=DATA_KEY,
        log_level="WARNING",
    )


async def seed(url: str, cases: int) -> None:
    await seed_cases.main(
        url, cases=cases, users=300, seed=0.42, busiest=(), event_key=audit_key(DATA_KEY)
    )
    await seed_routing.main(url, helpers=5000, agencies=300, seed=9)
    await stamp_due_times(url)


async def stamp_due_times(url: str) -> None:
    """The seeded cases' due times, as the worker's restamping job computes them (the seed
    writes none), so the deadline queues hold what a database in use holds."""
    engine = create_engine(url, pool_size=1)
    settings = settings_for(url)
    sessionmaker = create_sessionmaker(engine)
    job = next(job for job in JOBS if job.name == "deadline_times")
    stamped = await run_job(sessionmaker, job, settings=settings, now=utcnow())
    await engine.dispose()
    print(f"stamped the due times of {stamped:,} cases")


async def accounts(engine: AsyncEngine, settings: Settings) -> dict[Role, str]:
    """An access token per role, for accounts created on first use."""
    tokens: dict[Role, str] = {}
    async with engine.begin() as connection:
        for role in ROLES:
            username = f"profile.{role.value}"
            user_id = await connection.scalar(
                sa.text("SELECT id FROM users WHERE username = :u"), {"u": username}
            )
            if user_id is None:
                user_id = uuid.uuid4()
                now = utcnow()
                await connection.execute(
                    sa.text(
                        "INSERT INTO users (id, username, display_name, role, password_hash, "
                        "is_active, token_version, password_changed_at, created_at, updated_at) "
                        "VALUES (:id, :u, :d, :r, :p, true, 1, :now, :now, :now)"
                    ),
                    {
                        "id": user_id,
                        "u": username,
                        "d": f"Profile {role.value}",
                        "r": role.value,
                        "p": hash_password_sync("profile-password"),
                        "now": now,
                    },
                )
            family_id = uuid.uuid4()
            await connection.execute(
                sa.text(
                    "INSERT INTO refresh_families (id, user_id, created_at) VALUES (:f, :u, :n)"
                ),
                {"f": family_id, "u": user_id, "n": utcnow()},
            )
            version = await connection.scalar(
                sa.text("SELECT token_version FROM users WHERE id = :u"), {"u": user_id}
            )
            tokens[role] = issue_token(
                settings,
                kind=TokenKind.access,
                subject=user_id,
                version=int(version),
                family_id=family_id,
                now=utcnow(),
            ).token
    return tokens


@dataclass
class Samples:
    cases: list[str]
    open_cases: list[str]
    district: str
    names: list[tuple[str, str]]
    first_names: list[str]


async def samples(engine: AsyncEngine) -> Samples:
    async with engine.connect() as connection:
        query = "SELECT id::text FROM cases ORDER BY random() LIMIT 500"
        cases = (await connection.execute(sa.text(query))).scalars()
        query = "SELECT id::text FROM cases WHERE status <> 'closed' ORDER BY random() LIMIT 500"
        open_cases = (await connection.execute(sa.text(query))).scalars()
        district = await connection.scalar(
            sa.text(
                "SELECT district_code FROM cases WHERE province_code = '10' "
                "AND district_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            )
        )
        names = (
            await connection.execute(
                sa.text(
                    "SELECT client_first_name, client_last_name FROM cases WHERE district_code = "
                    ":d AND client_first_name IS NOT NULL AND client_last_name IS NOT NULL "
                    "GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 20"
                ),
                {"d": district},
            )
        ).all()
        first = (
            await connection.execute(
                sa.text(
                    "SELECT client_first_name FROM cases WHERE client_first_name IS NOT NULL "
                    "GROUP BY 1 ORDER BY count(*) DESC LIMIT 20"
                )
            )
        ).scalars()
        pairs = [(str(n[0]), str(n[1])) for n in names]
        return Samples(list(cases), list(open_cases), str(district), pairs, list(first))


def thai_id(rng: random.Random) -> str:
    digits = [rng.randint(1, 8)] + [rng.randint(0, 9) for _ in range(11)]
    total = sum(d * (13 - i) for i, d in enumerate(digits))
    return "".join(map(str, digits)) + str((11 - total % 11) % 10)


def scenarios(
    tokens: dict[Role, str], data: Samples, rng: random.Random
) -> dict[str, Callable[[], Request]]:
    def auth(role: Role) -> tuple[bytes, bytes]:
        return (b"authorization", f"Bearer {tokens[role]}".encode())

    def intake() -> Request:
        first, last = rng.choice(data.names)
        body = {
            "summary": "ผู้สูงอายุอยู่บ้านลำพัง ไม่มีรายได้ ขาดอาหาร เพื่อนบ้านแจ้ง",
            "categories": [rng.choice(["older_person", "income_livelihood", "disability"])],
            "urgency": rng.choice(["normal", "high", "low"]),
            "channel": "mobile",
            "client_reference": str(uuid.uuid4()),
            "client": {
                "first_name": first,
                "last_name": last,
                "id_type": "thai_id",
                "id_number": thai_id(rng),
                "birth_year": rng.randint(2480, 2560),
                "phone": f"08{rng.randint(0, 9)}{rng.randint(0, 9_999_999):07d}",
            },
            "reporter": {"relationship": "neighbour"},
            "location": {"province_code": "10", "district_code": data.district},
            "consent": {"data_collection": "given", "share_with_agencies": True},
        }
        return Request(
            "POST",
            "/api/v1/cases",
            headers=(
                auth(Role.volunteer),
                (b"content-type", b"application/json"),
                (b"idempotency-key", str(uuid.uuid4()).encode()),
            ),
            body=json.dumps(body, ensure_ascii=False).encode(),
        )

    def get(path: str, query: str = "", role: Role = Role.caseworker) -> Callable[[], Request]:
        return lambda: Request(
            "GET",
            path.format(case=rng.choice(data.cases), open_case=rng.choice(data.open_cases)),
            query=query.format(first_name=rng.choice(data.first_names)),
            headers=(auth(role),),
        )

    return {
        "healthz": get("/healthz"),
        "me": get("/api/v1/users/me"),
        "intake": intake,
        "detail": get("/api/v1/cases/{case}"),
        "timeline": get("/api/v1/cases/{case}/timeline"),
        "list-status": get("/api/v1/cases", "status=new&limit=50"),
        "list-q-name": get("/api/v1/cases", "q={first_name}&limit=50"),
        "list-lead-me": get("/api/v1/cases", "lead=me&limit=50", role=Role.volunteer),
        # Routing: ranked helpers and agencies (`--seed` adds `bench.seed_routing`'s).
        "suggestions": get("/api/v1/cases/{open_case}/suggestions"),
        # Work queues as caseworkers see them (`--seed` stamps the due times).
        "queue-unassigned": get("/api/v1/queues/unassigned", "limit=50"),
        "queue-at-risk": get("/api/v1/queues/at-risk", "limit=50"),
        "queue-breached": get("/api/v1/queues/breached", "limit=50"),
        "queue-workload": get("/api/v1/queues/workload", "limit=50"),
        "queue-escalated": get("/api/v1/queues/escalated", "limit=50"),
        "queue-offers": get("/api/v1/queues/offers", "limit=50"),
        "queue-referrals": get("/api/v1/queues/referrals", "limit=50"),
    }


class StatementCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.sent: list[str] = []
        sa.event.listen(engine.sync_engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.sent.append(statement)


async def run(make: Callable[[], Request], app: Any, count: int) -> tuple[float, float]:
    """CPU and wall seconds of `count` requests, one at a time."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        answer = await call(app, make())
        if answer.status >= 300:
            raise SystemExit(f"answer {answer.status}: {answer.body[:500]!r}")
    return time.process_time() - cpu, time.perf_counter() - wall


async def main(arguments: argparse.Namespace) -> None:
    if arguments.seed:
        await seed(arguments.url, arguments.seed)
    settings = settings_for(arguments.url)
    engine = create_engine(arguments.url, pool_size=4)
    app = create_app(settings, sessionmaker=create_sessionmaker(engine))
    tokens = await accounts(engine, settings)
    data = await samples(engine)
    rng = random.Random(7)  # noqa: S311 - request variety, not secrets
    chosen = scenarios(tokens, data, rng)
    counter = StatementCounter(engine)
    print(f"{'scenario':<14} {'cpu ms/req':>10} {'wall ms/req':>11} {'statements/req':>15}")
    for name, make in chosen.items():
        if arguments.only and name not in arguments.only:
            continue
        await run(make, app, arguments.warmup)
        counter.sent.clear()
        await call(app, make())
        statements = list(counter.sent)
        cpu_ms, wall_ms = [], []
        for _ in range(arguments.runs):
            cpu, wall = await run(make, app, arguments.requests)
            cpu_ms.append(cpu * 1000 / arguments.requests)
            wall_ms.append(wall * 1000 / arguments.requests)
        print(
            f"{name:<14} {statistics.median(cpu_ms):>10.2f} {statistics.median(wall_ms):>11.2f} "
            f"{len(statements):>15}   (cpu runs: {', '.join(f'{v:.2f}' for v in cpu_ms)})"
        )
        if arguments.statements:
            for statement in statements:
                print("    " + " ".join(statement.split())[:160])
        if arguments.pyinstrument:
            from pyinstrument import Profiler  # a development tool, not a dependency

            sampler = Profiler(interval=0.0005, async_mode="enabled")
            sampler.start()
            await run(make, app, arguments.requests)
            sampler.stop()
            print(sampler.output_text(unicode=False, color=False, show_all=False))
        if arguments.cprofile:
            profiler = cProfile.Profile()
            profiler.enable()
            await run(make, app, arguments.requests)
            profiler.disable()
            for order in ("tottime", "cumulative"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(arguments.cprofile)
                print(out.getvalue())
    await engine.dispose()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="a postgresql+asyncpg URL")
    parser.add_argument("--seed", type=int, default=0, help="migrate and seed this many cases")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--only", nargs="*", default=[], help="scenario names")
    parser.add_argument("--statements", action="store_true", help="print each statement")
    parser.add_argument("--cprofile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--pyinstrument", action="store_true", help="print a call tree")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(_arguments()))
