"""Who may do what to which case (SPEC §2), route by route, role by role.

A case the caller may not read answers 404, exactly as a case that does not exist; a case the
caller may read but not change answers 403; a role that may never use a route is refused at
the route with 403; without a token every route answers 401. Lists never show a case the
caller could not open.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.tokens import TokenKind, issue_token
from models.base import utcnow
from models.case import Case, CaseNote, DuplicateLink
from models.enums import CaseStatus, Role
from models.routing import Offer
from service.platform.settings import Settings
from tests.conftest import Actor, MakeActor
from tests.support.cases import CASES, VALID_THAI_ID, anonymous_body, create_case, intake_body

CHIANG_MAI = {
    "province_code": "50",
    "district_code": "5001",
    "subdistrict_code": "500101",
    "postal_code": "50200",
}
V, C, S, G, A = Role.volunteer, Role.caseworker, Role.supervisor, Role.agency, Role.admin

# How the caller relates to the case under test:
# - reported: the caller submitted it; another caseworker leads it;
# - led: another volunteer submitted it; the caller leads it;
# - stranger: another volunteer submitted it; another caseworker leads it;
# - offered: a stranger's case, offered to the caller (a pending offer before its expiry).
# Agency staff and admins neither submit nor lead cases, so only `stranger` applies to them.
COLUMNS: list[tuple[Role, str]] = [
    (V, "reported"),
    (V, "led"),
    (V, "stranger"),
    (V, "offered"),
    (C, "reported"),
    (C, "led"),
    (C, "stranger"),
    (S, "reported"),
    (S, "led"),
    (S, "stranger"),
    (G, "stranger"),
    (A, "stranger"),
]

# fmt: off
CASE_ROUTES: dict[str, tuple[int, ...]] = {
    #                     volunteer             caseworker       supervisor       agency  admin
    #                     rep  led  str  off    rep  led  str    rep  led  str    str     str
    "read":              (200, 200, 404, 200,   200, 200, 200,   200, 200, 200,   404,    403),
    "update":            (403, 200, 404, 403,   200, 200, 200,   200, 200, 200,   403,    403),
    "transition":        (403, 200, 404, 403,   200, 200, 200,   200, 200, 200,   403,    403),
    "timeline":          (200, 200, 404, 200,   200, 200, 200,   200, 200, 200,   403,    403),
    "add_note":          (403, 201, 404, 403,   201, 201, 201,   201, 201, 201,   403,    403),
    "list_notes":        (200, 200, 404, 200,   200, 200, 200,   200, 200, 200,   403,    403),
    "confirm_duplicate": (403, 403, 403, 403,   200, 200, 200,   200, 200, 200,   403,    403),
    "dismiss_duplicate": (403, 403, 403, 403,   200, 200, 200,   200, 200, 200,   403,    403),
    "list_duplicates":   (403, 403, 403, 403,   200, 200, 200,   200, 200, 200,   403,    403),
}
COLLECTION_ROUTES: dict[str, tuple[int, ...]] = {
    #                volunteer  caseworker  supervisor  agency  admin
    "submit":       (201,       201,        201,        403,    403),
    "list":         (200,       200,        200,        200,    403),
}
# fmt: on
ROLES = [V, C, S, G, A]
DUPLICATE_ROUTES = {"confirm_duplicate", "dismiss_duplicate", "list_duplicates"}
CHANGING_ROUTES = {"update", "transition", "confirm_duplicate", "dismiss_duplicate"}

CASE_MATRIX = [
    pytest.param(route, role, relation, expected, id=f"{route}-{role.value}-{relation}")
    for route, row in CASE_ROUTES.items()
    for (role, relation), expected in zip(COLUMNS, row, strict=True)
]
COLLECTION_MATRIX = [
    pytest.param(route, role, expected, id=f"{route}-{role.value}")
    for route, row in COLLECTION_ROUTES.items()
    for role, expected in zip(ROLES, row, strict=True)
]


@dataclass
class Target:
    """A case set up for one request, with what a valid request about it needs."""

    case_id: str
    etag: str
    link_id: str


def case_request(route: str, target: Target) -> tuple[str, str, dict[str, Any] | None, bool]:
    """Method, path, body and whether If-Match is sent: a request valid in every other way."""
    base = f"{CASES}/{target.case_id}"
    link = f"{base}/duplicates/{target.link_id}"
    return {
        "read": ("GET", base, None, False),
        "update": ("PATCH", base, {"summary": "พบผู้สูงอายุแล้ว ส่งอาหารให้"}, True),
        "transition": ("POST", f"{base}/transitions", {"to": "awaiting_client"}, True),
        "timeline": ("GET", f"{base}/timeline", None, False),
        "add_note": ("POST", f"{base}/notes", {"body": "โทรหาญาติแล้ว ยังไม่รับสาย"}, False),
        "list_notes": ("GET", f"{base}/notes", None, False),
        "confirm_duplicate": ("POST", f"{link}/confirm", None, True),
        "dismiss_duplicate": ("POST", f"{link}/dismiss", None, False),
        "list_duplicates": ("GET", f"{base}/duplicates", None, False),
    }[route]


async def send(
    client: httpx.AsyncClient, route: str, target: Target, headers: dict[str, str]
) -> httpx.Response:
    method, path, body, needs_if_match = case_request(route, target)
    if needs_if_match:
        headers = {**headers, "If-Match": target.etag}
    return await client.request(method, path, json=body, headers=headers)


async def set_case(session: AsyncSession, case_id: str, **values: Any) -> None:
    """Set a case's state directly, e.g. a volunteer lead (which an accepted offer makes)."""
    await session.execute(sa.update(Case).where(col(Case.id) == uuid.UUID(case_id)).values(values))
    await session.commit()


