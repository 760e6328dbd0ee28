"""A person's requests end to end, committed for real: access to their two cases, erasure
once the cases are closed (nothing personal left in any table, statistics unchanged, the
audit chain intact), and an erasure refused while a case is open."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.base import metadata
from models.enums import Role
from models.processing import TABLES
from service.platform.crypto import id_number_hashes
from service.platform.settings import Settings
from service.privacy.anonymise import STAFF_CATEGORIES, cleared_row
from service.thai.dates import BANGKOK
from tests.conftest import Actor, committed_actor, run_cli
from tests.support.cases import CASES, VALID_THAI_ID, anonymous_body, intake_body, move

pytestmark = pytest.mark.slow

REQUESTS = "/api/v1/privacy/requests"
STATS = "/api/v1/stats"
NOTE = "นัดเยี่ยมบ้านคุณสมศรีวันอังคาร"
# What the intake example says about the person, as stored.
PERSONAL_VALUES = (
    "สมศรี",
    "ใจดี",
    "+66812345678",
    "+66891234567",
    "สมชาย",
    "ซอย 5",
    "ขาดอาหาร",
    "1947",
    NOTE,
)


async def _ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def _close(client: httpx.AsyncClient, actor: Actor, case_id: str) -> None:
    for step in ("screened", "in_progress", "resolved"):
        moved = await move(client, actor.headers, case_id, step)
        assert moved.status_code == 200, moved.text
    closed = await move(client, actor.headers, case_id, "closed", closure_reason="resolved")
    assert closed.status_code == 200, closed.text


def _today() -> dict[str, str]:
    today = datetime.now(UTC).astimezone(BANGKOK).date()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}


async def _statistics(client: httpx.AsyncClient, actor: Actor) -> dict[str, Any]:
    stats = await _ok(await client.get(STATS, params=_today(), headers=actor.headers))
    keep = ("cases", "by_category", "by_status", "by_urgency", "by_province", "by_region")
    return {k: stats[k] for k in (*keep, "by_channel", "by_week", "hotline")}


async def _personal_values_left(engine: AsyncEngine, hashes: list[str]) -> list[str]:
    """Every personal column of every table (as declared) holding one of the person's values."""
    found = []
    async with engine.connect() as connection:
        for table_name, declared in TABLES.items():
            table = metadata.tables[table_name]
            columns = [
                c for c, category in declared.personal.items() if category not in STAFF_CATEGORIES
            ]
            if not columns:
                continue
            rows = (await connection.execute(sa.select(*(table.c[c] for c in columns)))).all()
            for row in rows:
                for column, value in zip(columns, row, strict=True):
                    text = str(value)
                    if any(v in text for v in (*PERSONAL_VALUES, *hashes)):
                        found.append(f"{table_name}.{column}={text[:40]}")
    return found


async def _cleared(engine: AsyncEngine, case_ids: list[str]) -> list[str]:
    """The cleared columns of the cases and their notes that are not cleared."""
    import uuid

    ids = [uuid.UUID(c) for c in case_ids]
    wrong = []
    async with engine.connect() as connection:
        for table_name, link in (("cases", "id"), ("case_notes", "case_id")):
            table = metadata.tables[table_name]
            expected = cleared_row(table_name)
            rows = (
                await connection.execute(
                    sa.select(*(table.c[c] for c in expected)).where(table.c[link].in_(ids))
                )
            ).all()
            assert rows
            for row in rows:
                for (column, value), actual in zip(expected.items(), row, strict=True):
                    if actual != value and getattr(actual, "value", None) != value:
                        wrong.append(f"{table_name}.{column}={actual!r}")
    return wrong


