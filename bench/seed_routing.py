"""Seed the people and agencies that routing suggestions rank, on PostgreSQL, with COPY.

    .venv/bin/python -m bench.seed_routing [DATABASE_URL] [--helpers 5000] [--agencies 300]

Run after `bench.seed_cases` (it gives the helpers their load): it adds `--helpers` helper
accounts (`bench.helper.NNNN`: four in five volunteers, the rest caseworkers) with their
profiles and service areas, and `--agencies` organizations (`Bench agency NNN`) with one to
three services each, their areas, languages and capacity; then hands the open cases led by the
seeded staff (`bench.*`) to the helpers, so each helper's load (open cases led) is realistic,
and analyses the tables. The agencies of an earlier routing seed are removed first (its helpers
go with `bench.seed_cases`'s reset); the load's own accounts and their cases are left alone.

The helpers:

- areas drawn with the case seed's weights (`seed_cases._areas`: Bangkok-heavy, the central
  districts of a province busier): one to four district codes in one province, one in ten a
  whole province instead;
- one to four skills (categories, weighted as cases are), Thai always, one in five also
  English, one in ten Burmese, Khmer or Lao;
- capacity 3 to 10 open cases; nine in ten available, one in twenty on leave for some days;
- volunteers carry a valid social-development volunteer (อพม.) card of their province, expiring
  in 31 to 730 days; caseworkers none;
- one in three assigned a case in the last 60 days (`last_assigned_at`).

The agencies: one in four province-wide (a provincial office: its province's code), one in
two district-level (two to six district codes), the rest national (`TH`); a few serve people
abroad. Each service serves one to five categories and most target groups, speaks Thai (and
sometimes another language), has room 0 to 20 in one capacity unit, and takes referrals (one
in ten inactive or not taking them).

The values are a pure function of `--seed`, so two runs seed the same data.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from bench.seed_cases import CATEGORY_WEIGHTS, USER_NAMESPACE, _areas
from models.enums import Role, ServiceStatus, TargetGroup, Urgency
from service.routing.agency_directory import NEW_STAMP_SQL
from service.routing.load import recount_all_sql

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_cases"
# No one signs in as a seeded helper: a hash that matches no password.
NO_PASSWORD = "!bench-helper-no-password"  # noqa: S105 - not a password
OTHER_LANGUAGES = ("my", "km", "lo")
HELPER_PREFIX = "bench.helper."
AGENCY_PREFIX = "Bench agency "


@dataclass(frozen=True)
class RoutingSummary:
    helpers: int
    helper_areas: int
    services: int
    cases_led_by_helpers: int
    seconds: float


def _pick_categories(rng: random.Random, count: int) -> list[str]:
    codes = [c.value for c in CATEGORY_WEIGHTS]
    weights = list(CATEGORY_WEIGHTS.values())
    chosen: list[str] = []
    while len(chosen) < count:
        code = rng.choices(codes, weights)[0]
        if code not in chosen:
            chosen.append(code)
    return chosen


def _helper_rows(
    count: int, rng: random.Random, now: datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Users, helper profiles and helper areas, as COPY records."""
    areas, slots = _areas()
    districts_of: dict[str, list[str]] = {}
    for _, province, district in areas:
        if district:
            districts_of.setdefault(province, []).append(district)
    users, profiles, helper_areas = [], [], []
    for position in range(1, count + 1):
        role = Role.volunteer if position % 5 else Role.caseworker
        username = f"{HELPER_PREFIX}{position:05d}"
        user_id = uuid.uuid5(USER_NAMESPACE, username)
        users.append(
            (user_id, username, f"Bench helper {position}", role.value, NO_PASSWORD, True, 1,
             now, now, now)
        )  # fmt: skip
        _, province, district = areas[rng.choice(slots) - 1]
        if rng.random() < 0.1 or not district or province not in districts_of:
            codes = [province]
        else:
            nearby = districts_of[province]
            codes = list(
                dict.fromkeys([district, *rng.sample(nearby, min(len(nearby), rng.randint(0, 3)))])
            )
        helper_areas += [(user_id, code, code[:2]) for code in codes]
        languages = ["th"]
        if rng.random() < 0.2:
            languages.append("en")
        if rng.random() < 0.1:
            languages.append(rng.choice(OTHER_LANGUAGES))
        volunteer = role is Role.volunteer
        profiles.append(
            (
                user_id,
                json.dumps(_pick_categories(rng, rng.randint(1, 4))),
                json.dumps(languages),
                rng.randint(3, 10),
                rng.random() < 0.9,
                now + timedelta(days=rng.randint(1, 14)) if rng.random() < 0.05 else None,
                rng.choice((None, 4, 8, 12, 20, 40)),
                f"{province}-{position:06d}" if volunteer else None,
                province if volunteer else None,
                (now + timedelta(days=rng.randint(31, 730))).date() if volunteer else None,
                now - timedelta(hours=rng.randint(1, 60 * 24)) if rng.random() < 1 / 3 else None,
                now,
                now,
            )
        )
    return users, profiles, helper_areas


