"""Helper profiles through the API: what helpers change themselves, what only supervisors
change, the checks on areas and cards, and the supervisors' list with expiring cards."""

from __future__ import annotations

from datetime import timedelta

from models.base import utcnow
from models.enums import Role
from service.platform.pagination import encode_cursor
from service.routing.ranking import bangkok_date
from tests.support.routing import HELPERS, set_profile

ME = "/api/v1/users/me/profile"


async def test_a_helper_without_a_profile_reads_the_defaults(client, actors) -> None:
    response = await client.get(ME, headers=actors[Role.volunteer].headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["available"], body["capacity"], body["areas"], body["card"]) == (True, 5, [], None)
    assert body["updated_at"] is None and body["open_cases"] == 0


async def test_a_helper_changes_their_availability_but_not_their_skills(client, actors) -> None:
    volunteer = actors[Role.volunteer].headers
    leave = (utcnow() + timedelta(days=3)).isoformat()
    changed = await client.patch(
        ME,
        json={"available": False, "leave_until": leave, "weekly_hours": 8, "languages": ["th"]},
        headers=volunteer,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["available"], body["on_leave"], body["weekly_hours"]) == (False, True, 8)
    for field, value in (("skills", ["housing"]), ("capacity", 9), ("areas", ["10"])):
        refused = await client.patch(ME, json={field: value}, headers=volunteer)
        assert refused.status_code == 422, field
        assert refused.json()["errors"][0]["pointer"] == f"/{field}"
    cleared = await client.patch(ME, json={"leave_until": None}, headers=volunteer)
    assert cleared.json()["on_leave"] is False
    for field in ("available", "languages"):
        refused = await client.patch(ME, json={field: None}, headers=volunteer)
        assert refused.status_code == 422, field
    assert (await client.patch(ME, json={}, headers=volunteer)).status_code == 422


async def test_supervisors_set_skills_areas_capacity_and_card(client, actors) -> None:
    supervisor, volunteer = actors[Role.supervisor].headers, actors[Role.volunteer]
    body = await set_profile(
        client,
        supervisor,
        volunteer.user.id,
        skills=["older_person", "housing"],
        areas=["10", "100101"],
    )
    assert body["skills"] == ["housing", "older_person"]
    assert body["areas"] == ["10", "100101"]
    assert body["card"]["expired"] is False and body["card"]["expiring_soon"] is False
    own = await client.get(ME, headers=volunteer.headers)
    assert own.json()["areas"] == ["10", "100101"]

    for areas, pointer in ((["99"], "/areas/0"), (["5001", "100199"], "/areas/1")):
        refused = await client.patch(
            f"{HELPERS}/{volunteer.user.id}", json={"areas": areas}, headers=supervisor
        )
        assert refused.status_code == 422, areas
        assert refused.json()["errors"][0]["pointer"] == pointer
    removed = await client.patch(
        f"{HELPERS}/{volunteer.user.id}", json={"card": None}, headers=supervisor
    )
    assert removed.json()["card"] is None


async def test_supervisors_list_cards_expiring_within_30_days(client, actors, make_actor) -> None:
    supervisor = actors[Role.supervisor].headers
    today = bangkok_date(utcnow())
    expiries = {
        "expired": today - timedelta(days=1),
        "soon": today + timedelta(days=10),
        "later": today + timedelta(days=90),
    }
    people = {}
    for label, expires in expiries.items():
        person = await make_actor(Role.volunteer)
        card = {"number": f"10-{label}", "province_code": "10", "expires_on": expires.isoformat()}
        await set_profile(client, supervisor, person.user.id, card=card)
        people[label] = str(person.user.id)

    expiring = await client.get(HELPERS, params={"card_expiring": "true"}, headers=supervisor)
    assert expiring.status_code == 200, expiring.text
    assert [h["user_id"] for h in expiring.json()["items"]] == [people["expired"], people["soon"]]
    first = await client.get(
        HELPERS, params={"card_expiring": "true", "limit": 1}, headers=supervisor
    )
    second = await client.get(
        HELPERS,
        params={"card_expiring": "true", "limit": 1, "cursor": first.json()["next_cursor"]},
        headers=supervisor,
    )
    assert [h["user_id"] for h in second.json()["items"]] == [people["soon"]]

    everyone = await client.get(HELPERS, params={"limit": 200}, headers=supervisor)
    listed = {h["user_id"]: h for h in everyone.json()["items"]}
    assert set(people.values()) <= set(listed)
    assert str(actors[Role.caseworker].user.id) in listed
    assert str(actors[Role.supervisor].user.id) not in listed
    assert listed[people["soon"]]["card"]["expiring_soon"] is True
    assert listed[people["later"]]["card"]["expiring_soon"] is False
    assert listed[people["expired"]]["card"]["expired"] is True
    volunteers = await client.get(HELPERS, params={"role": "volunteer"}, headers=supervisor)
    assert {h["role"] for h in volunteers.json()["items"]} == {"volunteer"}
    bad = await client.get(HELPERS, params={"cursor": "nonsense"}, headers=supervisor)
    assert bad.status_code == 422
    nul = encode_cursor(["a\x00b", str(actors[Role.volunteer].user.id)])
    for params in ({"cursor": nul}, {"cursor": nul, "card_expiring": "true"}, {"role": "admin"}):
        refused = await client.get(HELPERS, params=params, headers=supervisor)
        assert refused.status_code == 422, params


async def test_a_supervisor_reads_no_profile_of_other_roles(client, actors) -> None:
    supervisor = actors[Role.supervisor].headers
    for role in (Role.supervisor, Role.agency, Role.admin):
        response = await client.get(f"{HELPERS}/{actors[role].user.id}", headers=supervisor)
        assert response.status_code == 404, role