async def _count(engine: AsyncEngine, table_name: str) -> int:
    async with engine.connect() as connection:
        table = metadata.tables[table_name]
        return int(await connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


async def test_a_persons_access_then_erasure_and_a_refused_erasure(
    committed_client: httpx.AsyncClient,
    committed_db: AsyncEngine,
    database_url: str,
    settings: Settings,
) -> None:
    client = committed_client
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    supervisor = await committed_actor(committed_db, settings, Role.supervisor)

    # The person's two cases, the first sent with an Idempotency-Key (its answer is stored).
    first = await _ok(
        await client.post(
            CASES,
            json=intake_body(),
            headers={**caseworker.headers, "Idempotency-Key": "erasure-1"},
        ),
        201,
    )
    second = await _ok(
        await client.post(
            CASES, json=intake_body(summary="ขาดอาหารอีกครั้ง"), headers=caseworker.headers
        ),
        201,
    )
    await _ok(
        await client.post(
            f"{CASES}/{first['id']}/notes", json={"body": NOTE}, headers=caseworker.headers
        ),
        201,
    )
    await _ok(await client.get(f"{CASES}/{first['id']}", headers=supervisor.headers))
    # Someone else's case, still open.
    other = await _ok(
        await client.post(
            CASES,
            json=anonymous_body(
                summary="ไม่มีที่พักพิง",
                client={"phone": "0861112222"},
                reporter={"name": "วิชัย", "phone": "0897776666"},
                location={"address": "ถนนพระราม 4"},
            ),
            headers=caseworker.headers,
        ),
        201,
    )
    assert await _count(committed_db, "idempotency_keys") == 1

    # Access: found by id number across both cases, exported as JSON and CSV, on time.
    access = await _ok(
        await client.post(
            REQUESTS,
            json={"kind": "access", "subject": {"id_number": VALID_THAI_ID}},
            headers=supervisor.headers,
        ),
        201,
    )
    assert {c["id"] for c in access["cases"]} == {first["id"], second["id"]}
    assert access["identified_by"] == ["id_number"]
    assert access["state"] == "on_time"
    received = datetime.fromisoformat(access["received_at"])
    assert datetime.fromisoformat(access["due_at"]) == received + timedelta(days=30)

    url = f"{REQUESTS}/{access['id']}/export"
    exported = await _ok(await client.get(url, headers=supervisor.headers))
    by_reference = {c["reference"]: c for c in exported["cases"]}
    held = by_reference[first["reference"]]
    assert held["case"]["client_first_name"] == "สมศรี"
    assert held["case"]["client_id_number"] == VALID_THAI_ID
    assert [n["body"] for n in held["notes"]] == [NOTE]
    assert {e["type"] for e in held["events"]} >= {"created", "note_added"}
    assert any(r["reader"] == supervisor.user.display_name for r in held["reads"])
    as_csv = await client.get(url, headers={**supervisor.headers, "Accept": "text/csv"})
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text.lstrip("\ufeff"))))
    assert {"case_reference", "section", "item", "field", "value"} == set(rows[0])
    assert any(r["field"] == "client_phone" and r["value"] == "'+66812345678" for r in rows)
    assert any(r["section"] == "notes" and r["value"] == NOTE for r in rows)
    assert await _count(committed_db, "exports") == 2
    history = await _ok(
        await client.get(f"{CASES}/{first['id']}/timeline", headers=supervisor.headers)
    )
    assert "exported" in {e["type"] for e in history["items"]}
    answered = await _ok(
        await client.post(f"{REQUESTS}/{access['id']}/complete", headers=supervisor.headers)
    )
    assert answered["outcome"] == "completed"
    assert datetime.fromisoformat(answered["answered_at"]) < datetime.fromisoformat(
        answered["due_at"]
    )

    # Erasure once both cases are closed.
    for case in (first, second):
        await _close(client, caseworker, case["id"])
    before = await _statistics(client, supervisor)
    erasure = await _ok(
        await client.post(
            REQUESTS,
            json={
                "kind": "erasure",
                "subject": {"id_number": VALID_THAI_ID},
                "requester": "guardian",
                "requester_name": "สมชาย ใจดี",
            },
            headers=supervisor.headers,
        ),
        201,
    )
    assert datetime.fromisoformat(erasure["due_at"]) == datetime.fromisoformat(
        erasure["received_at"]
    ) + timedelta(days=90)
    done = await _ok(
        await client.post(f"{REQUESTS}/{erasure['id']}/complete", headers=supervisor.headers)
    )
    assert done["outcome"] == "completed"
    assert done["identified_by"] == [] and done["requester_name"] is None

    hashes = id_number_hashes(settings.data_key, VALID_THAI_ID)
    assert await _personal_values_left(committed_db, hashes) == []
    assert await _cleared(committed_db, [first["id"], second["id"]]) == []
    async with committed_db.connect() as connection:
        sealed = await connection.scalar(
            sa.select(sa.func.count())
            .select_from(metadata.tables["privacy_requests"])
            .where(sa.column("subject_id_number_enc").is_not(None))
        )
    assert sealed == 0  # the id number each request kept, sealed, is cleared with its hash
    assert await _count(committed_db, "idempotency_keys") == 0
    assert await _count(committed_db, "exports") == 0
    assert await _statistics(client, supervisor) == before
    history = await _ok(
        await client.get(f"{CASES}/{first['id']}/timeline", headers=supervisor.headers)
    )
    assert "anonymised" in {e["type"] for e in history["items"]}
    verified = await asyncio.to_thread(
        run_cli, database_url, "verify-audit", ONESTOP_DATA_KEY=settings.data_key
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "audit chain intact" in verified.stdout

    # Erasure refused while the other person's case is open, listed in the refusals register.
    refused = await _ok(
        await client.post(
            REQUESTS,
            json={"kind": "erasure", "subject": {"phone": "086-111-2222"}},
            headers=supervisor.headers,
        ),
        201,
    )
    assert [c["id"] for c in refused["cases"]] == [other["id"]]
    answer = await _ok(
        await client.post(f"{REQUESTS}/{refused['id']}/complete", headers=supervisor.headers)
    )
    assert answer["outcome"] == "refused"
    assert other["reference"] in answer["refusal_reason"]
    register = await _ok(
        await client.get(REQUESTS, params={"outcome": "refused"}, headers=supervisor.headers)
    )
    assert [r["id"] for r in register["items"]] == [refused["id"]]
    still = await _ok(await client.get(f"{CASES}/{other['id']}", headers=supervisor.headers))
    assert still["client"]["phone"] == "+66861112222"
