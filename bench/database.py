"""The benchmark's databases: recreated empty, sized, and sampled for request values.

Only databases named `bench_*` are ever dropped: the harness refuses any other name.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from bench.processes import BenchError
from bench.scenarios import Samples

CONNECT_TIMEOUT = 5.0


def _check_name(name: str) -> None:
    if not name.startswith("bench_") or not name.replace("_", "").isalnum():
        raise BenchError(f"refusing to drop {name!r}: benchmark databases are named bench_*")


async def _connect(server: str, database: str) -> asyncpg.Connection:
    try:
        return await asyncpg.connect(f"{server}/{database}", timeout=CONNECT_TIMEOUT)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        raise BenchError(
            f"PostgreSQL is not reachable at {server} ({type(error).__name__}: {error}); "
            "start it, or point BENCH_POSTGRES at a server (see bench/README.md)"
        ) from None


def recreate(server: str, *names: str) -> None:
    """Drop (closing their sessions) and create each database."""

    for name in names:
        _check_name(name)

    async def work() -> None:
        connection = await _connect(server, "postgres")
        try:
            for name in names:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(work())


def execute(server: str, database: str, statement: str) -> None:
    """Run one statement (DDL, say) on `database`."""

    async def work() -> None:
        connection = await _connect(server, database)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(work())


def fetch(server: str, database: str, query: str, *args: Any) -> list[asyncpg.Record]:
    async def work() -> list[asyncpg.Record]:
        connection = await _connect(server, database)
        try:
            return list(await connection.fetch(query, *args))
        finally:
            await connection.close()

    return asyncio.run(work())


def describe(server: str, database: str) -> dict[str, Any]:
    """The PostgreSQL version, whether autovacuum runs, the database's size and row counts of
    the main tables."""
    row = fetch(
        server,
        database,
        "SELECT current_setting('server_version') AS version, "
        "current_setting('autovacuum') AS autovacuum, "
        "pg_database_size(current_database()) AS size, "
        "(SELECT count(*) FROM cases) AS cases, "
        "(SELECT count(*) FROM case_events) AS events, "
        "(SELECT count(*) FROM users) AS users",
    )[0]
    return {
        "postgresql": row["version"],
        "autovacuum": row["autovacuum"],
        "database_bytes": int(row["size"]),
        "cases": int(row["cases"]),
        "case_events": int(row["events"]),
        "users": int(row["users"]),
    }


def samples(server: str, database: str, leads: list[str]) -> Samples:
    """Cases, references and names to put in requests, and the cases each of `leads` leads."""

    async def work() -> Samples:
        connection = await _connect(server, database)
        try:
            cases = await connection.fetch(
                "SELECT id::text, reference, status FROM cases ORDER BY random() LIMIT 2000"
            )
            district = await connection.fetchval(
                "SELECT district_code FROM cases WHERE province_code = '10' "
                "AND district_code IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            )
            if district is None:
                raise BenchError("no seeded case in Bangkok: seed more cases")
            names = await connection.fetch(
                "SELECT client_first_name, client_last_name FROM cases "
                "WHERE district_code = $1 AND client_first_name IS NOT NULL "
                "AND client_last_name IS NOT NULL GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 20",
                district,
            )
            first_names = await connection.fetch(
                "SELECT client_first_name FROM cases WHERE client_first_name IS NOT NULL "
                "GROUP BY 1 ORDER BY count(*) DESC LIMIT 20"
            )
            own: dict[str, list[str]] = {}
            for user_id in leads:
                rows = await connection.fetch(
                    "SELECT id::text FROM cases WHERE lead_id = $1 "
                    "ORDER BY status = 'closed', random() LIMIT 100",
                    user_id,
                )
                own[user_id] = [row[0] for row in rows]
        finally:
            await connection.close()
        return Samples(
            cases=[row[0] for row in cases],
            open_cases=[row[0] for row in cases if row[2] != "closed"],
            references=[row[1] for row in cases],
            first_names=[row[0] for row in first_names],
            district=district,
            intake_names=[(row[0], row[1]) for row in names],
            own_cases=own,
        )

    return asyncio.run(work())
