"""The outbox: each referral step writes one message in its own transaction, ids only, and
only for a service with an enabled endpoint."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.enums import Role
from models.webhooks import DeliveryStatus, WebhookDelivery, WebhookMessage
from service.routing.referral_deadlines import flag_overdue_referrals
from tests.conftest import MakeActor, make_settings
from tests.support.referrals import answer, case_in_progress, make_agency, refer
from tests.support.webhooks import WEBHOOKS, hooked_agency

URL = "https://hooks.example.org/onestop"


async def _messages(session: AsyncSession) -> list[dict[str, Any]]:
    bodies = await session.scalars(
        sa.select(col(WebhookMessage.body)).order_by(
            col(WebhookMessage.created_at), col(WebhookMessage.id)
        )
    )
    return [json.loads(body) for body in bodies]


async def test_every_step_of_a_referral_is_announced_with_ids_only(
    client: httpx.AsyncClient, session: AsyncSession, make_actor: MakeActor
) -> None:
    agency, _ = await hooked_agency(client, session, make_actor, name="มูลนิธิ", url=URL)
    caseworker = (await make_actor(Role.caseworker)).headers
    staff = agency.staff.headers
    steps = [("accept", None), ("complete", None)]
    case = await case_in_progress(client, caseworker, summary="ชื่อจริง นามสกุล โทร 0812345678")
    first = (await refer(client, caseworker, case["id"], agency.service.id)).json()
    for step, reason in steps:
        assert (await answer(client, staff, first["id"], step, reason)).status_code == 200
    second = (await refer(client, caseworker, case["id"], agency.service.id)).json()
    assert (await answer(client, staff, second["id"], "decline", "เต็ม")).status_code == 200
    third = (await refer(client, caseworker, case["id"], agency.service.id)).json()
    assert (await answer(client, caseworker, third["id"], "cancel", "ไม่ต้อง")).status_code == 200

    messages = await _messages(session)
    assert [(m["type"], m["data"]["referral_id"]) for m in messages] == [
        ("referral.created", first["id"]),
        ("referral.accepted", first["id"]),
        ("referral.completed", first["id"]),
        ("referral.created", second["id"]),
        ("referral.declined", second["id"]),
        ("referral.created", third["id"]),
        ("referral.cancelled", third["id"]),
    ]
    for message in messages:
        assert set(message) == {"type", "timestamp", "data"}
        assert set(message["data"]) == {
            "referral_id",
            "case_reference",
            "service_id",
            "organization_id",
            "status",
        }
        assert message["data"]["case_reference"] == case["reference"]
        assert datetime.fromisoformat(message["timestamp"]).tzinfo is not None
        assert "0812345678" not in json.dumps(message, ensure_ascii=False)
    deliveries = (await session.scalars(sa.select(WebhookDelivery))).all()
    assert len(deliveries) == len(messages)
    assert {d.status for d in deliveries} == {DeliveryStatus.pending}


async def test_an_overdue_referral_is_announced_once(
    client: httpx.AsyncClient, session: AsyncSession, make_actor: MakeActor
) -> None:
    agency, _ = await hooked_agency(client, session, make_actor, name="ศูนย์", url=URL)
    caseworker = (await make_actor(Role.caseworker)).headers
    case = await case_in_progress(client, caseworker)
    made = (await refer(client, caseworker, case["id"], agency.service.id)).json()
    due = datetime.fromisoformat(made["response_due_at"])
    settings = make_settings()
    assert await flag_overdue_referrals(session, settings=settings, now=due) == 1
    assert await flag_overdue_referrals(session, settings=settings, now=due + timedelta(1)) == 0
    assert [m["type"] for m in await _messages(session)] == [
        "referral.created",
        "referral.overdue",
    ]


async def test_nothing_is_queued_without_an_enabled_endpoint(
    client: httpx.AsyncClient, session: AsyncSession, make_actor: MakeActor
) -> None:
    caseworker = (await make_actor(Role.caseworker)).headers
    # A webhook URL but no secret made yet: no endpoint.
    plain = await make_agency(session, make_actor, name="ไม่มีปลายทาง", webhook_url=URL)
    case = await case_in_progress(client, caseworker)
    assert (await refer(client, caseworker, case["id"], plain.service.id)).status_code == 201
    # An endpoint disabled by its agency.
    agency, _ = await hooked_agency(client, session, make_actor, name="ปิดอยู่", url=URL)
    disabled = await client.post(
        f"{WEBHOOKS}/endpoints/{agency.service.id}/disable",
        json={"reason": "ปิดปรับปรุงระบบ"},
        headers=agency.staff.headers,
    )
    assert disabled.status_code == 200, disabled.text
    assert (await refer(client, caseworker, case["id"], agency.service.id)).status_code == 201
    assert await _messages(session) == []


async def test_a_refused_change_writes_no_message(
    client: httpx.AsyncClient, session: AsyncSession, make_actor: MakeActor
) -> None:
    agency, _ = await hooked_agency(client, session, make_actor, name="ที่พัก", url=URL)
    caseworker = (await make_actor(Role.caseworker)).headers
    case = await case_in_progress(client, caseworker)
    made = (await refer(client, caseworker, case["id"], agency.service.id)).json()
    again = await refer(client, caseworker, case["id"], agency.service.id)
    assert again.status_code == 409  # one open referral per service
    complete = await answer(client, agency.staff.headers, made["id"], "complete")
    assert complete.status_code == 409  # not accepted yet
    assert [m["type"] for m in await _messages(session)] == ["referral.created"]