def _agency_rows(count: int, rng: random.Random, now: datetime) -> dict[str, list[tuple[Any, ...]]]:
    """Organizations, services and the services' areas, languages and capacities."""
    areas, slots = _areas()
    districts_of: dict[str, list[str]] = {}
    for _, province, district in areas:
        if district:
            districts_of.setdefault(province, []).append(district)
    groups = [g.value for g in TargetGroup]
    rows: dict[str, list[tuple[Any, ...]]] = {
        "organizations": [],
        "services": [],
        "service_areas": [],
        "languages": [],
        "service_capacities": [],
    }
    for position in range(1, count + 1):
        organization_id = uuid.uuid5(USER_NAMESPACE, f"bench.agency.{position}")
        name = f"{AGENCY_PREFIX}{position:03d}"
        rows["organizations"].append(
            (organization_id, name, f"A seeded agency ({position}).", 1, now, now)
        )
        _, province, district = areas[rng.choice(slots) - 1]
        for number in range(1, rng.randint(1, 3) + 1):
            service_id = uuid.uuid5(organization_id, str(number))
            scope = rng.random()
            if scope < 0.25:
                codes = [province]
            elif scope < 0.75 and province in districts_of:
                nearby = districts_of[province]
                codes = rng.sample(nearby, min(len(nearby), rng.randint(2, 6)))
            else:
                codes = ["TH"]
            usable = rng.random()
            rows["services"].append(
                (
                    service_id,
                    organization_id,
                    f"{name} service {number}",
                    (ServiceStatus.inactive if usable < 0.05 else ServiceStatus.active).value,
                    json.dumps(_pick_categories(rng, rng.randint(1, 5))),
                    json.dumps(rng.sample(groups, rng.randint(2, len(groups)))),
                    not 0.05 <= usable < 0.1,
                    rng.random() < 0.03,
                    DEADLINE_HOURS,
                    1,
                    now,
                    now,
                )
            )
            rows["service_areas"] += [(uuid.uuid4(), service_id, code) for code in codes]
            languages = ["th"] + (["en"] if rng.random() < 0.3 else [])
            if rng.random() < 0.1:
                languages.append(rng.choice(OTHER_LANGUAGES))
            rows["languages"] += [(uuid.uuid4(), service_id, code) for code in languages]
            maximum = rng.randint(5, 40)
            rows["service_capacities"].append(
                (uuid.uuid4(), service_id, uuid.uuid4(), "places",
                 rng.randint(0, min(20, maximum)), maximum, now)
            )  # fmt: skip
    return rows


COLUMNS = {
    "users": ("id", "username", "display_name", "role", "password_hash", "is_active",
              "token_version", "password_changed_at", "created_at", "updated_at"),
    "helper_profiles": ("user_id", "skills", "languages", "capacity", "available", "leave_until",
                        "weekly_hours", "card_number", "card_province_code", "card_expires_on",
                        "last_assigned_at", "created_at", "updated_at"),
    "helper_areas": ("user_id", "code", "province_code"),
    "organizations": ("id", "name", "description", "version", "created_at", "updated_at"),
    "services": ("id", "organization_id", "name", "status", "categories", "target_groups",
                 "accepts_referrals", "serves_abroad", "response_deadline_hours", "version",
                 "created_at", "updated_at"),
    "service_areas": ("id", "service_id", "area_code"),
    "languages": ("id", "service_id", "code"),
    "service_capacities": ("id", "service_id", "unit_id", "unit_name", "available", "maximum",
                           "updated"),
}  # fmt: skip


