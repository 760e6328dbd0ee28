"""The case list: every filter, their combinations, name and reference search, keyset pages,
and the 422 answers for parameters that are not valid."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import Case, CaseCategory
from models.enums import Role
from tests.conftest import Actor
from tests.support.cases import CASES, anonymous_body, create_case

V, C, S = Role.volunteer, Role.caseworker, Role.supervisor
T0 = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
BANGKOK_DISTRICT = {
    "province_code": "10",
    "district_code": "1002",
    "subdistrict_code": None,
    "postal_code": None,
}
CHIANG_MAI = {
    "province_code": "50",
    "district_code": "5001",
    "subdistrict_code": "500101",
    "postal_code": "50200",
}
CHIANG_MAI_PROVINCE = {
    "province_code": "50",
    "district_code": None,
    "subdistrict_code": None,
    "postal_code": None,
}
BANGKOK_PROVINCE = {**CHIANG_MAI_PROVINCE, "province_code": "10"}

# label: reporter, title, first, last, status, urgency, categories, location, lead, hour
# (the default location is Bangkok, district 1001).
SEED: dict[str, tuple[Any, ...]] = {
    "c1": (V, "นางสาว", "น้ำฝน", "แก้วมณี", "new", "high", ["older_person"], None, None, 0),
    "c2": (
        C, "นาย", "สมชาย", "ใจดี", "screened", "normal",
        ["housing", "income_livelihood"], BANGKOK_DISTRICT, None, 1,
    ),
    "c3": (
        C, "นาง", "สมหญิง", "รักไทย", "in_progress", "critical",
        ["family_violence"], CHIANG_MAI, C, 2,
    ),
    "c4": (
        V, None, "มานี", "มีนา", "awaiting_client", "low",
        ["child_youth", "housing"], CHIANG_MAI, V, 3,
    ),
    "c5": (S, "นาย", "ปิติ", "ชูใจ", "resolved", "high", ["housing"], None, S, 4),
    "c6": (V, None, "ชูใจ", "น้ำใจ", "closed", "normal", ["other"], BANGKOK_PROVINCE, None, 5),
    "c7": (
        C, "Mr.", "John", "Smith", "new", "normal",
        ["homeless_destitute", "housing"], CHIANG_MAI_PROVINCE, None, 6,
    ),
}  # fmt: skip
NEWEST_FIRST = ["c7", "c6", "c5", "c4", "c3", "c2", "c1"]


@dataclass
class Listing:
    actors: dict[Role, Actor]
    cases: dict[str, dict[str, Any]]
    ids: dict[str, str]  # id -> label

    def labels(self, response: httpx.Response) -> list[str]:
        assert response.status_code == 200, response.text
        return [self.ids[item["id"]] for item in response.json()["items"]]


async def _age(session: AsyncSession, case_id: str, at: datetime, **values: Any) -> None:
    """Give a case a creation time (its category rows keep the same one) and a state."""
    key = uuid.UUID(case_id)
    await session.execute(
        sa.update(Case).where(col(Case.id) == key).values(created_at=at, **values)
    )
    await session.execute(
        sa.update(CaseCategory).where(col(CaseCategory.case_id) == key).values(created_at=at)
    )
    await session.commit()


@pytest.fixture
async def listing(
    client: httpx.AsyncClient, session: AsyncSession, actors: dict[Role, Actor]
) -> Listing:
    cases: dict[str, dict[str, Any]] = {}
    for label, seed in SEED.items():
        reporter, title, first, last, status, urgency, categories, location, lead, hour = seed
        body = {**anonymous_body(), "categories": categories}
        body["client"] = {**body["client"], "first_name": first, "last_name": last}
        if title:
            body["client"]["title"] = title
        if location:
            body["location"] = {k: v for k, v in location.items() if v is not None}
        case = await create_case(client, actors[reporter].headers, body)
        await _age(
            session,
            case["id"],
            T0 + timedelta(hours=hour),
            status=status,
            urgency=urgency,
            lead_id=actors[lead].user.id if lead else None,
        )
        cases[label] = case
    return Listing(actors, cases, {c["id"]: label for label, c in cases.items()})


async def _list(
    client: httpx.AsyncClient, listing: Listing, params: Any, role: Role = S
) -> list[str]:
    response = await client.get(CASES, params=params, headers=listing.actors[role].headers)
    return listing.labels(response)


def _at(hour: int) -> str:
    return (T0 + timedelta(hours=hour)).isoformat()


async def test_everything_newest_first(client: httpx.AsyncClient, listing: Listing) -> None:
    response = await client.get(CASES, headers=listing.actors[C].headers)
    assert listing.labels(response) == NEWEST_FIRST
    assert response.json()["next_cursor"] is None
    first = response.json()["items"][-1]
    c1 = listing.cases["c1"]
    assert first == {
        "id": c1["id"],
        "reference": c1["reference"],
        "status": "new",
        "urgency": "high",
        "categories": ["older_person"],
        "channel": "mobile",
        "client_name": "น้ำฝน แก้วมณี",
        "country_code": "TH",
        "city": None,
        "province_code": "10",
        "district_code": "1001",
        "lead": None,
        "created_by": str(listing.actors[V].user.id),
        "created_at": first["created_at"],
        "updated_at": first["updated_at"],
        "version": 1,
    }
    assert datetime.fromisoformat(first["created_at"]) == T0


FILTERS: list[tuple[Any, list[str]]] = [
    ({"status": "new"}, ["c7", "c1"]),
    ([("status", "new"), ("status", "screened")], ["c7", "c2", "c1"]),
    ([("status", "in_progress"), ("status", "awaiting_client")], ["c4", "c3"]),
    ({"status": "referred"}, []),
    ({"urgency": "high"}, ["c5", "c1"]),
    ({"urgency": "critical"}, ["c3"]),
    ({"category": "housing"}, ["c7", "c5", "c4", "c2"]),
    ({"category": "older_person"}, ["c1"]),
    ({"category": "begging"}, []),
    ({"province": "50"}, ["c7", "c4", "c3"]),
    ({"province": "10"}, ["c6", "c5", "c2", "c1"]),
    ({"district": "5001"}, ["c4", "c3"]),
    ({"district": "1001"}, ["c5", "c1"]),
    ({"lead": "none"}, ["c7", "c6", "c2", "c1"]),
    ({"created_from": _at(2)}, ["c7", "c6", "c5", "c4", "c3"]),
    ({"created_to": _at(2)}, ["c2", "c1"]),
    ({"created_from": _at(1), "created_to": _at(4)}, ["c4", "c3", "c2"]),
    # The same instant written with a Bangkok offset.
    ({"created_from": (T0 + timedelta(hours=5)).astimezone().isoformat()}, ["c7", "c6"]),
    ({"created_from": _at(7)}, []),
    # Combinations.
    ({"status": "new", "category": "housing"}, ["c7"]),
    ({"province": "10", "urgency": "high", "lead": "none"}, ["c1"]),
    ({"province": "10", "district": "1001", "status": "resolved"}, ["c5"]),
    ({"category": "housing", "created_from": _at(3)}, ["c7", "c5", "c4"]),
    ({"category": "housing", "created_to": _at(3), "province": "10"}, ["c2"]),
    ({"category": "housing", "q": "มานี"}, ["c4"]),
    ({"q": "สม", "province": "50"}, ["c3"]),
    ([("status", "new"), ("status", "closed"), ("q", "ชูใจ")], ["c6"]),
]


async def test_filters(client: httpx.AsyncClient, listing: Listing) -> None:
    for params, expected in FILTERS:
        assert await _list(client, listing, params) == expected, params
        # Page by page, the same rows in the same order.
        pairs = list(params.items()) if isinstance(params, dict) else list(params)
        assert await _walk(client, listing, pairs, limit=2) == expected, params


async def test_lead_and_reporter_filters(client: httpx.AsyncClient, listing: Listing) -> None:
    ids = {role: str(listing.actors[role].user.id) for role in (V, C, S)}
    assert await _list(client, listing, {"lead": ids[C]}) == ["c3"]
    assert await _list(client, listing, {"lead": ids[V]}) == ["c4"]
    assert await _list(client, listing, {"lead": "me"}, role=S) == ["c5"]
    assert await _list(client, listing, {"lead": "me"}, role=C) == ["c3"]
    assert await _list(client, listing, {"lead": str(uuid.uuid4())}) == []
    assert await _list(client, listing, {"reporter": ids[V]}) == ["c6", "c4", "c1"]
    assert await _list(client, listing, {"reporter": ids[C]}) == ["c7", "c3", "c2"]
    assert await _list(client, listing, {"reporter": "me"}, role=C) == ["c7", "c3", "c2"]
    assert await _list(client, listing, {"reporter": "me"}, role=S) == ["c5"]
    assert await _list(client, listing, {"reporter": ids[C], "lead": "me"}, role=C) == ["c3"]
    assert await _list(client, listing, {"reporter": ids[C], "lead": "none"}) == ["c7", "c2"]
    assert await _list(client, listing, {"reporter": ids[V], "category": "housing"}) == ["c4"]
    # A volunteer sees their own cases only, whatever they ask for.
    assert await _list(client, listing, {}, role=V) == ["c6", "c4", "c1"]
    assert await _list(client, listing, {"lead": "me"}, role=V) == ["c4"]
    assert await _list(client, listing, {"lead": ids[V]}, role=V) == ["c4"]
    assert await _list(client, listing, {"reporter": "me"}, role=V) == ["c6", "c4", "c1"]
    assert await _list(client, listing, {"reporter": "me", "lead": "me"}, role=V) == ["c4"]
    assert await _list(client, listing, {"reporter": ids[C]}, role=V) == []
    assert await _list(client, listing, {"category": "housing"}, role=V) == ["c4"]


SEARCHES: list[tuple[str, list[str]]] = [
    ("น้ำฝน", ["c1"]),
    ("นางสาวน้ำฝน", ["c1"]),  # the title is not part of the name
    ("นางสาว น้ำฝน", ["c1"]),
    ("นำฝน", ["c1"]),  # tone marks ignored
    ("นํ้าฝน", ["c1"]),  # sara am typed as nikhahit + sara aa
    ("น้ำ", ["c6", "c1"]),  # the start of a first name (c1) or of a last name (c6)
    ("แกว", ["c1"]),
    ("แก้วม", ["c1"]),
    ("ฝน", []),  # the middle of a name is not its start
    ("มณี", []),
    ("สม", ["c3", "c2"]),
    ("นายสมชาย", ["c2"]),
    ("สมชาย ใจ", ["c2"]),  # first name and the start of the last
    ("ใจดี", ["c2"]),
    ("ชูใจ", ["c6", "c5"]),  # a first name (c6) and a last name (c5)
    ("john", ["c7"]),
    ("Mr. John", ["c7"]),
    ("SMITH", ["c7"]),
    ("จอห์น", []),
    ("!!", []),  # nothing left of it after normalisation
]


async def test_search_by_the_start_of_a_name(client: httpx.AsyncClient, listing: Listing) -> None:
    for q, expected in SEARCHES:
        assert await _list(client, listing, {"q": q}) == expected, q
    # Caseworkers and volunteers search alike, within what they may see.
    assert await _list(client, listing, {"q": "น้ำ"}, role=C) == ["c6", "c1"]
    assert await _list(client, listing, {"q": "น้ำ"}, role=V) == ["c6", "c1"]
    assert await _list(client, listing, {"q": "สม"}, role=V) == []


async def test_search_by_reference_is_exact(client: httpx.AsyncClient, listing: Listing) -> None:
    reference = listing.cases["c3"]["reference"]
    assert reference.startswith("OS-")
    assert await _list(client, listing, {"q": reference}) == ["c3"]
    assert await _list(client, listing, {"q": f"  {reference.lower()} "}) == ["c3"]
    assert await _list(client, listing, {"q": reference[:-1]}) == []
    assert await _list(client, listing, {"q": reference + "0"}) == []
    assert await _list(client, listing, {"q": "OS-"}) == []
    assert await _list(client, listing, {"q": reference, "status": "new"}) == []
    # The volunteer did not report or lead c3.
    assert await _list(client, listing, {"q": reference}, role=V) == []


# --------------------------------------------------------------------------- pages


async def _walk(
    client: httpx.AsyncClient,
    listing: Listing,
    params: list[tuple[str, str]],
    *,
    limit: int,
    role: Role = S,
) -> list[str]:
    labels: list[str] = []
    cursor: str | None = None
    for _ in range(20):
        page_params = [*params, ("limit", str(limit))] + ([("cursor", cursor)] if cursor else [])
        response = await client.get(CASES, params=page_params, headers=listing.actors[role].headers)
        page = listing.labels(response)
        assert len(page) <= limit
        cursor = response.json()["next_cursor"]
        labels += page
        if cursor is None:
            return labels
        assert len(page) == limit  # only a full page announces a next one
    raise AssertionError("the pages did not end")


async def test_pages_return_each_case_once_newest_first(
    client: httpx.AsyncClient, listing: Listing
) -> None:
    for limit in (1, 2, 3, 6, 7, 8, 200):
        assert await _walk(client, listing, [], limit=limit) == NEWEST_FIRST, limit


async def test_pages_with_a_category_filter(client: httpx.AsyncClient, listing: Listing) -> None:
    housing = [("category", "housing")]
    both = [*housing, ("province", "10")]
    for limit in (1, 2, 3, 4):
        assert await _walk(client, listing, housing, limit=limit) == ["c7", "c5", "c4", "c2"]
        assert await _walk(client, listing, both, limit=limit) == ["c5", "c2"]
    # A volunteer's pages hold only their cases, with or without the filter.
    for limit in (1, 2):
        assert await _walk(client, listing, [], limit=limit, role=V) == ["c6", "c4", "c1"]
        assert await _walk(client, listing, housing, limit=limit, role=V) == ["c4"]


async def test_pages_of_a_name_search(
    client: httpx.AsyncClient, session: AsyncSession, listing: Listing
) -> None:
    """A name search finds its page's ids first (`_page_of_ids`): with more matches than a
    page, the pages still hold each match once, newest first, with another filter, with ties
    on one instant, and without a restricted case for all but supervisors."""
    # Three more names starting สม, newer than the seeded ones; the newest restricted.
    for label, first, hour in (("s1", "สมใจ", 10), ("s2", "สมพร", 11), ("s3", "สมปอง", 12)):
        body = {**anonymous_body(), "categories": ["housing"]}
        body["client"] = {**body["client"], "first_name": first, "last_name": "ทดสอบ"}
        case = await create_case(client, listing.actors[C].headers, body)
        restricted = {"restricted_at": T0, "restriction_basis": "restriction"} if hour == 12 else {}
        await _age(session, case["id"], T0 + timedelta(hours=hour), **restricted)
        listing.cases[label] = case
        listing.ids[case["id"]] = label
    everyone = ["s3", "s2", "s1", "c3", "c2"]
    for limit in (1, 2, 3):
        assert await _walk(client, listing, [("q", "สม")], limit=limit) == everyone, limit
        assert await _walk(client, listing, [("q", "สม")], limit=limit, role=C) == everyone[1:]
        bangkok = [("q", "สม"), ("province", "10")]
        assert await _walk(client, listing, bangkok, limit=limit) == ["s3", "s2", "s1", "c2"]
        assert await _walk(client, listing, [("q", "น้ำ")], limit=limit) == ["c6", "c1"]
    # Ties on one instant: each case once, the larger id first.
    for label in ("s1", "s2", "c3"):
        await _age(session, listing.cases[label]["id"], T0 + timedelta(hours=11))
    tied = sorted(("s1", "s2", "c3"), key=lambda lb: uuid.UUID(listing.cases[lb]["id"]))
    for limit in (1, 2):
        walked = await _walk(client, listing, [("q", "สม")], limit=limit, role=C)
        assert walked == [*reversed(tied), "c2"], limit


async def test_pages_break_ties_on_the_same_instant(
    client: httpx.AsyncClient, session: AsyncSession, listing: Listing
) -> None:
    """Cases created in the same microsecond are still each listed exactly once."""
    for label in ("c2", "c3", "c4", "c5"):
        await _age(session, listing.cases[label]["id"], T0 + timedelta(hours=2))
    by_id = sorted(("c2", "c3", "c4", "c5"), key=lambda lb: uuid.UUID(listing.cases[lb]["id"]))
    expected = ["c7", "c6", *reversed(by_id), "c1"]
    for limit in (1, 2, 3):
        assert await _walk(client, listing, [], limit=limit) == expected
    housing = [lb for lb in expected if lb in {"c7", "c5", "c4", "c2"}]
    for limit in (1, 2):
        assert await _walk(client, listing, [("category", "housing")], limit=limit) == housing


async def test_a_cursor_keeps_its_place_when_newer_cases_arrive(
    client: httpx.AsyncClient, listing: Listing
) -> None:
    headers = listing.actors[S].headers
    first = await client.get(CASES, params={"limit": 3}, headers=headers)
    assert listing.labels(first) == ["c7", "c6", "c5"]
    newer = await create_case(client, listing.actors[C].headers)
    listing.ids[newer["id"]] = "newer"
    cursor = first.json()["next_cursor"]
    rest = await client.get(CASES, params={"limit": 10, "cursor": cursor}, headers=headers)
    assert listing.labels(rest) == ["c4", "c3", "c2", "c1"]
    again = await client.get(CASES, params={"limit": 1}, headers=headers)
    assert listing.labels(again) == ["newer"]


# --------------------------------------------------------------------------- 422


def _cursor(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


BAD_PARAMETERS: list[tuple[Any, str]] = [
    ({"limit": 0}, "limit"),
    ({"limit": 201}, "limit"),
    ({"limit": -1}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"cursor": "not a cursor"}, "cursor"),
    ({"cursor": "%%%"}, "cursor"),
    ({"cursor": _cursor({"at": 1})}, "cursor"),
    ({"cursor": _cursor(["2025-03-01T02:00:00+00:00"])}, "cursor"),
    ({"cursor": _cursor(["yesterday", str(uuid.uuid4())])}, "cursor"),
    ({"cursor": _cursor(["2025-03-01T02:00:00+00:00", "not-a-uuid"])}, "cursor"),
    ({"cursor": _cursor(["2025-03-01T02:00:00", str(uuid.uuid4())])}, "cursor"),
    ({"cursor": "x" * 513}, "cursor"),
    ({"lead": "bob"}, "lead"),
    ({"lead": "12345"}, "lead"),
    ({"lead": str(uuid.uuid4()) + "0"}, "lead"),
    ({"reporter": "none"}, "reporter"),
    ({"reporter": "someone"}, "reporter"),
    ({"province": "1"}, "province"),
    ({"province": "100"}, "province"),
    ({"province": "กท"}, "province"),
    ({"district": "100"}, "district"),
    ({"status": "open"}, "status"),
    ({"urgency": "urgent"}, "urgency"),
    ({"category": "poverty"}, "category"),
    ({"created_from": "yesterday"}, "created_from"),
    ({"created_to": "2025-13-01"}, "created_to"),
    ({"created_from": "2025-03-01T02:00:00"}, "created_from"),  # no offset
    ({"q": ""}, "q"),
    ({"q": "ก" * 101}, "q"),
]


@pytest.mark.parametrize(("params", "parameter"), BAD_PARAMETERS)
async def test_parameters_that_are_not_valid_are_422(
    client: httpx.AsyncClient, actors: dict[Role, Actor], params: Any, parameter: str
) -> None:
    for role in (C, V):
        response = await client.get(CASES, params=params, headers=actors[role].headers)
        assert response.status_code == 422, (role, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == 422
        assert [e["parameter"] for e in body["errors"]] == [parameter], body
        assert "pointer" not in body["errors"][0]


async def test_eight_statuses_are_too_many(
    client: httpx.AsyncClient, actors: dict[Role, Actor]
) -> None:
    params = [("status", "new")] * 8
    response = await client.get(CASES, params=params, headers=actors[C].headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "status"
