"""A case linked to many possible duplicates: its answer lists the newest 20 and their number,
and `GET /cases/{id}/duplicates` pages through all of them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col

from models.base import utcnow
from models.case import Case, DuplicateLink
from models.enums import DuplicateReason, Role
from tests.support.cases import CASES, anonymous_body, create_case

LINKED = 24


async def _case_with_many_links(client, session, actors) -> tuple[str, list[str], str]:
    """A case that 24 newer cases may duplicate (one of them restricted): its id, the links'
    ids newest first, and the restricted case's link."""
    volunteer = actors[Role.volunteer].headers
    target = await create_case(client, volunteer, anonymous_body())
    start = utcnow() - timedelta(hours=1)
    links: list[DuplicateLink] = []
    for n in range(LINKED):
        newer = await create_case(client, volunteer, anonymous_body())
        links.append(
            DuplicateLink(
                case_id=uuid.UUID(newer["id"]),
                candidate_id=uuid.UUID(target["id"]),
                reasons=[DuplicateReason.phone.value],
                created_at=start + timedelta(minutes=n),
            )
        )
    session.add_all(links)
    restricted = links[5]
    await session.execute(
        sa.update(Case)
        .where(col(Case.id) == restricted.case_id)
        .values(restricted_at=utcnow(), restriction_basis="restriction", restriction_reason="s.34")
    )
    await session.commit()
    newest_first = [str(link.id) for link in reversed(links)]
    return target["id"], newest_first, str(restricted.id)


async def test_a_case_lists_its_newest_links_and_pages_through_all(client, session, actors):
    case_id, links, restricted = await _case_with_many_links(client, session, actors)
    visible = [link for link in links if link != restricted]
    caseworker = actors[Role.caseworker].headers

    detail = (await client.get(f"{CASES}/{case_id}", headers=caseworker)).json()
    assert [d["id"] for d in detail["possible_duplicates"]] == visible[:20]
    assert detail["possible_duplicates_total"] == LINKED - 1

    seen: list[str] = []
    cursor = None
    for size in (10, 10, 3):
        params = {"limit": 10} | ({"cursor": cursor} if cursor else {})
        response = await client.get(
            f"{CASES}/{case_id}/duplicates", params=params, headers=caseworker
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) == size
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert cursor is None
    assert seen == visible

    supervisor = actors[Role.supervisor].headers
    detail = (await client.get(f"{CASES}/{case_id}", headers=supervisor)).json()
    assert detail["possible_duplicates_total"] == LINKED
    response = await client.get(
        f"{CASES}/{case_id}/duplicates", params={"limit": 200}, headers=supervisor
    )
    assert [item["id"] for item in response.json()["items"]] == links

    # The volunteer who reported it sees the case, not which other cases may be the person.
    mine = (await client.get(f"{CASES}/{case_id}", headers=actors[Role.volunteer].headers)).json()
    assert (mine["possible_duplicates"], mine["possible_duplicates_total"]) == ([], 0)


async def test_the_links_of_an_unknown_case_are_not_found(client, actors):
    response = await client.get(
        f"{CASES}/{uuid.uuid4()}/duplicates", headers=actors[Role.caseworker].headers
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