@dataclass
class World:
    actors: dict[Role, Actor]
    other_volunteer: Actor
    other_caseworker: Actor


@pytest.fixture
async def world(actors: dict[Role, Actor], make_actor: MakeActor) -> World:
    return World(actors, await make_actor(V), await make_actor(C))


async def make_target(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: World,
    *,
    caller: Actor,
    relation: str,
    status: CaseStatus,
    with_duplicate: bool,
) -> Target:
    reporter = caller if relation == "reported" else world.other_volunteer
    lead = caller if relation == "led" else world.other_caseworker
    link_id = str(uuid.uuid4())
    if with_duplicate:
        await create_case(client, world.other_caseworker.headers, intake_body())
        case = await create_case(client, reporter.headers, intake_body())
        link_id = str(
            (
                await session.execute(
                    sa.select(DuplicateLink.id).where(
                        col(DuplicateLink.case_id) == uuid.UUID(case["id"])
                    )
                )
            ).scalar_one()
        )
    else:
        case = await create_case(client, reporter.headers, anonymous_body())
    await set_case(session, case["id"], lead_id=lead.user.id, status=status)
    if relation == "offered":
        now = utcnow()
        session.add(
            Offer(
                case_id=uuid.UUID(case["id"]),
                user_id=caller.user.id,
                created_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
        await session.commit()
    return Target(case["id"], f'"{case["version"]}"', link_id)


async def snapshot(session: AsyncSession, case_id: str) -> tuple[Any, ...]:
    """What a refused request must leave untouched."""
    key = uuid.UUID(case_id)
    case = (
        await session.execute(
            sa.select(Case.version, Case.event_count, Case.status, Case.summary).where(
                col(Case.id) == key
            )
        )
    ).one()
    notes = await session.scalar(
        sa.select(sa.func.count()).select_from(CaseNote).where(col(CaseNote.case_id) == key)
    )
    links = (
        await session.execute(
            sa.select(DuplicateLink.status).where(col(DuplicateLink.case_id) == key)
        )
    ).all()
    return (*case, notes, tuple(links))


@pytest.mark.parametrize(("route", "role", "relation", "expected"), CASE_MATRIX)
async def test_case_route_access(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: World,
    route: str,
    role: Role,
    relation: str,
    expected: int,
) -> None:
    caller = world.actors[role]
    duplicate = route in DUPLICATE_ROUTES
    target = await make_target(
        client,
        session,
        world,
        caller=caller,
        relation=relation,
        # Duplicates are decided before a case is worked on; the lead's step needs in_progress.
        status=CaseStatus.new if duplicate else CaseStatus.in_progress,
        with_duplicate=duplicate,
    )
    before = await snapshot(session, target.case_id)

    response = await send(client, route, target, caller.headers)

    assert response.status_code == expected, response.text
    after = await snapshot(session, target.case_id)
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == expected
        assert after == before  # nothing written, not even a read record
        return
    body = response.json()
    if route in {"read", "update", "transition", "confirm_duplicate", "dismiss_duplicate"}:
        assert body["id"] == target.case_id
        assert response.headers["etag"] == f'"{body["version"]}"'
    if route in CHANGING_ROUTES:
        assert after[0] == before[0] + (0 if route == "dismiss_duplicate" else 1)
    if route == "transition":
        assert body["status"] == "awaiting_client"
    if route == "confirm_duplicate":
        assert (body["status"], body["closure_reason"]) == ("closed", "duplicate")
        assert after[-1] == (("confirmed",),)
    if route == "dismiss_duplicate":
        assert after[-1] == (("dismissed",),)
    if route == "add_note":
        assert (body["case_id"], body["author"]) == (target.case_id, str(caller.user.id))
        assert after[4] == before[4] + 1
    if route in {"timeline", "list_notes"}:
        assert set(body) == {"items", "next_cursor"}
    if route == "list_duplicates":
        assert [link["id"] for link in body["items"]] == [target.link_id]
        assert body["next_cursor"] is None


@pytest.mark.parametrize(("route", "role", "expected"), COLLECTION_MATRIX)
async def test_collection_route_access(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: World,
    route: str,
    role: Role,
    expected: int,
) -> None:
    caller = world.actors[role]
    before = await session.scalar(sa.select(sa.func.count()).select_from(Case))
    if route == "submit":
        response = await client.post(CASES, json=anonymous_body(), headers=caller.headers)
    else:
        response = await client.get(CASES, headers=caller.headers)
    assert response.status_code == expected, response.text
    count = await session.scalar(sa.select(sa.func.count()).select_from(Case))
    assert count == before + (1 if expected == 201 else 0)
    if expected == 403:
        assert response.headers["content-type"] == "application/problem+json"
    if expected == 201:
        assert response.json()["created_by"] == str(caller.user.id)


@pytest.mark.parametrize("route", [*CASE_ROUTES, *COLLECTION_ROUTES])
async def test_every_case_route_needs_a_valid_access_token(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    world: World,
    route: str,
) -> None:
    supervisor = world.actors[S]
    target = await make_target(
        client,
        session,
        world,
        caller=supervisor,
        relation="reported",
        status=CaseStatus.new,
        with_duplicate=route in DUPLICATE_ROUTES,
    )
    before = await snapshot(session, target.case_id)
    cases_before = await session.scalar(sa.select(sa.func.count()).select_from(Case))
    refresh = issue_token(
        settings,
        kind=TokenKind.refresh,
        subject=supervisor.user.id,
        version=supervisor.user.token_version,
        family_id=uuid.uuid4(),
        now=utcnow(),
    )
    for headers in (
        {},
        {"Authorization": "Bearer not.a.token"},
        {"Authorization": supervisor.headers["Authorization"].replace("Bearer", "Basic")},
        # A refresh token of a real caller is not an access token.
        {"Authorization": f"Bearer {refresh.token}"},
    ):
        if route == "submit":
            response = await client.post(CASES, json=anonymous_body(), headers=headers)
        elif route == "list":
            response = await client.get(CASES, headers=headers)
        else:
            response = await send(client, route, target, headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].lower().startswith("bearer")
    assert await snapshot(session, target.case_id) == before
    assert await session.scalar(sa.select(sa.func.count()).select_from(Case)) == cases_before


# --------------------------------------------------------------------------- 404 is 404


@pytest.mark.parametrize(
    "route", ["read", "update", "transition", "timeline", "add_note", "list_notes"]
)
async def test_a_strangers_case_looks_like_no_case(
    client: httpx.AsyncClient, session: AsyncSession, world: World, route: str
) -> None:
    volunteer = world.actors[V]
    target = await make_target(
        client,
        session,
        world,
        caller=volunteer,
        relation="stranger",
        status=CaseStatus.in_progress,
        with_duplicate=False,
    )
    existing = await send(client, route, target, volunteer.headers)
    missing = await send(
        client, route, Target(str(uuid.uuid4()), target.etag, target.link_id), volunteer.headers
    )
    assert existing.status_code == missing.status_code == 404
    assert existing.json() == missing.json()
    assert existing.content == missing.content
    volatile = {"date", "x-request-id", "content-length"}
    assert {k: v for k, v in existing.headers.items() if k not in volatile} == {
        k: v for k, v in missing.headers.items() if k not in volatile
    }


async def test_agency_cannot_tell_a_case_from_no_case(
    client: httpx.AsyncClient, world: World
) -> None:
    agency = world.actors[G]
    case = await create_case(client, world.other_volunteer.headers)
    existing = await client.get(f"{CASES}/{case['id']}", headers=agency.headers)
    missing = await client.get(f"{CASES}/{uuid.uuid4()}", headers=agency.headers)
    assert existing.status_code == missing.status_code == 404
    assert existing.content == missing.content


async def test_a_reporter_who_does_not_lead_gets_403_for_any_step(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    """Refused for not leading, before anything about the lifecycle is revealed."""
    volunteer = world.actors[V]
    target = await make_target(
        client,
        session,
        world,
        caller=volunteer,
        relation="reported",
        status=CaseStatus.in_progress,
        with_duplicate=False,
    )
    for to in ("awaiting_client", "resolved", "closed", "new", "referred"):
        response = await client.post(
            f"{CASES}/{target.case_id}/transitions",
            json={"to": to},
            headers={**volunteer.headers, "If-Match": target.etag},
        )
        assert response.status_code == 403, (to, response.text)
        assert "allowed" not in response.json()


# --------------------------------------------------------------------------- id numbers

MASKED = "*********" + VALID_THAI_ID[-4:]


async def test_id_numbers_are_masked_for_volunteers_and_full_for_staff(
    client: httpx.AsyncClient, session: AsyncSession, world: World
) -> None:
    volunteer, lead = world.actors[V], world.other_volunteer
    submitted = await client.post(CASES, json=intake_body(), headers=volunteer.headers)
    assert submitted.status_code == 201, submitted.text
    case = submitted.json()
    assert (case["client"]["id_number"], case["client"]["id_number_masked"]) == (MASKED, True)
    await set_case(session, case["id"], lead_id=lead.user.id, status=CaseStatus.in_progress)

    for viewer in (volunteer, lead):
        read = await client.get(f"{CASES}/{case['id']}", headers=viewer.headers)
        assert read.status_code == 200, read.text
        client_out = read.json()["client"]
        assert (client_out["id_number"], client_out["id_number_masked"]) == (MASKED, True)
        assert VALID_THAI_ID not in read.text
    patched = await client.patch(
        f"{CASES}/{case['id']}",
        json={"summary": "เยี่ยมบ้านแล้ว"},
        headers={**lead.headers, "If-Match": read.headers["etag"]},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["client"]["id_number"] == MASKED
    assert VALID_THAI_ID not in patched.text

    for role in (C, S):
        read = await client.get(f"{CASES}/{case['id']}", headers=world.actors[role].headers)
        assert read.status_code == 200, read.text
        client_out = read.json()["client"]
        assert (client_out["id_number"], client_out["id_number_masked"]) == (VALID_THAI_ID, False)

    # Agency staff read no case until referrals exist; the list does not carry id numbers.
    agency = await client.get(f"{CASES}/{case['id']}", headers=world.actors[G].headers)
    assert agency.status_code == 404
    for role in (V, C, S):
        listed = await client.get(CASES, headers=world.actors[role].headers)
        assert listed.status_code == 200
        assert VALID_THAI_ID not in listed.text and MASKED not in listed.text


# --------------------------------------------------------------------------- lists


@dataclass
class ListWorld:
    volunteer: Actor
    own: list[str]  # reported by or led by the volunteer
    foreign: dict[str, dict[str, Any]]  # label -> case, of other people


@pytest.fixture
async def list_world(client: httpx.AsyncClient, session: AsyncSession, world: World) -> ListWorld:
    volunteer = world.actors[V]
    other, caseworker = world.other_volunteer, world.other_caseworker

    def body(first: str, last: str, **changes: Any) -> dict[str, Any]:
        answer = {**anonymous_body(), **changes}
        answer["client"] = {**answer["client"], "first_name": first, "last_name": last}
        return answer

    reported = await create_case(client, volunteer.headers, body("มานี", "ใจงาม"))
    led = await create_case(client, other.headers, body("มานพ", "ใจงาม"))
    await set_case(session, led["id"], lead_id=volunteer.user.id, status=CaseStatus.in_progress)

    # Other people's cases, covering every value of every filter the volunteer's cases have.
    foreign = {
        "twin": await create_case(client, other.headers, body("มานี", "ใจงาม")),
        "staff": await create_case(
            client,
            caseworker.headers,
            body(
                "ปิติ",
                "ใจงาม",
                urgency="critical",
                categories=["family_violence", "older_person"],
                location=CHIANG_MAI,
            ),
        ),
        "led_by_staff": await create_case(client, other.headers, body("ชูใจ", "รักเรียน")),
        "supervisor": await create_case(
            client, world.actors[S].headers, body("วีระ", "กล้าหาญ", urgency="low")
        ),
    }
    await set_case(
        session,
        foreign["led_by_staff"]["id"],
        lead_id=caseworker.user.id,
        status=CaseStatus.in_progress,
    )
    await set_case(session, foreign["supervisor"]["id"], status=CaseStatus.screened)
    return ListWorld(volunteer, [reported["id"], led["id"]], foreign)


def leak_queries(world: World, lw: ListWorld) -> list[dict[str, Any]]:
    """Every filter, with values that match the other people's cases."""
    volunteer = lw.volunteer.user.id
    others = [world.other_volunteer, world.other_caseworker, world.actors[S], world.actors[C]]
    queries: list[dict[str, Any]] = [{}]
    queries += [{"status": s.value} for s in CaseStatus]
    queries.append({"status": ["new", "screened", "in_progress"]})
    queries += [{"urgency": u} for u in ("critical", "high", "normal", "low")]
    queries += [{"category": c} for c in ("older_person", "income_livelihood", "family_violence")]
    queries += [{"province": "10"}, {"province": "50"}, {"district": "1001"}, {"district": "5001"}]
    queries += [{"lead": "none"}, {"lead": "me"}, {"lead": str(volunteer)}]
    queries += [{"lead": str(o.user.id)} for o in others]
    queries += [{"reporter": "me"}, {"reporter": str(volunteer)}]
    queries += [{"reporter": str(o.user.id)} for o in others]
    queries += [
        {"created_from": "2000-01-01T00:00:00+00:00"},
        {"created_to": "2999-01-01T00:00:00+07:00"},
    ]
    for case in lw.foreign.values():
        queries.append({"q": case["reference"]})
        queries.append({"q": case["reference"].lower()})
        queries.append({"q": case["client"]["first_name"]})
        queries.append({"q": case["client"]["last_name"]})
    queries.append({"q": "มา"})
    queries.append({"q": "ใจงาม", "province": "10", "status": ["new", "in_progress"]})
    return queries


async def list_ids(
    client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, Any], limit: int = 200
) -> list[str]:
    """Every id the list returns for `params`, following cursors."""
    ids: list[str] = []
    cursor = None
    for _ in range(50):
        page_params = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await client.get(CASES, params=page_params, headers=headers)
        assert response.status_code == 200, (params, response.text)
        body = response.json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids
    raise AssertionError("the list did not end")


async def test_volunteer_lists_only_cases_they_reported_or_lead(
    client: httpx.AsyncClient, world: World, list_world: ListWorld
) -> None:
    lw = list_world
    foreign_ids = {c["id"] for c in lw.foreign.values()}
    staff = world.actors[C].headers
    seen_by_staff: set[str] = set()
    for params in leak_queries(world, lw):
        as_volunteer = {k: str(lw.volunteer.user.id) if v == "me" else v for k, v in params.items()}
        everything = await list_ids(client, staff, as_volunteer)
        seen_by_staff |= set(everything)
        mine = await list_ids(client, lw.volunteer.headers, params)
        # Exactly what a caseworker sees for the same filters, minus other people's cases.
        assert mine == [i for i in everything if i in lw.own], params
        assert not foreign_ids & set(mine), params
        paged = await list_ids(client, lw.volunteer.headers, params, limit=1)
        assert paged == mine, params
    # The queries did find the other cases for staff, so their absence above means something.
    assert foreign_ids <= seen_by_staff

    unfiltered = await list_ids(client, lw.volunteer.headers, {})
    assert sorted(unfiltered) == sorted(lw.own)
    twin = lw.foreign["twin"]
    by_name = await list_ids(client, lw.volunteer.headers, {"q": "มานี"})
    assert twin["id"] not in by_name and lw.own[0] in by_name
    by_reference = await client.get(
        CASES, params={"q": twin["reference"]}, headers=lw.volunteer.headers
    )
    assert by_reference.json() == {"items": [], "next_cursor": None}


async def test_staff_list_every_case(
    client: httpx.AsyncClient, world: World, list_world: ListWorld
) -> None:
    every = set(list_world.own) | {c["id"] for c in list_world.foreign.values()}
    for role in (C, S):
        assert set(await list_ids(client, world.actors[role].headers, {})) == every


async def test_agency_lists_nothing_and_admin_is_refused(
    client: httpx.AsyncClient, world: World, list_world: ListWorld
) -> None:
    for params in leak_queries(world, list_world):
        agency = await client.get(CASES, params=params, headers=world.actors[G].headers)
        assert agency.status_code == 200, (params, agency.text)
        assert agency.json() == {"items": [], "next_cursor": None}, params
        admin = await client.get(CASES, params=params, headers=world.actors[A].headers)
        assert admin.status_code == 403, params
        assert admin.headers["content-type"] == "application/problem+json"
        assert "items" not in admin.json()
