"""The restriction of a case (PDPA s.32, s.34): kept, but hidden from all but supervisors,
never referred, shared with agencies, exported or matched as a possible duplicate, and its
reason shown to supervisors."""

from __future__ import annotations

import uuid

from models.enums import OfferStatus, Role
from models.routing import Offer
from tests.support.cases import CASES, VALID_THAI_ID, anonymous_body, create_case, intake_body
from tests.support.referrals import REFERRALS, case_in_progress, make_agency, refer
from tests.support.routing import OFFERS, offer, screened_case, set_profile

OBJECTION = {"basis": "objection", "reason": "ผู้รับบริการคัดค้านการประมวลผลข้อมูล"}


def _restriction(case_id: str) -> str:
    return f"{CASES}/{case_id}/restriction"


async def _listed(client, headers, case_id: str) -> bool:
    response = await client.get(CASES, params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    return case_id in {item["id"] for item in response.json()["items"]}


async def _unassigned(client, headers, case_id: str) -> bool:
    response = await client.get("/api/v1/queues/unassigned", headers=headers)
    assert response.status_code == 200, response.text
    return case_id in {item["id"] for item in response.json()["items"]}


async def test_a_restricted_case_is_seen_by_supervisors_only(client, actors):
    caseworker = actors[Role.caseworker].headers
    supervisor = actors[Role.supervisor].headers
    case = await create_case(client, caseworker, anonymous_body())
    assert await _listed(client, caseworker, case["id"])
    assert await _unassigned(client, caseworker, case["id"])

    made = await client.post(_restriction(case["id"]), json=OBJECTION, headers=supervisor)
    assert made.status_code == 200, made.text
    assert made.json()["restriction"]["basis"] == "objection"

    for role in (Role.caseworker, Role.volunteer):
        headers = actors[role].headers
        assert (await client.get(f"{CASES}/{case['id']}", headers=headers)).status_code == 404
        assert not await _listed(client, headers, case["id"])
    assert not await _unassigned(client, caseworker, case["id"])
    notes = await client.get(f"{CASES}/{case['id']}/notes", headers=caseworker)
    assert notes.status_code == 404

    detail = await client.get(f"{CASES}/{case['id']}", headers=supervisor)
    assert detail.status_code == 200
    shown = detail.json()["restriction"]
    assert shown["basis"] == "objection"
    assert shown["reason"] == OBJECTION["reason"]
    assert shown["since"]
    assert await _listed(client, supervisor, case["id"])
    assert await _unassigned(client, supervisor, case["id"])

    again = await client.post(_restriction(case["id"]), json=OBJECTION, headers=supervisor)
    assert again.status_code == 409

    lifted = await client.delete(_restriction(case["id"]), headers=supervisor)
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["restriction"] is None
    assert await _listed(client, caseworker, case["id"])
    detail = await client.get(f"{CASES}/{case['id']}", headers=supervisor)
    assert detail.json()["restriction"] is None
    timeline = await client.get(f"{CASES}/{case['id']}/timeline", headers=supervisor)
    types = [event["type"] for event in timeline.json()["items"]]
    assert types[-2:] == ["restricted", "restriction_lifted"]
    assert (await client.delete(_restriction(case["id"]), headers=supervisor)).status_code == 409


async def test_a_restricted_case_is_not_referred_shared_or_exported(
    client, session, actors, make_actor
):
    caseworker = actors[Role.caseworker].headers
    supervisor = actors[Role.supervisor].headers
    agency = await make_agency(session, make_actor, name="Shelter")
    case = await case_in_progress(client, caseworker)
    referral = await refer(client, caseworker, case["id"], agency.service.id)
    assert referral.status_code == 201, referral.text
    made = await client.post(_restriction(case["id"]), json=OBJECTION, headers=supervisor)
    assert made.status_code == 200, made.text

    refused = await refer(client, supervisor, case["id"], agency.service.id)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["restriction"]["basis"] == "objection"
    assert refused.json()["restriction"]["reason"] == OBJECTION["reason"]
    hidden = await refer(client, caseworker, case["id"], agency.service.id)
    assert hidden.status_code == 404

    shared = await client.get(
        f"{REFERRALS}/{referral.json()['id']}/case", headers=agency.staff.headers
    )
    assert shared.status_code == 403
    assert "reason" not in shared.json()["restriction"]

    # The agency's list of referrals leaves it out too; supervisors still see it.
    referral_id = referral.json()["id"]
    for headers, listed in ((agency.staff.headers, False), (supervisor, True)):
        page = await client.get(REFERRALS, params={"limit": 200}, headers=headers)
        assert page.status_code == 200, page.text
        assert (referral_id in {item["id"] for item in page.json()["items"]}) is listed

    exported = await client.get(CASES, headers={**supervisor, "Accept": "text/csv"})
    assert exported.status_code == 200
    assert case["reference"] not in exported.text


async def test_only_supervisors_restrict_and_bad_input_changes_nothing(client, actors):
    caseworker = actors[Role.caseworker].headers
    supervisor = actors[Role.supervisor].headers
    case = await create_case(client, caseworker, anonymous_body())
    for role in (Role.caseworker, Role.volunteer, Role.agency, Role.admin):
        headers = actors[role].headers
        posted = await client.post(_restriction(case["id"]), json=OBJECTION, headers=headers)
        assert posted.status_code == 403
        assert (await client.delete(_restriction(case["id"]), headers=headers)).status_code == 403
    for body in ({"basis": "forget", "reason": "x"}, {"basis": "objection"}, {}):
        bad = await client.post(_restriction(case["id"]), json=body, headers=supervisor)
        assert bad.status_code == 422, bad.text
        assert bad.json()["errors"][0]["pointer"]
    missing = await client.post(_restriction(str(uuid.uuid4())), json=OBJECTION, headers=supervisor)
    assert missing.status_code == 404
    detail = await client.get(f"{CASES}/{case['id']}", headers=supervisor)
    assert detail.json()["restriction"] is None
    assert await _listed(client, caseworker, case["id"])


async def test_a_restricted_case_is_no_possible_duplicate_but_for_supervisors(client, actors):
    caseworker = actors[Role.caseworker].headers
    supervisor = actors[Role.supervisor].headers

    def same_person(first_name: str) -> dict[str, object]:
        return intake_body(
            client={"id_number": VALID_THAI_ID, "phone": None, "first_name": first_name}
        )

    restricted = await create_case(client, caseworker, same_person("สมศรี"))
    linked = await create_case(client, caseworker, same_person("มานี"))
    assert [d["candidate_id"] for d in linked["possible_duplicates"]] == [restricted["id"]]
    made = await client.post(_restriction(restricted["id"]), json=OBJECTION, headers=supervisor)
    assert made.status_code == 200, made.text

    # Not matched once restricted; the link made before shows to supervisors only.
    later = await create_case(client, caseworker, same_person("ชูใจ"))
    assert [d["candidate_id"] for d in later["possible_duplicates"]] == [linked["id"]]
    for headers, shown in (
        (caseworker, {(later["id"], linked["id"])}),
        (supervisor, {(later["id"], linked["id"]), (linked["id"], restricted["id"])}),
    ):
        detail = await client.get(f"{CASES}/{linked['id']}", headers=headers)
        assert detail.status_code == 200, detail.text
        links = detail.json()["possible_duplicates"]
        assert {(d["case_id"], d["candidate_id"]) for d in links} == shown
    [hidden] = [d for d in links if d["candidate_id"] == restricted["id"]]
    decide = f"{CASES}/{linked['id']}/duplicates/{hidden['id']}/dismiss"
    # For all but supervisors the link is not there: it cannot be decided either.
    assert (await client.post(decide, headers=caseworker)).status_code == 404
    dismissed = await client.post(decide, headers=supervisor)
    assert dismissed.status_code == 200, dismissed.text


async def test_restricting_a_case_withdraws_its_offer_and_no_one_is_offered_it(
    client, actors, session
):
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    volunteer = actors[Role.volunteer]
    await set_profile(client, supervisor, volunteer.user.id)
    case = await screened_case(client, caseworker)
    made = (await offer(client, caseworker, case["id"], user_id=str(volunteer.user.id))).json()
    assert (await client.get(f"{CASES}/{case['id']}", headers=volunteer.headers)).status_code == 200

    restricted = await client.post(_restriction(case["id"]), json=OBJECTION, headers=supervisor)
    assert restricted.status_code == 200, restricted.text

    stored = await session.get(Offer, uuid.UUID(made["id"]), populate_existing=True)
    assert stored is not None and stored.status is OfferStatus.withdrawn
    mine = (await client.get("/api/v1/me/offers", headers=volunteer.headers)).json()
    assert mine["items"] == []
    accepted = await client.post(f"{OFFERS}/{made['id']}/accept", headers=volunteer.headers)
    assert accepted.status_code == 409
    assert (await client.get(f"{CASES}/{case['id']}", headers=volunteer.headers)).status_code == 404
    timeline = (await client.get(f"{CASES}/{case['id']}/timeline", headers=supervisor)).json()
    last = timeline["items"][-1]
    assert last["type"] == "offer_withdrawn" and last["data"]["restricted"] is True

    again = await offer(client, supervisor, case["id"], user_id=str(volunteer.user.id))
    assert again.status_code == 409, again.text
    assert again.json()["restriction"]["basis"] == "objection"
    hidden = await offer(client, caseworker, case["id"], user_id=str(volunteer.user.id))
    assert hidden.status_code == 404
