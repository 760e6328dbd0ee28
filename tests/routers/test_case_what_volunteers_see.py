"""What volunteers see of a case may not depend on cases they cannot read (SPEC §2, §7), and
answers name the people on a case (SPEC §7)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.case import DuplicateLink
from models.enums import Role
from models.user import User
from tests.conftest import Actor
from tests.support.cases import CASES, anonymous_body, create_case, intake_body


async def _timeline_pages(
    client: httpx.AsyncClient, actor: Actor, case_id: str
) -> list[dict[str, Any]]:
    """Every page of one event, as the actor sees it, with its cursor."""
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        response = await client.get(
            f"{CASES}/{case_id}/timeline", params=params, headers=actor.headers
        )
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return pages


def _shape(pages: list[dict[str, Any]]) -> list[Any]:
    """What a timeline shows apart from ids, times and hashes (which differ between any two
    cases): event types, numbers, the names of changed fields and of data, and the cursors."""
    return [
        (
            [
                (e["type"], e["seq"], e["actor_name"], sorted(e["changes"]), sorted(e["data"]))
                for e in page["items"]
            ],
            page["next_cursor"],
        )
        for page in pages
    ]


async def _link_of(session: AsyncSession, case_id: str) -> uuid.UUID:
    return (
        await session.execute(
            sa.select(DuplicateLink.id).where(col(DuplicateLink.case_id) == uuid.UUID(case_id))
        )
    ).scalar_one()


async def test_a_volunteers_view_does_not_depend_on_cases_they_cannot_read(
    client, actors, session
) -> None:
    volunteer, caseworker = actors[Role.volunteer], actors[Role.caseworker]
    # The caseworker's own open case, which the volunteer cannot read.
    await create_case(client, caseworker.headers, intake_body())
    matched = await create_case(client, volunteer.headers, intake_body())
    fresh = await create_case(client, volunteer.headers, anonymous_body())
    link = await _link_of(session, matched["id"])
    dismissed = await client.post(
        f"{CASES}/{matched['id']}/duplicates/{link}/dismiss", headers=caseworker.headers
    )
    assert dismissed.status_code == 200, dismissed.text
    for case in (matched, fresh):
        note = await client.post(
            f"{CASES}/{case['id']}/notes", json={"body": "โทรแล้ว"}, headers=caseworker.headers
        )
        assert note.status_code == 201

    views = []
    for case in (matched, fresh):
        detail = await client.get(f"{CASES}/{case['id']}", headers=volunteer.headers)
        body = detail.json()
        views.append(
            (
                detail.headers["etag"],
                body["version"],
                body["possible_duplicates"],
                body["duplicate_of"],
                _shape(await _timeline_pages(client, volunteer, case["id"])),
            )
        )
    assert views[0] == views[1]
    assert [items[0][:2] for items, _cursor in views[0][4]] == [("created", 1), ("note_added", 2)]
    # Staff see the whole history, numbered as stored.
    staff = await _timeline_pages(client, caseworker, matched["id"])
    assert [p["items"][0]["type"] for p in staff] == [
        "created",
        "duplicate_flagged",
        "duplicate_dismissed",
        "note_added",
    ]
    assert [p["items"][0]["seq"] for p in staff] == [1, 2, 3, 4]


async def test_the_case_a_duplicate_closes_into_is_named_only_to_those_who_may_read_it(
    client, actors, make_actor
) -> None:
    volunteer, caseworker = actors[Role.volunteer], actors[Role.caseworker]
    other_volunteer = await make_actor(Role.volunteer)
    original = await create_case(client, other_volunteer.headers, anonymous_body())
    own_original = await create_case(client, volunteer.headers, anonymous_body())
    closed = {}
    for name, target in (("hidden", original), ("shown", own_original)):
        case = await create_case(client, volunteer.headers, anonymous_body())
        tag = (await client.get(f"{CASES}/{case['id']}", headers=caseworker.headers)).headers[
            "etag"
        ]
        moved = await client.post(
            f"{CASES}/{case['id']}/transitions",
            json={"to": "closed", "closure_reason": "duplicate", "duplicate_of": target["id"]},
            headers={**caseworker.headers, "If-Match": tag},
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["duplicate_of"] == target["id"]  # staff read every case
        closed[name] = case["id"]

    hidden = (await client.get(f"{CASES}/{closed['hidden']}", headers=volunteer.headers)).json()
    shown = (await client.get(f"{CASES}/{closed['shown']}", headers=volunteer.headers)).json()
    assert (hidden["closure_reason"], hidden["duplicate_of"]) == ("duplicate", None)
    assert (shown["closure_reason"], shown["duplicate_of"]) == ("duplicate", own_original["id"])
    for case_id in closed.values():
        events = await _timeline_pages(client, volunteer, case_id)
        assert all("duplicate_of_id" not in e["changes"] for p in events for e in p["items"])
    staff_events = await _timeline_pages(client, caseworker, closed["hidden"])
    closing = staff_events[-1]["items"][0]
    assert closing["changes"]["duplicate_of_id"] == [None, original["id"]]


async def _rename(session: AsyncSession, actor: Actor, name: str) -> None:
    await session.execute(
        sa.update(User).where(col(User.id) == actor.user.id).values(display_name=name)
    )
    await session.commit()


async def test_answers_name_the_reporter_lead_screener_actors_and_authors(
    client, actors, session
) -> None:
    volunteer, caseworker = actors[Role.volunteer], actors[Role.caseworker]
    await _rename(session, volunteer, "อาสา ใจดี")
    await _rename(session, caseworker, "นักสังคม สงเคราะห์")
    case = await create_case(client, volunteer.headers, anonymous_body())
    url = f"{CASES}/{case['id']}"
    assert case["created_by_name"] == "อาสา ใจดี"
    assert (case["lead"], case["lead_name"], case["screened_by_name"]) == (None, None, None)
    screened = await client.post(
        url + "/transitions",
        json={"to": "screened", "urgency": "normal"},
        headers={**caseworker.headers, "If-Match": '"1"'},
    )
    taken = await client.post(
        url + "/transitions",
        json={"to": "in_progress"},
        headers={**caseworker.headers, "If-Match": screened.headers["etag"]},
    )
    assert taken.status_code == 200, taken.text
    note = await client.post(url + "/notes", json={"body": "เยี่ยมบ้าน"}, headers=caseworker.headers)
    assert note.json()["author_name"] == "นักสังคม สงเคราะห์"

    detail = (await client.get(url, headers=volunteer.headers)).json()
    assert (detail["created_by"], detail["created_by_name"]) == (
        str(volunteer.user.id),
        "อาสา ใจดี",
    )
    assert (detail["lead"], detail["lead_name"]) == (str(caseworker.user.id), "นักสังคม สงเคราะห์")
    assert detail["screened_by_name"] == "นักสังคม สงเคราะห์"
    timeline = (await client.get(url + "/timeline", headers=volunteer.headers)).json()["items"]
    assert [(e["type"], e["actor_name"]) for e in timeline] == [
        ("created", "อาสา ใจดี"),
        ("screened", "นักสังคม สงเคราะห์"),
        ("status_changed", "นักสังคม สงเคราะห์"),
        ("note_added", "นักสังคม สงเคราะห์"),
    ]
    notes = (await client.get(url + "/notes", headers=volunteer.headers)).json()["items"]
    assert [n["author_name"] for n in notes] == ["นักสังคม สงเคราะห์"]
