"""Consents as records: recorded, listed, withdrawn; a withdrawal refuses new referrals
sharing the withdrawn groups and tells the agencies holding open referrals."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.consent import CaseConsent
from models.enums import Role
from models.webhooks import DeliveryStatus, WebhookDelivery, WebhookMessage
from tests.support.cases import CASES, anonymous_body, create_case
from tests.support.referrals import REFERRALS, case_in_progress, make_agency, refer
from tests.support.webhooks import hooked_agency

URL = "https://hooks.example.org/onestop"


def _consents(case_id: str) -> str:
    return f"{CASES}/{case_id}/consents"


async def _record(client, headers, case_id: str, **body) -> dict:
    sent = {"groups": ["contact", "summary"], **body}
    response = await client.post(_consents(case_id), json=sent, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _types(client, headers, case_id: str) -> list[str]:
    timeline = await client.get(f"{CASES}/{case_id}/timeline", headers=headers)
    return [event["type"] for event in timeline.json()["items"]]


async def test_a_withdrawal_refuses_new_referrals_and_tells_the_agency(
    client, session: AsyncSession, actors, make_actor
) -> None:
    caseworker = actors[Role.caseworker].headers
    holder, _ = await hooked_agency(client, session, make_actor, name="มูลนิธิ", url=URL)
    other = await make_agency(session, make_actor, name="Shelter")
    case = await case_in_progress(client, caseworker, summary="ต้องการที่พัก")
    consent = await _record(client, caseworker, case["id"])
    assert consent["state"] == "in_force"
    assert consent["recorded_by"] == str(actors[Role.caseworker].user.id)

    earlier = await refer(client, caseworker, case["id"], holder.service.id)
    assert earlier.status_code == 201, earlier.text
    assert earlier.json()["basis"] == "consent"

    withdrawn = await client.post(
        f"{_consents(case['id'])}/{consent['id']}/withdraw",
        json={"groups": ["contact"], "reason": "ไม่ประสงค์ให้ติดต่อ"},
        headers=caseworker,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    body = withdrawn.json()
    assert body["state"] == "partly_withdrawn"
    assert body["groups_in_force"] == ["summary"]
    assert body["withdrawn_groups"] == ["contact"]
    assert body["notified_referrals"] == [earlier.json()["id"]]

    refused = await refer(client, caseworker, case["id"], other.service.id)
    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert problem["withdrawn"] == ["contact"]
    assert problem["allowed"] == ["summary"]
    assert "withdrew" in problem["detail"] or problem["detail"]
    # Without the withdrawn group the referral goes through.
    fine = await refer(client, caseworker, case["id"], other.service.id, groups=["summary"])
    assert fine.status_code == 201, fine.text

    # The holder of the earlier referral: a case event and a queued webhook delivery.
    types = await _types(client, caseworker, case["id"])
    assert "consent_recorded" in types
    assert types.count("referral_consent_withdrawn") == 1
    assert "consent_withdrawn" in types
    messages = (
        await session.scalars(
            sa.select(WebhookMessage).where(
                col(WebhookMessage.referral_id) == uuid.UUID(earlier.json()["id"]),
                col(WebhookMessage.event_type) == "referral.consent_withdrawn",
            )
        )
    ).all()
    assert len(messages) == 1
    sent = json.loads(messages[0].body)
    assert sent["type"] == "referral.consent_withdrawn"
    assert sent["data"]["withdrawn_groups"] == ["contact"]
    assert sent["data"]["organization_id"] == str(holder.organization.id)
    delivery = await session.scalar(
        sa.select(WebhookDelivery).where(col(WebhookDelivery.message_id) == messages[0].id)
    )
    assert delivery is not None and delivery.status is DeliveryStatus.pending

    # The earlier referral no longer shares the withdrawn group.
    shared = await client.get(
        f"{REFERRALS}/{earlier.json()['id']}/case", headers=holder.staff.headers
    )
    assert shared.status_code == 200, shared.text
    assert shared.json()["groups"] == ["summary"]
    assert "contact" not in shared.json()


async def test_a_supervisor_may_still_override_a_withdrawal(client, session, actors, make_actor):
    caseworker = actors[Role.caseworker].headers
    agency = await make_agency(session, make_actor, name="Shelter")
    case = await case_in_progress(client, caseworker)
    consent = await _record(client, caseworker, case["id"])
    withdrawn = await client.post(
        f"{_consents(case['id'])}/{consent['id']}/withdraw", json=None, headers=caseworker
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "withdrawn"
    assert (await refer(client, caseworker, case["id"], agency.service.id)).status_code == 403
    made = await refer(
        client,
        actors[Role.supervisor].headers,
        case["id"],
        agency.service.id,
        override_reason="ผู้รับบริการอยู่ในอันตราย",
    )
    assert made.status_code == 201, made.text
    assert made.json()["basis"] == "override"
    again = await client.post(
        f"{_consents(case['id'])}/{consent['id']}/withdraw", json=None, headers=caseworker
    )
    assert again.status_code == 409


async def test_a_consent_for_named_agencies_allows_only_them(client, session, actors, make_actor):
    caseworker = actors[Role.caseworker].headers
    named = await make_agency(session, make_actor, name="Named")
    other = await make_agency(session, make_actor, name="Other")
    case = await case_in_progress(client, caseworker)
    await _record(client, caseworker, case["id"], organization_ids=[str(named.organization.id)])
    refused = await refer(client, caseworker, case["id"], other.service.id)
    assert refused.status_code == 403, refused.text
    assert refused.json()["allowed"] == []
    made = await refer(client, caseworker, case["id"], named.service.id)
    assert made.status_code == 201, made.text


async def test_an_expired_consent_allows_nothing(client, session, actors, make_actor):
    caseworker = actors[Role.caseworker].headers
    agency = await make_agency(session, make_actor, name="Shelter")
    case = await case_in_progress(client, caseworker)
    consent = await _record(client, caseworker, case["id"])
    row = await session.get(CaseConsent, uuid.UUID(consent["id"]))
    assert row is not None
    row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    await session.commit()
    listed = await client.get(_consents(case["id"]), headers=caseworker)
    assert [c["state"] for c in listed.json()["items"]] == ["expired"]
    refused = await refer(client, caseworker, case["id"], agency.service.id)
    assert refused.status_code == 403
    assert refused.json()["allowed"] == []


async def test_bad_consents_are_refused_and_nothing_is_recorded(client, session, actors):
    caseworker = actors[Role.caseworker].headers
    case = await create_case(client, caseworker, anonymous_body(client={"age_estimate": 15}))
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = await client.post(
        _consents(case["id"]),
        json={
            "groups": ["contact"],
            "expires_at": past,
            "organization_ids": [str(uuid.uuid4())],
        },
        headers=caseworker,
    )
    assert response.status_code == 422, response.text
    pointers = {e["pointer"] for e in response.json()["errors"]}
    assert pointers == {"/expires_at", "/guardian_name", "/organization_ids/0"}
    for body in ({"groups": []}, {"groups": ["contact"], "color": "red"}, {}):
        bad = await client.post(_consents(case["id"]), json=body, headers=caseworker)
        assert bad.status_code == 422, bad.text
    minor = await client.post(
        _consents(case["id"]),
        json={"groups": ["contact"], "guardian_name": "นางสมร ใจดี"},
        headers=caseworker,
    )
    assert minor.status_code == 422
    assert [e["pointer"] for e in minor.json()["errors"]] == ["/guardian_relationship"]
    listed = await client.get(_consents(case["id"]), headers=caseworker)
    assert listed.json()["items"] == []
    with_guardian = await _record(
        client, caseworker, case["id"], guardian_name="นางสมร ใจดี", guardian_relationship="มารดา"
    )
    assert with_guardian["guardian_relationship"] == "มารดา"


async def test_withdrawing_a_group_not_in_the_consent_is_422(client, actors):
    caseworker = actors[Role.caseworker].headers
    case = await case_in_progress(client, caseworker)
    consent = await _record(client, caseworker, case["id"])
    response = await client.post(
        f"{_consents(case['id'])}/{consent['id']}/withdraw",
        json={"groups": ["summary", "notes"]},
        headers=caseworker,
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/groups/1"]
    listed = await client.get(_consents(case["id"]), headers=caseworker)
    assert listed.json()["items"][0]["withdrawn_groups"] == []
    elsewhere = await client.post(
        f"{_consents(case['id'])}/{uuid.uuid4()}/withdraw", json=None, headers=caseworker
    )
    assert elsewhere.status_code == 404


async def test_only_caseworkers_and_supervisors_keep_consents(client, actors):
    caseworker = actors[Role.caseworker].headers
    case = await case_in_progress(client, caseworker)
    for role in (Role.volunteer, Role.agency, Role.admin):
        headers = actors[role].headers
        assert (await client.get(_consents(case["id"]), headers=headers)).status_code == 403
        posted = await client.post(
            _consents(case["id"]), json={"groups": ["contact"]}, headers=headers
        )
        assert posted.status_code == 403
    missing = await client.get(_consents(str(uuid.uuid4())), headers=caseworker)
    assert missing.status_code == 404
