"""Referrals through the API: refer, read what is shared, answer, cancel; the case's status,
its history, the decision log and the access log follow each step."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.access_log import CaseRead
from models.enums import CaseReadKind, Role, ServiceStatus
from models.routing import RoutingDecision
from tests.support.cases import CASES, anonymous_body, create_case, move
from tests.support.referrals import (
    REFERRALS,
    add_service,
    answer,
    case_in_progress,
    make_agency,
    refer,
)


async def _status(client, headers, case_id: str) -> str:
    return str((await client.get(f"{CASES}/{case_id}", headers=headers)).json()["status"])


async def _types(client, headers, case_id: str) -> list[str]:
    timeline = await client.get(f"{CASES}/{case_id}/timeline", headers=headers)
    return [event["type"] for event in timeline.json()["items"]]


async def test_refer_read_accept_complete(client, session: AsyncSession, actors, make_actor):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    case = await case_in_progress(client, caseworker, summary="ต้องการที่พัก")

    made = await refer(client, caseworker, case["id"], shelter.service.id)
    assert made.status_code == 201, made.text
    referral = made.json()
    assert referral["status"] == "requested"
    assert referral["groups"] == ["contact", "summary"]
    assert referral["basis"] == "consent"
    assert referral["organization_id"] == str(shelter.organization.id)
    assert referral["overdue"] is False
    assert referral["requested_by_name"] == actors[Role.caseworker].user.display_name
    # The intake example is `high` urgency: the service's own 4 hours apply.
    due = datetime.fromisoformat(referral["response_due_at"])
    assert due - datetime.fromisoformat(referral["created_at"]) == timedelta(hours=4)
    assert await _status(client, caseworker, case["id"]) == "referred"

    shared = await client.get(f"{REFERRALS}/{referral['id']}/case", headers=shelter.staff.headers)
    assert shared.status_code == 200, shared.text
    body = shared.json()
    assert set(body) == {"referral_id", "case_reference", "groups", "contact", "summary"}
    assert body["summary"]["summary"] == "ต้องการที่พัก"
    assert set(body["contact"]) == {"nickname", "phone", "languages"}
    reads = await session.scalars(
        sa.select(CaseRead).where(
            col(CaseRead.reader_id) == shelter.staff.user.id,
            col(CaseRead.what) == CaseReadKind.referral,
        )
    )
    assert [r.case_id for r in reads] == [uuid.UUID(case["id"])]

    # The agency never reads the case itself.
    direct = await client.get(f"{CASES}/{case['id']}", headers=shelter.staff.headers)
    assert direct.status_code == 404

    accepted = await answer(client, shelter.staff.headers, referral["id"], "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert await _status(client, caseworker, case["id"]) == "referred"
    completed = await answer(client, shelter.staff.headers, referral["id"], "complete")
    assert completed.json()["status"] == "completed"
    assert completed.json()["closed_at"] is not None
    assert await _status(client, caseworker, case["id"]) == "in_progress"

    types = await _types(client, caseworker, case["id"])
    assert types[-3:] == ["referred", "referral_answered", "referral_answered"]
    timeline = (await client.get(f"{CASES}/{case['id']}/timeline", headers=caseworker)).json()
    referred, _, done = timeline["items"][-3:]
    assert referred["changes"] == {"status": ["in_progress", "referred"]}
    assert done["changes"] == {"status": ["referred", "in_progress"]}
    assert done["data"]["answer"] == "complete"

    decision = await session.get(RoutingDecision, uuid.UUID(referral["decision_id"]))
    assert decision is not None and decision.kind == "referral"
    assert str(decision.chosen_id) == str(shelter.service.id)
    assert decision.chosen_by_id == actors[Role.caseworker].user.id
    assert any(c["service_id"] == str(shelter.service.id) for c in decision.candidates)


async def test_best_suggestion_is_chosen_without_a_service(
    client, session: AsyncSession, actors, make_actor
):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    case = await case_in_progress(client, caseworker)
    made = await refer(client, caseworker, case["id"])
    assert made.status_code == 201, made.text
    assert made.json()["service_id"] == str(shelter.service.id)
    again = await refer(client, caseworker, case["id"])
    assert again.status_code == 409
    assert again.json()["type"].endswith("conflict")


async def test_one_open_referral_per_case_and_service(
    client, session: AsyncSession, actors, make_actor
):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    other = await add_service(session, shelter.organization, name="Other service")
    await session.commit()
    case = await case_in_progress(client, caseworker)
    first = await refer(client, caseworker, case["id"], shelter.service.id)
    assert first.status_code == 201
    assert (await refer(client, caseworker, case["id"], shelter.service.id)).status_code == 409
    # Another service of the same agency: a second open referral, the case stays referred.
    second = await refer(client, caseworker, case["id"], other.id)
    assert second.status_code == 201, second.text
    declined = await answer(client, shelter.staff.headers, first.json()["id"], "decline", "full")
    assert declined.json()["status"] == "declined"
    assert declined.json()["answer_reason"] == "full"
    assert await _status(client, caseworker, case["id"]) == "referred"
    # Once declined, the same service may be asked again.
    assert (await refer(client, caseworker, case["id"], shelter.service.id)).status_code == 201
    cancelled = await answer(client, caseworker, second.json()["id"], "cancel", "not needed")
    assert cancelled.json()["status"] == "cancelled"
    listed = await client.get(f"{CASES}/{case['id']}/referrals", headers=caseworker)
    assert [r["status"] for r in listed.json()["items"]] == ["declined", "cancelled", "requested"]


async def test_case_statuses_a_referral_is_made_from(
    client, session: AsyncSession, actors, make_actor
):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    case = await create_case(client, caseworker, anonymous_body())
    made = await refer(client, caseworker, case["id"], shelter.service.id)
    assert made.status_code == 409
    assert made.json()["case_status"] == "new"
    assert (await move(client, caseworker, case["id"], "screened")).status_code == 200
    assert (await refer(client, caseworker, case["id"], shelter.service.id)).status_code == 409


async def test_a_closed_or_non_accepting_service_is_refused(
    client, session: AsyncSession, actors, make_actor
):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    closed = await add_service(
        session, shelter.organization, name="Closed", status=ServiceStatus.temporarily_closed
    )
    no_referrals = await add_service(
        session, shelter.organization, name="No referrals", accepts_referrals=False
    )
    await session.commit()
    case = await case_in_progress(client, caseworker)
    for service in (closed, no_referrals):
        refused = await refer(client, caseworker, case["id"], service.id)
        assert refused.status_code == 409, refused.text
    unknown = await refer(client, caseworker, case["id"], "00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404
    assert await _status(client, caseworker, case["id"]) == "in_progress"


async def test_the_consent_gate(client, session: AsyncSession, actors, make_actor):
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    no_share = {"data_collection": "given", "share_with_agencies": False}
    case = await case_in_progress(client, caseworker, consent=no_share)
    refused = await refer(client, caseworker, case["id"], shelter.service.id)
    assert refused.status_code == 403
    assert refused.json()["allowed"] == []
    # A caseworker may not override; a supervisor may, with a reason, and it is logged.
    reason = "อันตรายถึงชีวิต"
    by_caseworker = await refer(
        client, caseworker, case["id"], shelter.service.id, override_reason=reason
    )
    assert by_caseworker.status_code == 403
    overridden = await refer(
        client,
        supervisor,
        case["id"],
        shelter.service.id,
        groups=["identity", "location"],
        override_reason=reason,
    )
    assert overridden.status_code == 201, overridden.text
    assert overridden.json()["basis"] == "override"
    timeline = (await client.get(f"{CASES}/{case['id']}/timeline", headers=supervisor)).json()
    assert timeline["items"][-1]["data"]["override_reason"] == reason
    shared = await client.get(
        f"{REFERRALS}/{overridden.json()['id']}/case", headers=shelter.staff.headers
    )
    assert set(shared.json()) == {"referral_id", "case_reference", "groups", "identity", "location"}
    assert (
        shared.json()["identity"]["id_number"] is None
        or "*" in shared.json()["identity"]["id_number"]
    )


async def test_a_legal_basis_shares_the_minimum(client, session: AsyncSession, actors, make_actor):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    consent = {"data_collection": "not_possible", "share_with_agencies": False}
    case = await create_case(client, caseworker, anonymous_body(consent=consent))
    screened = await move(client, caseworker, case["id"], "screened", basis="vital_interest")
    assert screened.status_code == 200, screened.text
    assert (await move(client, caseworker, case["id"], "in_progress")).status_code == 200
    too_much = await refer(
        client, caseworker, case["id"], shelter.service.id, groups=["identity", "summary"]
    )
    assert too_much.status_code == 403
    assert too_much.json()["allowed"] == ["contact", "location", "summary"]
    made = await refer(
        client, caseworker, case["id"], shelter.service.id, groups=["location", "summary"]
    )
    assert made.status_code == 201, made.text
    assert made.json()["basis"] == "vital_interest"


async def test_answers_follow_the_state_machine(client, session: AsyncSession, actors, make_actor):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    case = await case_in_progress(client, caseworker)
    referral = (await refer(client, caseworker, case["id"], shelter.service.id)).json()
    staff = shelter.staff.headers
    early = await answer(client, staff, referral["id"], "complete")
    assert early.status_code == 409
    assert early.json()["allowed"] == ["accept", "decline", "cancel"]
    no_reason = await answer(client, staff, referral["id"], "decline")
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["pointer"] == "/reason"
    assert (await answer(client, staff, referral["id"], "accept")).status_code == 200
    assert (await answer(client, staff, referral["id"], "accept")).status_code == 409
    failed = await answer(client, staff, referral["id"], "fail", "client left")
    assert failed.json()["status"] == "failed"
    assert (await answer(client, caseworker, referral["id"], "cancel", "late")).status_code == 409
    # The agency still reads what was shared of a referral it worked on.
    shared = await client.get(f"{REFERRALS}/{referral['id']}/case", headers=staff)
    assert shared.status_code == 200


async def test_a_declined_referral_shares_nothing_more(
    client, session: AsyncSession, actors, make_actor
):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    case = await case_in_progress(client, caseworker)
    referral = (await refer(client, caseworker, case["id"], shelter.service.id)).json()
    await answer(client, shelter.staff.headers, referral["id"], "decline", "no room")
    shared = await client.get(f"{REFERRALS}/{referral['id']}/case", headers=shelter.staff.headers)
    assert shared.status_code == 403
    assert await _status(client, caseworker, case["id"]) == "in_progress"


async def test_agency_list_is_its_own_paged_and_filtered(
    client, session: AsyncSession, actors, make_actor
):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    hospital = await make_agency(session, make_actor, name="Hospital")
    made = []
    for _ in range(3):
        case = await case_in_progress(client, caseworker)
        made.append((await refer(client, caseworker, case["id"], shelter.service.id)).json())
        await refer(client, caseworker, case["id"], hospital.service.id)
    await answer(client, shelter.staff.headers, made[0]["id"], "accept")

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = await client.get(REFERRALS, params=params, headers=shelter.staff.headers)
        assert page.status_code == 200, page.text
        seen += [r["id"] for r in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [r["id"] for r in reversed(made)]
    accepted = await client.get(
        REFERRALS, params={"status": "accepted"}, headers=shelter.staff.headers
    )
    assert [r["id"] for r in accepted.json()["items"]] == [made[0]["id"]]
    everything = await client.get(REFERRALS, headers=caseworker)
    assert len(everything.json()["items"]) == 6


async def test_words_in_english(client, session: AsyncSession, actors, make_actor):
    caseworker = actors[Role.caseworker].headers
    shelter = await make_agency(session, make_actor, name="Shelter")
    case = await create_case(client, caseworker, anonymous_body())
    refused = await refer(
        client, {**caseworker, "Accept-Language": "en"}, case["id"], shelter.service.id
    )
    assert "in progress" in refused.json()["detail"]
    thai = await refer(client, caseworker, case["id"], shelter.service.id)
    assert "ส่งต่อ" in thai.json()["detail"]
