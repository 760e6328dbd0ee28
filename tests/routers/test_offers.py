"""Suggestions, offers and their answers through the API: the walk from a screened case to its
lead, declines and expiry, what follows them, and what each step leaves in the history."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from models.base import utcnow
from models.case import Case
from models.enums import OfferStatus, Role
from models.routing import CaseRouting, Offer, Suggestions
from service.demo.agencies import DIRECTORY_FILE
from service.platform.messages import DETAILS
from service.platform.settings import RoutingMode
from service.routing.hsds import import_directory
from tests.conftest import make_settings
from tests.support.cases import CASES, move
from tests.support.referrals import make_agency
from tests.support.routing import OFFERS, offer, screened_case, set_profile


async def test_suggestions_rank_the_directory_s_agencies_beside_the_people(
    client, actors, session, make_actor
) -> None:
    await import_directory(session, text=DIRECTORY_FILE.read_text(encoding="utf-8"), now=utcnow())
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    await set_profile(client, supervisor, actors[Role.volunteer].user.id)
    away = await make_actor(Role.volunteer)
    await set_profile(client, supervisor, away.user.id, available=False)
    case = await screened_case(client, caseworker, categories=["human_trafficking"])

    suggestions = await client.get(f"{CASES}/{case['id']}/suggestions", headers=caseworker)

    assert suggestions.status_code == 200, suggestions.text
    assert suggestions.headers["content-type"] == "application/json"
    body = suggestions.json()
    # The document is rendered without the models: it must be exactly what they describe, byte
    # for byte (the same fields in the same order, integers where they say integers).
    assert suggestions.content == Suggestions.model_validate(body).model_dump_json().encode()
    assert body["people"]["items"] and body["people"]["filtered"] == {"unavailable": 1}
    assert any(c["response_deadline_hours"] for c in body["agencies"]["candidates"]), body
    agencies = suggestions.json()["agencies"]
    assert agencies["candidates"], agencies
    best = agencies["candidates"][0]
    assert "category" in {reason["code"] for reason in best["reasons"]}
    scores = [candidate["score"] for candidate in agencies["candidates"]]
    assert scores == sorted(scores, reverse=True)


async def test_suggestions_for_a_case_the_caller_may_not_see_are_not_found(
    client, actors, session
) -> None:
    """A restricted case (PDPA s.32, s.34) is the supervisors' alone, and an unknown id is no
    case: both 404 for a caseworker, as every other read of the case answers."""
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    case = await screened_case(client, caseworker)
    await session.execute(
        update(Case)
        .where(col(Case.id) == uuid.UUID(case["id"]))
        .values(restricted_at=utcnow(), restriction_basis="restriction", restriction_reason="s.34")
    )

    refused = await client.get(f"{CASES}/{case['id']}/suggestions", headers=caseworker)
    unknown = await client.get(f"{CASES}/{uuid.uuid4()}/suggestions", headers=caseworker)
    allowed = await client.get(f"{CASES}/{case['id']}/suggestions", headers=supervisor)

    for answer in (refused, unknown):
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["detail"] == DETAILS["case.not_found"].th
    assert allowed.status_code == 200, allowed.text


async def test_an_agency_s_published_room_shows_in_the_next_suggestions(
    client, actors, session, make_actor
) -> None:
    agency = await make_agency(
        session, make_actor, name="บ้านพักทดสอบ", categories=("human_trafficking",)
    )
    caseworker = actors[Role.caseworker].headers
    case = await screened_case(client, caseworker, categories=["human_trafficking"])
    path = f"{CASES}/{case['id']}/suggestions"

    def shelter(answer: Any) -> dict[str, Any]:
        assert answer.status_code == 200, answer.text
        candidates = answer.json()["agencies"]["candidates"]
        return next(c for c in candidates if c["service_id"] == str(agency.service.id))

    before = shelter(await client.get(path, headers=caseworker))
    assert before["capacity_available"] is None
    published = await client.patch(
        f"/api/v1/directory/services/{agency.service.id}/capacity",
        json={"available": 3},
        headers=agency.staff.headers,
    )
    assert published.status_code == 200, published.text

    after = shelter(await client.get(path, headers=caseworker))
    assert after["capacity_available"] == 3
    assert "has_room" in {reason["code"] for reason in after["reasons"]}
    assert after["score"] > before["score"]


async def test_suggest_offer_accept(client, actors) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    volunteer = actors[Role.volunteer]
    await set_profile(client, supervisor, volunteer.user.id)
    case = await screened_case(client, caseworker)

    suggestions = await client.get(f"{CASES}/{case['id']}/suggestions", headers=caseworker)
    assert suggestions.status_code == 200, suggestions.text
    people = suggestions.json()["people"]
    assert suggestions.json()["agencies"]["candidates"] == []  # no directory in this test
    assert people["total"] == 1
    (candidate,) = people["items"]
    assert candidate["user_id"] == str(volunteer.user.id)
    assert {r["reason"] for r in candidate["reasons"]} >= {"skill", "area", "load"}

    made = await offer(client, caseworker, case["id"], user_id=str(volunteer.user.id))
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "pending"
    assert made.json()["case_reference"] == case["reference"]

    # The volunteer may now read the case offered to them, and sees the offer.
    assert (await client.get(f"{CASES}/{case['id']}", headers=volunteer.headers)).status_code == 200
    mine = await client.get("/api/v1/me/offers", headers=volunteer.headers)
    assert [o["id"] for o in mine.json()["items"]] == [made.json()["id"]]

    accepted = await client.post(f"{OFFERS}/{made.json()['id']}/accept", headers=volunteer.headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    read = await client.get(f"{CASES}/{case['id']}", headers=caseworker)
    assert read.json()["status"] == "in_progress"
    assert read.json()["lead"] == str(volunteer.user.id)

    timeline = await client.get(f"{CASES}/{case['id']}/timeline", headers=caseworker)
    types = [event["type"] for event in timeline.json()["items"]]
    assert types[-2:] == ["offered", "offer_accepted"]

    decisions = await client.get(f"{CASES}/{case['id']}/decisions", headers=caseworker)
    (decision,) = decisions.json()["items"]
    assert decision["kind"] == "offer"
    assert decision["chosen_id"] == str(volunteer.user.id)
    assert decision["chosen_by"] == str(actors[Role.caseworker].user.id)
    assert decision["candidates"][0] == candidate  # as the suggestion showed them

    again = await client.post(f"{OFFERS}/{made.json()['id']}/accept", headers=volunteer.headers)
    assert again.status_code == 409


async def test_offer_to_the_best_and_reassign_an_in_progress_case(client, actors, make_actor):
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    first, second = actors[Role.volunteer], await make_actor(Role.volunteer)
    await set_profile(client, supervisor, first.user.id, areas=["100101"])
    await set_profile(client, supervisor, second.user.id, areas=["10"])
    case = await screened_case(client, caseworker)

    best = await offer(client, caseworker, case["id"], best=True)
    assert best.status_code == 201 and best.json()["user_id"] == str(first.user.id)
    await client.post(f"{OFFERS}/{best.json()['id']}/accept", headers=first.headers)

    handover = await offer(client, caseworker, case["id"], user_id=str(second.user.id))
    assert handover.status_code == 201, handover.text
    answer = await client.post(f"{OFFERS}/{handover.json()['id']}/accept", headers=second.headers)
    assert answer.status_code == 200
    read = (await client.get(f"{CASES}/{case['id']}", headers=caseworker)).json()
    assert (read["status"], read["lead"]) == ("in_progress", str(second.user.id))


async def test_offers_that_cannot_be_made(client, actors, make_actor) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    volunteer = actors[Role.volunteer]
    elsewhere = await make_actor(Role.volunteer)
    await set_profile(client, supervisor, volunteer.user.id)
    await set_profile(client, supervisor, elsewhere.user.id, areas=["11"])
    case = await screened_case(client, caseworker)

    out_of_area = await offer(client, caseworker, case["id"], user_id=str(elsewhere.user.id))
    assert out_of_area.status_code == 409
    assert (await offer(client, caseworker, case["id"], best=True, user_id=None)).status_code == 201
    second = await offer(client, caseworker, case["id"], best=True)
    assert second.status_code == 409 and "offer_id" in second.json()
    neither = await offer(client, caseworker, case["id"])
    assert neither.status_code == 422

    new_case = await client.post(CASES, json={}, headers=caseworker)
    assert new_case.status_code == 422


async def test_decline_in_manual_mode_flags_and_excludes_the_helper(client, actors) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    volunteer = actors[Role.volunteer]
    await set_profile(client, supervisor, volunteer.user.id)
    case = await screened_case(client, caseworker)
    made = (await offer(client, caseworker, case["id"], best=True)).json()

    no_reason = await client.post(
        f"{OFFERS}/{made['id']}/decline", json={}, headers=volunteer.headers
    )
    assert no_reason.status_code == 422
    declined = await client.post(
        f"{OFFERS}/{made['id']}/decline", json={"reason": "Away"}, headers=volunteer.headers
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"

    suggestions = (await client.get(f"{CASES}/{case['id']}/suggestions", headers=caseworker)).json()
    assert suggestions["people"]["total"] == 0
    assert suggestions["people"]["filtered"]["declined"] == 1
    # Once the offer is answered, the volunteer may no longer read the case.
    assert (await client.get(f"{CASES}/{case['id']}", headers=volunteer.headers)).status_code == 404
    assert (await offer(client, caseworker, case["id"], best=True)).status_code == 409


async def test_auto_mode_offers_the_next_and_escalates_after_failures(
    app, client, actors, make_actor
) -> None:
    app.state.settings = make_settings(routing_mode=RoutingMode.auto, routing_max_failed_offers=2)
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    helpers = [
        actors[Role.volunteer],
        await make_actor(Role.volunteer),
        await make_actor(Role.volunteer),
    ]
    for helper in helpers:
        await set_profile(client, supervisor, helper.user.id)
    case = await screened_case(client, caseworker)
    current = (await offer(client, caseworker, case["id"], best=True)).json()

    declined_by = []
    for _ in range(2):
        taker = next(h for h in helpers if str(h.user.id) == current["user_id"])
        declined_by.append(taker)
        answer = await client.post(
            f"{OFFERS}/{current['id']}/decline", json={"reason": "No"}, headers=taker.headers
        )
        assert answer.status_code == 200
        pending = [
            o
            for h in helpers
            for o in (await client.get("/api/v1/me/offers", headers=h.headers)).json()["items"]
            if o["status"] == "pending"
        ]
        if len(declined_by) == 1:
            (current,) = pending  # routing offered the next candidate by itself
            assert current["offered_by"] is None
        else:
            assert pending == []  # escalated: routing stops

    timeline = (await client.get(f"{CASES}/{case['id']}/timeline", headers=supervisor)).json()
    types = [event["type"] for event in timeline["items"]]
    assert types.count("offered") == 2 and types[-1] == "escalated"
    decisions = (await client.get(f"{CASES}/{case['id']}/decisions", headers=caseworker)).json()
    assert [d["chosen_by"] for d in decisions["items"]][-1] == "auto"


async def test_an_expired_offer_cannot_be_answered_and_reads_as_expired(
    client, actors, session
) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    volunteer = actors[Role.volunteer]
    await set_profile(client, supervisor, volunteer.user.id)
    case = await screened_case(client, caseworker)
    made = (await offer(client, caseworker, case["id"], best=True)).json()
    await session.execute(
        update(Offer)
        .where(col(Offer.id) == uuid.UUID(made["id"]))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    await session.commit()

    for action, body in (("accept", None), ("decline", {"reason": "late"})):
        answer = await client.post(
            f"{OFFERS}/{made['id']}/{action}", json=body, headers=volunteer.headers
        )
        assert answer.status_code == 409, action
    mine = (await client.get("/api/v1/me/offers", headers=volunteer.headers)).json()
    assert mine["items"][0]["status"] == "expired"
    assert (await client.get(f"{CASES}/{case['id']}", headers=volunteer.headers)).status_code == 404
    # A new offer expires the old one first.
    again = await offer(client, caseworker, case["id"], best=True)
    assert again.status_code == 409  # the only helper let it expire
    suggestions = (await client.get(f"{CASES}/{case['id']}/suggestions", headers=caseworker)).json()
    assert suggestions["people"]["filtered"] == {"expired_offer": 1}


async def test_critical_cases_are_offered_to_caseworkers_only(client, actors) -> None:
    caseworker, supervisor = actors[Role.caseworker], actors[Role.supervisor].headers
    volunteer = actors[Role.volunteer]
    await set_profile(client, supervisor, volunteer.user.id)
    await set_profile(client, supervisor, caseworker.user.id, card=None)
    case = await screened_case(client, caseworker.headers, immediate_danger=True)
    people = (
        await client.get(f"{CASES}/{case['id']}/suggestions", headers=caseworker.headers)
    ).json()["people"]
    assert [p["user_id"] for p in people["items"]] == [str(caseworker.user.id)]
    assert people["filtered"]["volunteer_on_critical"] == 1
    refused = await offer(client, caseworker.headers, case["id"], user_id=str(volunteer.user.id))
    assert refused.status_code == 409


@pytest.mark.parametrize("language", ["en", "th"])
async def test_offer_refusals_speak_the_callers_language(client, actors, language) -> None:
    caseworker = actors[Role.caseworker].headers
    case = await screened_case(client, caseworker)
    refused = await offer(
        client, {**caseworker, "Accept-Language": language}, case["id"], best=True
    )
    assert refused.status_code == 409
    expected = "No one is eligible" if language == "en" else "ไม่มีผู้ที่รับเรื่องนี้ได้"
    assert expected in refused.json()["detail"]


async def test_a_volunteer_sees_only_their_own_offer_events(client, actors, make_actor) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    volunteer, other = actors[Role.volunteer], await make_actor(Role.volunteer)
    for helper in (volunteer, other):
        await set_profile(client, supervisor, helper.user.id)
    case = await screened_case(client, caseworker)
    first = (await offer(client, caseworker, case["id"], user_id=str(other.user.id))).json()
    await client.post(
        f"{OFFERS}/{first['id']}/decline", json={"reason": "Away"}, headers=other.headers
    )
    await offer(client, caseworker, case["id"], user_id=str(volunteer.user.id))

    staff_view = (await client.get(f"{CASES}/{case['id']}/timeline", headers=caseworker)).json()
    assert [e["type"] for e in staff_view["items"]][-3:] == ["offered", "offer_declined", "offered"]
    mine = (await client.get(f"{CASES}/{case['id']}/timeline", headers=volunteer.headers)).json()
    shown = [(e["type"], e["data"].get("user_id")) for e in mine["items"]]
    assert shown == [("created", None), ("screened", None), ("offered", str(volunteer.user.id))]
    assert [e["seq"] for e in mine["items"]] == [1, 2, 3]
    assert str(other.user.id) not in str(mine)


async def test_a_new_offer_expires_the_stale_one_first(client, actors, make_actor, session) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    first, second = actors[Role.volunteer], await make_actor(Role.volunteer)
    await set_profile(client, supervisor, first.user.id)
    await set_profile(client, supervisor, second.user.id)
    case = await screened_case(client, caseworker)
    stale = (await offer(client, caseworker, case["id"], user_id=str(first.user.id))).json()
    await session.execute(
        update(Offer)
        .where(col(Offer.id) == uuid.UUID(stale["id"]))
        .values(expires_at=utcnow() - timedelta(minutes=1))
    )
    await session.commit()

    fresh = await offer(client, caseworker, case["id"], best=True)
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["user_id"] == str(second.user.id)
    timeline = (await client.get(f"{CASES}/{case['id']}/timeline", headers=caseworker)).json()
    assert [e["type"] for e in timeline["items"]][-3:] == ["offered", "offer_expired", "offered"]
    state = await session.get(CaseRouting, uuid.UUID(case["id"]), populate_existing=True)
    assert state is not None and state.failed_offers == 1


async def test_closing_a_case_withdraws_its_pending_offer(client, actors, session) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    volunteer = actors[Role.volunteer]
    await set_profile(client, supervisor, volunteer.user.id)
    case = await screened_case(client, caseworker)
    made = (await offer(client, caseworker, case["id"], user_id=str(volunteer.user.id))).json()

    closed = await move(client, caseworker, case["id"], "closed", closure_reason="out_of_scope")

    assert closed.status_code == 200, closed.text
    stored = await session.get(Offer, uuid.UUID(made["id"]), populate_existing=True)
    assert stored is not None and stored.status is OfferStatus.withdrawn
    timeline = (await client.get(f"{CASES}/{case['id']}/timeline", headers=caseworker)).json()
    last = timeline["items"][-1]
    assert (last["type"], last["data"]["offer_id"], last["data"]["user_id"]) == (
        "offer_withdrawn",
        made["id"],
        str(volunteer.user.id),
    )
    assert [e["type"] for e in timeline["items"]][-2:] == ["status_changed", "offer_withdrawn"]
    mine = (await client.get("/api/v1/me/offers", headers=volunteer.headers)).json()
    assert mine["items"] == []
    answer = await client.post(f"{OFFERS}/{made['id']}/accept", headers=volunteer.headers)
    assert answer.status_code == 409
    state = await session.get(CaseRouting, uuid.UUID(case["id"]), populate_existing=True)
    assert state is not None and state.failed_offers == 0


async def test_resolving_a_case_withdraws_its_handover_offer(client, actors, make_actor) -> None:
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    lead, other = actors[Role.volunteer], await make_actor(Role.volunteer)
    for helper in (lead, other):
        await set_profile(client, supervisor, helper.user.id)
    case = await screened_case(client, caseworker)
    first = (await offer(client, caseworker, case["id"], user_id=str(lead.user.id))).json()
    await client.post(f"{OFFERS}/{first['id']}/accept", headers=lead.headers)
    handover = (await offer(client, caseworker, case["id"], user_id=str(other.user.id))).json()

    resolved = await move(client, caseworker, case["id"], "resolved")

    assert resolved.status_code == 200, resolved.text
    mine = (await client.get("/api/v1/me/offers", headers=other.headers)).json()
    assert mine["items"] == []
    # The helper it was offered to no longer reads the case.
    assert (await client.get(f"{CASES}/{case['id']}", headers=other.headers)).status_code == 404
    staff_view = (await client.get(f"{CASES}/{case['id']}/timeline", headers=caseworker)).json()
    withdrawn = staff_view["items"][-1]
    assert withdrawn["type"] == "offer_withdrawn"
    assert withdrawn["data"]["offer_id"] == handover["id"]
    # The lead still sees the offer they accepted.
    lead_offers = (await client.get("/api/v1/me/offers", headers=lead.headers)).json()
    assert [o["status"] for o in lead_offers["items"]] == ["accepted"]