async def _reset(connection: asyncpg.Connection) -> None:
    """Remove the agencies of an earlier routing seed. Its helpers are removed by
    `bench.seed_cases` (with the other `bench.*` accounts, once the cases are emptied):
    deleting them with cases still pointing at accounts would check every reference row by row."""
    if await connection.fetchval(
        "SELECT count(*) FROM users WHERE username LIKE $1", f"{HELPER_PREFIX}%"
    ):
        raise SystemExit("helpers are already seeded: run bench.seed_cases first")
    agencies = f"{AGENCY_PREFIX}%"
    await connection.execute(
        "DELETE FROM services WHERE organization_id IN "
        "(SELECT id FROM organizations WHERE name LIKE $1)",
        agencies,
    )
    await connection.execute("DELETE FROM organizations WHERE name LIKE $1", agencies)


# The open cases the seeded staff (`bench.*`, not the load's accounts) lead go to helpers.
HAND_OVER = """
    WITH helper AS (
        SELECT id, row_number() OVER (ORDER BY id) AS n FROM users WHERE username LIKE $1
    ), open_led AS (
        SELECT c.id, 1 + floor(random() * (SELECT count(*) FROM helper))::int AS n
        FROM cases c JOIN users u ON u.id = c.lead_id
        WHERE c.status <> 'closed' AND u.username LIKE 'bench.%' AND u.username NOT LIKE $1
    )
    UPDATE cases SET lead_id = helper.id
    FROM open_led JOIN helper USING (n)
    WHERE cases.id = open_led.id
"""
DEADLINE_HOURS = json.dumps(
    {Urgency.critical: 2, Urgency.high: 8, Urgency.normal: 48, Urgency.low: 120}
)


async def seed_routing(
    connection: asyncpg.Connection, *, helpers: int, agencies: int, seed: int
) -> RoutingSummary:
    """Insert the helpers and agencies and hand the seeded staff's open cases to the helpers;
    no commit."""
    started = time.monotonic()
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
    now = datetime.now(UTC)
    await _reset(connection)
    users, profiles, helper_areas = _helper_rows(helpers, rng, now)
    tables = {"users": users, "helper_profiles": profiles, "helper_areas": helper_areas}
    tables.update(_agency_rows(agencies, rng, now))
    for table, records in tables.items():
        await connection.copy_records_to_table(table, records=records, columns=COLUMNS[table])
    # Each helper's load (open cases led) is then real.
    led = await connection.execute(HAND_OVER, f"{HELPER_PREFIX}%")
    for statement in recount_all_sql():  # and stored on their profiles, as the service keeps it
        await connection.execute(statement)
    await connection.execute(NEW_STAMP_SQL)  # the servers read the changed directory again
    return RoutingSummary(
        helpers=len(users),
        helper_areas=len(helper_areas),
        services=len(tables["services"]),
        cases_led_by_helpers=int(led.split()[-1]),
        seconds=time.monotonic() - started,
    )


async def main(url: str, *, helpers: int, agencies: int, seed: int) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute("SELECT setseed(0.17)")
        async with connection.transaction():
            summary = await seed_routing(connection, helpers=helpers, agencies=agencies, seed=seed)
        for table in (*COLUMNS, "cases"):
            await connection.execute(f"VACUUM (ANALYZE) {table}")
    finally:
        await connection.close()
    print(
        f"seeded {summary.helpers:,} helpers ({summary.helper_areas:,} service areas, "
        f"{summary.cases_led_by_helpers:,} open cases led) and {summary.services:,} agency "
        f"services in {summary.seconds:.1f} s"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="a postgresql+asyncpg URL")
    parser.add_argument("--helpers", type=int, default=5000)
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--seed", type=int, default=9)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = _arguments()
    asyncio.run(
        main(arguments.url, helpers=arguments.helpers, agencies=arguments.agencies,
             seed=arguments.seed)
    )  # fmt: skip
