"""Rotating the data key end to end: cases sealed under key 1, a server on key 2 with key 1
kept as previous, `onestop rotate-data-key` through the real command, then key 1 removed; and
the webhook signing secrets and data-subject requests it moves too."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import select

from models.base import utcnow
from models.case import Case, IdempotencyRecord
from models.enums import Role
from models.events import CaseEvent
from models.privacy_requests import PrivacyRequest
from models.webhooks import WebhookEndpoint
from service.app import create_app
from service.platform.db import is_sqlite
from service.platform.key_rotation import rotate_data_key
from service.platform.settings import InsecureSettings, Settings
from service.privacy.requests import requests_by_id_number
from service.worker.jobs import JOBS
from service.worker.runner import run_job
from tests.conftest import DATABASE_URL, MakeActor, committed_actor, make_settings, run_cli
from tests.support.cases import CASES, OTHER_THAI_ID, VALID_THAI_ID, intake_body
from tests.support.referrals import case_in_progress, refer
from tests.support.sweep_privacy import PRIVACY_REQUESTS
from tests.support.webhooks import Receiver, hooked_agency

pytestmark = pytest.mark.slow

KEY_1 = "test-data-key-" + "y" * 32  # the suite's settings: key id 1
KEY_2 = "rotated-data-key-" + "z" * 32
ROTATED = make_settings(data_key=KEY_2, data_key_id="2", previous_data_keys={"1": KEY_1})
KEY_1_RETIRED = make_settings(data_key=KEY_2, data_key_id="2")
WEBHOOK_JOB = next(job for job in JOBS if job.name == "webhooks")
ROTATED_ENV = {
    "ONESTOP_DATA_KEY": KEY_2,
    "ONESTOP_DATA_KEY_ID": "2",
    "ONESTOP_PREVIOUS_DATA_KEYS": f"1:{KEY_1}",
}


@asynccontextmanager
async def _server(engine: AsyncEngine, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, sessionmaker=async_sessionmaker(engine, expire_on_commit=False))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def _body(id_number: str, first_name: str = "สมศรี") -> dict[str, Any]:
    return intake_body(client={"id_number": id_number, "phone": None, "first_name": first_name})


async def _id_numbers(client: httpx.AsyncClient, headers: dict[str, str], ids: list[str]) -> list:
    numbers = []
    for case_id in ids:
        response = await client.get(f"{CASES}/{case_id}", headers=headers)
        assert response.status_code == 200, response.text
        numbers.append(response.json()["client"]["id_number"])
    return numbers


async def _stored(engine: AsyncEngine) -> dict[str, list[Any]]:
    async with engine.connect() as connection:
        cases = (
            await connection.execute(
                sa.select(
                    Case.client_id_number_enc,  # type: ignore[call-overload]
                    Case.client_id_hash,
                    Case.chain_anchor,
                ).where(Case.client_id_number_enc.is_not(None))  # type: ignore[union-attr]
            )
        ).all()
        answers = (await connection.execute(sa.select(IdempotencyRecord.body))).scalars().all()  # type: ignore[call-overload]
        events = (await connection.execute(sa.select(CaseEvent.hash))).scalars().all()  # type: ignore[call-overload]
    return {
        "sealed": [bytes(row[0])[:3] for row in cases],
        "hashes": [row[1][:3] for row in cases],
        "anchors": [row[2][:3] for row in cases],
        "answers": [bytes(body)[:3] for body in answers],
        "events": [value[:3] for value in events],
    }


async def _cli(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(run_cli, database_url, *args, **env)


async def test_a_rotation_moves_every_value_to_the_new_key_while_reads_go_on(
    committed_db, committed_client, database_url, settings
) -> None:
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    headers = {**caseworker.headers, "Idempotency-Key": "before-rotation"}
    first = await committed_client.post(CASES, json=_body(VALID_THAI_ID), headers=headers)
    second = await committed_client.post(
        CASES, json=_body(OTHER_THAI_ID, "มานี"), headers=caseworker.headers
    )
    assert (first.status_code, second.status_code) == (201, 201), first.text + second.text
    old = [first.json()["id"], second.json()["id"]]
    before = await _stored(committed_db)
    assert set(before["sealed"]) == {b"k1:"} and set(before["answers"]) == {b"k1:"}

    # Key 2 is current, key 1 previous: everything made under key 1 still reads, and a new
    # case is matched by id number with a case whose lookup hash is still key 1's.
    async with _server(committed_db, ROTATED) as server:
        assert await _id_numbers(server, caseworker.headers, old) == [VALID_THAI_ID, OTHER_THAI_ID]
        during = await server.post(
            CASES, json=_body(OTHER_THAI_ID, "ชูใจ"), headers=caseworker.headers
        )
        assert during.status_code == 201, during.text
        assert [
            (d["candidate_id"], d["reasons"]) for d in during.json()["possible_duplicates"]
        ] == [(old[1], ["id_number"])]
        old.append(during.json()["id"])
        replay = await server.post(CASES, json=_body(VALID_THAI_ID), headers=headers)
        assert replay.content == first.content
        note = await server.post(
            f"{CASES}/{old[0]}/notes", json={"body": "โทรติดตาม"}, headers=caseworker.headers
        )
        assert note.status_code == 201, note.text

    rotated = await _cli(database_url, "rotate-data-key", "--batch", "1", **ROTATED_ENV)
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    assert "re-sealed 2 id numbers, 1 stored answers" in rotated.stdout
    after = await _stored(committed_db)
    for kind in ("sealed", "answers"):
        assert set(after[kind]) == {b"k2:"}, kind
    for kind in ("hashes", "anchors"):
        assert set(after[kind]) == {"k2:"}, kind
    # History keeps its key: the two creations stay key 1, the note's event is key 2.
    assert after["events"].count("k1:") == 2 and "k2:" in after["events"]

    again = await _cli(database_url, "rotate-data-key", **ROTATED_ENV)
    assert again.returncode == 0 and "re-sealed 0 id numbers" in again.stdout, again.stdout
    audit = await _cli(database_url, "verify-audit", **ROTATED_ENV)
    assert audit.returncode == 0, audit.stdout + audit.stderr

    # Key 1 retired: every id number still reads and matches; only old events need key 1.
    async with _server(committed_db, KEY_1_RETIRED) as server:
        assert await _id_numbers(server, caseworker.headers, old) == [
            VALID_THAI_ID,
            OTHER_THAI_ID,
            OTHER_THAI_ID,
        ]
        # Only the id number in common with the first case.
        newer = await server.post(
            CASES, json=_body(VALID_THAI_ID, "ปิติ"), headers=caseworker.headers
        )
        assert newer.status_code == 201, newer.text
        assert [(d["candidate_id"], d["reasons"]) for d in newer.json()["possible_duplicates"]] == [
            (old[0], ["id_number"])
        ]
    retired = await _cli(
        database_url, "verify-audit", ONESTOP_DATA_KEY=KEY_2, ONESTOP_DATA_KEY_ID="2"
    )
    assert retired.returncode == 1
    assert "made with key 1, which is not configured" in retired.stdout


async def test_an_id_number_under_a_key_no_longer_configured_reads_as_unavailable(
    committed_db, committed_client, settings
) -> None:
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    created = await committed_client.post(
        CASES, json=_body(VALID_THAI_ID), headers=caseworker.headers
    )
    assert created.status_code == 201, created.text
    async with _server(committed_db, KEY_1_RETIRED) as server:
        assert await _id_numbers(server, caseworker.headers, [created.json()["id"]]) == [None]


async def test_a_changed_secret_under_the_same_key_id_reads_as_unavailable_not_500(
    committed_db, committed_client, settings
) -> None:
    """ONESTOP_DATA_KEY changed without a new key id: readers are answered, id unavailable."""
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    created = await committed_client.post(
        CASES, json=_body(VALID_THAI_ID), headers=caseworker.headers
    )
    assert created.status_code == 201, created.text
    changed = make_settings(data_key="changed-data-key-" + "c" * 32)
    async with _server(committed_db, changed) as server:
        assert await _id_numbers(server, caseworker.headers, [created.json()["id"]]) == [None]


def test_previous_keys_are_validated() -> None:
    with pytest.raises(ValueError, match="given twice"):
        make_settings(previous_data_keys=f"2:{KEY_2},2:{KEY_2}")
    with pytest.raises(ValueError, match="both current and previous"):
        make_settings(previous_data_keys=f"1:{KEY_2}")
    with pytest.raises(ValueError, match="id:secret"):
        make_settings(previous_data_keys="no-secret")
    assert ROTATED.data_key.key_ids == ["2", "1"]  # type: ignore[attr-defined]


def test_production_refuses_a_short_previous_key() -> None:
    production = {"environment": "production", "jwt_secret": KEY_1 + "-jwt", "data_key": KEY_2}
    make_settings(**production, data_key_id="2", previous_data_keys=f"1:{KEY_1}").check_secrets()
    with pytest.raises(InsecureSettings, match="key 1"):
        make_settings(**production, data_key_id="2", previous_data_keys="1:short").check_secrets()


@pytest.mark.skipif(
    is_sqlite(DATABASE_URL), reason="SQLite runs writers one at a time: nothing to skip"
)
async def test_a_rotation_skips_a_case_a_request_holds_and_moves_it_on_the_next_run(
    committed_db, committed_client, database_url, settings
) -> None:
    caseworker = await committed_actor(committed_db, settings, Role.caseworker)
    ids = []
    for id_number, name in ((VALID_THAI_ID, "สมศรี"), (OTHER_THAI_ID, "มานี")):
        response = await committed_client.post(
            CASES, json=_body(id_number, name), headers=caseworker.headers
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    async with committed_db.connect() as request:
        transaction = await request.begin()
        # What a request changing the case holds until it commits.
        await request.execute(
            sa.select(Case.id).where(Case.id == ids[0]).with_for_update()  # type: ignore[call-overload, arg-type]
        )
        during = await _cli(database_url, "rotate-data-key", **ROTATED_ENV)
        await transaction.rollback()
    assert during.returncode == 1, during.stdout + during.stderr
    assert "re-sealed 1 id numbers" in during.stdout
    assert "1 row(s) still name another key than 2" in during.stderr
    after = await _cli(database_url, "rotate-data-key", **ROTATED_ENV)
    assert after.returncode == 0 and "re-sealed 1 id numbers" in after.stdout, after.stdout
    assert set((await _stored(committed_db))["sealed"]) == {b"k2:"}


def test_lookup_hashes_under_every_configured_key_name_their_key() -> None:
    from service.platform.crypto import id_number_hash, id_number_hashes

    under_1 = id_number_hash(KEY_1, VALID_THAI_ID)
    under_2 = id_number_hash(ROTATED.data_key, VALID_THAI_ID)
    assert (under_1[:3], under_2[:3]) == ("k1:", "k2:")
    assert id_number_hashes(ROTATED.data_key, VALID_THAI_ID) == [under_2, under_1]
    assert id_number_hashes(KEY_1_RETIRED.data_key, VALID_THAI_ID) == [under_2]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


async def test_webhook_secrets_move_so_deliveries_sign_once_the_old_key_is_retired(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_actor: MakeActor,
    receiver: Receiver,
) -> None:
    agency, secret = await hooked_agency(
        client, session, make_actor, name="บ้านพักฉุกเฉิน", url=receiver.url
    )
    receiver.secret = secret
    caseworker = await make_actor(Role.caseworker)
    case = await case_in_progress(client, caseworker.headers)
    made = await refer(client, caseworker.headers, case["id"], agency.service.id)
    assert made.status_code == 201, made.text
    stored = select(WebhookEndpoint.secret_sealed).where(
        WebhookEndpoint.service_id == agency.service.id
    )
    assert bytes(await session.scalar(stored))[:3] == b"k1:"  # type: ignore[arg-type]

    done, left = await rotate_data_key(sessionmaker, secret=ROTATED.data_key)
    assert (done.webhook_secrets, done.refused, left) == (1, 0, 0)
    assert bytes(await session.scalar(stored))[:3] == b"k2:"  # type: ignore[arg-type]

    retired = make_settings(data_key=KEY_2, data_key_id="2", webhooks_allow_private_addresses=True)
    assert await run_job(sessionmaker, WEBHOOK_JOB, settings=retired, now=utcnow()) == 1
    assert [(r.verified, r.status) for r in receiver.received] == [(True, 200)]


async def test_data_subject_requests_are_found_by_id_number_once_the_old_key_is_retired(
    client: httpx.AsyncClient,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    make_actor: MakeActor,
) -> None:
    caseworker = await make_actor(Role.caseworker)
    supervisor = await make_actor(Role.supervisor)
    created = await client.post(CASES, json=_body(VALID_THAI_ID), headers=caseworker.headers)
    assert created.status_code == 201, created.text
    requests = []
    for kind, id_number in (
        ("access", VALID_THAI_ID),
        ("rectification", VALID_THAI_ID),
        ("objection", OTHER_THAI_ID),
    ):
        recorded = await client.post(
            PRIVACY_REQUESTS,
            json={"kind": kind, "subject": {"id_number": id_number}},
            headers=supervisor.headers,
        )
        assert recorded.status_code == 201, recorded.text
        requests.append(uuid.UUID(recorded.json()["id"]))
    sealed = select(PrivacyRequest.subject_id_number_enc).where(PrivacyRequest.id == requests[0])
    assert bytes(await session.scalar(sealed))[:3] == b"k1:"
    # As recorded before requests kept the id number sealed: the second found the case by it,
    # the third found no case.
    await session.execute(
        sa.update(PrivacyRequest)
        .where(PrivacyRequest.id.in_(requests[1:]))  # type: ignore[attr-defined]
        .values(subject_id_number_enc=None)
    )
    await session.commit()

    done, left = await rotate_data_key(sessionmaker, secret=ROTATED.data_key)
    assert (done.request_id_numbers, done.refused, left) == (2, 1, 1)
    hashes = (
        await session.execute(select(PrivacyRequest.id, PrivacyRequest.subject_id_hash))
    ).all()
    assert {request_id: value[:3] for request_id, value in hashes} == {
        requests[0]: "k2:",
        requests[1]: "k2:",
        requests[2]: "k1:",
    }
    assert bytes(await session.scalar(sealed))[:3] == b"k2:"

    retired = KEY_1_RETIRED.data_key
    assert (
        await requests_by_id_number(session, secret=retired, id_number=VALID_THAI_ID)
        == (requests[:2])
    )
