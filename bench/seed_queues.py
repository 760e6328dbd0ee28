# ruff: noqa: S608 - the statements interpolate module constants only, never input
"""Add the routing rows the work queues read to cases seeded by `bench.seed_cases`.

    .venv/bin/python -m bench.seed_queues [DATABASE_URL] [--keep-profiles]

Generated on the server from the cases already there (`INSERT ... SELECT`, each case's own
hash deciding), so they look like the center's history: every case with a lead came through
an accepted offer and one in ten cases had a declined one before; the screened cases waiting
for a lead have a pending offer; 30 agencies, one service each; 15 % of cases were referred,
the open ones still waiting for the agency's answer, the closed ones answered long ago; 2 % of
cases were escalated, most of them closed since; every volunteer and caseworker has a helper
profile (`--keep-profiles`: the helpers `bench.seed_routing` made stay, as `make bench` needs
them for the suggestions). `seed_queues()` never commits, so the tests seed inside their own
transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from service.platform.db import create_engine
from service.routing.load import recount_all_sql

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/bench_cases"
AGENCIES = 30
# A case's share in [0, 1000), stable across runs: which rows it gets.
SHARE = "(abs(hashtext(c.id::text || {salt})) % 1000)"

PROFILES = (
    "DELETE FROM helper_areas",
    "DELETE FROM helper_profiles",
    """INSERT INTO helper_profiles (user_id, skills, languages, capacity, available,
        created_at, updated_at)
       SELECT id, '[]', '["th"]', 3 + abs(hashtext(id::text)) % 10,
              abs(hashtext(id::text)) % 10 <> 0, now(), now()
       FROM users WHERE role IN ('volunteer', 'caseworker')""",
)
STATEMENTS = (
    f"""INSERT INTO organizations (id, name, description, version, created_at, updated_at)
       SELECT md5('bench-organization-' || n)::uuid, 'Agency ' || n, 'Agency ' || n, 1,
              now(), now()
       FROM generate_series(1, {AGENCIES}) AS n
       ON CONFLICT (id) DO NOTHING""",
    f"""INSERT INTO services (id, organization_id, name, status, categories, target_groups,
        accepts_referrals, serves_abroad, response_deadline_hours, version, created_at,
        updated_at)
       SELECT md5('bench-service-' || n)::uuid, md5('bench-organization-' || n)::uuid,
              'Service ' || n, 'active', '[]', '[]', true, false, '{{}}', 1, now(), now()
       FROM generate_series(1, {AGENCIES}) AS n
       ON CONFLICT (id) DO NOTHING""",
    # The accepted offer that made each lead.
    """INSERT INTO offers (id, case_id, user_id, status, created_at, expires_at, answered_at)
       SELECT gen_random_uuid(), c.id, c.lead_id, 'accepted', c.created_at + interval '1 hour',
              c.created_at + interval '5 hours', c.created_at + interval '2 hours'
       FROM cases c WHERE c.lead_id IS NOT NULL""",
    # A declined offer before it, for one case in ten.
    f"""INSERT INTO offers (id, case_id, user_id, status, created_at, expires_at, answered_at,
        decline_reason)
       SELECT gen_random_uuid(), c.id, c.created_by_id, 'declined', c.created_at,
              c.created_at + interval '4 hours', c.created_at + interval '30 minutes', 'busy'
       FROM cases c WHERE {SHARE.format(salt="'declined'")} < 100""",
    # The pending offer of each screened case waiting for a lead, made in the last hours.
    f"""INSERT INTO offers (id, case_id, user_id, status, created_at, expires_at)
       SELECT gen_random_uuid(), c.id, h.user_id, 'pending',
              now() - ({SHARE.format(salt="'pending'")} * interval '10 seconds'),
              now() + interval '4 hours'
       FROM cases c
       CROSS JOIN LATERAL (
           SELECT user_id FROM helper_profiles
           ORDER BY md5(user_id::text || c.id::text) LIMIT 1
       ) AS h
       WHERE c.status = 'screened' AND c.lead_id IS NULL""",
    # Referrals: the open cases' still wait for an answer, the closed ones' were answered.
    f"""INSERT INTO referrals (id, case_id, service_id, organization_id, status, groups, basis,
        reason, created_at, response_due_at, answered_at, updated_at)
       SELECT gen_random_uuid(), c.id, md5('bench-service-' || a.n)::uuid,
              md5('bench-organization-' || a.n)::uuid,
              CASE WHEN c.status = 'closed' THEN 'completed' ELSE 'requested' END,
              '["contact"]', 'consent', 'bench', c.created_at + interval '1 day',
              c.created_at + interval '3 days',
              CASE WHEN c.status = 'closed' THEN c.created_at + interval '2 days' END,
              c.created_at + interval '1 day'
       FROM cases c
       CROSS JOIN LATERAL (
           SELECT 1 + abs(hashtext(c.id::text || 'agency')) % {AGENCIES} AS n
       ) AS a
       WHERE c.lead_id IS NOT NULL AND {SHARE.format(salt="'referred'")} < 150""",
    # Escalations, most of them of cases closed since (which ended them).
    f"""INSERT INTO case_routing (case_id, failed_offers, needs_routing, escalated_at,
        escalation_ended_at, updated_at)
       SELECT c.id, 3, c.lead_id IS NULL, c.created_at + interval '6 hours',
              CASE WHEN c.status = 'closed'
                   THEN greatest(c.closed_at, c.created_at + interval '6 hours') END,
              c.created_at + interval '6 hours'
       FROM cases c WHERE {SHARE.format(salt="'escalated'")} < 20""",
    # Each helper's stored load, as the service keeps it.
    *recount_all_sql(),
    "ANALYZE helper_profiles",
    "ANALYZE organizations",
    "ANALYZE services",
    "ANALYZE offers",
    "ANALYZE referrals",
    "ANALYZE case_routing",
)


CLEARED = ("DELETE FROM case_routing", "DELETE FROM referrals", "DELETE FROM offers")


async def seed_queues(connection: AsyncConnection, *, profiles: bool = True) -> None:
    """Replace the routing rows of the seeded cases (never commits); with `profiles`, the
    helper profiles too."""
    for statement in (*CLEARED, *(PROFILES if profiles else ()), *STATEMENTS):
        await connection.execute(sa.text(statement))


async def main(url: str, *, profiles: bool) -> int:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as connection:
            await seed_queues(connection, profiles=profiles)
            counts = {
                table: (
                    await connection.execute(sa.text(f"SELECT count(*) FROM {table}"))
                ).scalar_one()
                for table in ("offers", "referrals", "case_routing", "helper_profiles")
            }
    finally:
        await engine.dispose()
    print(", ".join(f"{count:,} {table}" for table, count in counts.items()))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL, help="a postgresql+asyncpg URL")
    parser.add_argument("--keep-profiles", action="store_true", help="keep the helper profiles")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.url, profiles=not arguments.keep_profiles)))
