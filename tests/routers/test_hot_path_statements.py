"""The round trips of the hot paths, authentication included: every statement a request sends
is counted on the engine, so a request that starts sending more fails here (`docs/performance.md`
says why each one is there). The test harness's own savepoints are not counted."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col

from models.base import utcnow
from models.enums import Role
from models.user import RefreshFamily
from service.demo.agencies import DIRECTORY_FILE
from service.routing.hsds import import_directory
from tests.routers.test_intake_hot_path import statements
from tests.support.cases import CASES, create_case, intake_body
from tests.support.routing import screened_case, set_profile

# The caller's account and login session, in one statement, on every authenticated request.
AUTHENTICATION = 1
# Detail for staff: the case with its people's names, the read record, the duplicate links.
DETAIL = AUTHENTICATION + 3
# Timeline: the case, the read record, a page of events with their actors' names.
TIMELINE = AUTHENTICATION + 3
# A list page: on PostgreSQL the page's planner settings, then the page itself.
LIST = {"postgresql": AUTHENTICATION + 2, "sqlite": AUTHENTICATION + 1}
# Intake with an Idempotency-Key and a possible duplicate: the key's claim, the candidates, the
# reference, the case row with its categories, its two events and the links (one statement on
# PostgreSQL, four on SQLite), and the stored answer (`test_intake_hot_path` names them).
INTAKE = {"postgresql": AUTHENTICATION + 5, "sqlite": AUTHENTICATION + 8}
# Suggestions for a case with helpers in its province and agencies in the directory, in a
# process that keeps both (`service.routing.helper_pool`, `service.routing.agency_directory`):
SUGGESTIONS = (
    AUTHENTICATION
    # the case's routing columns (and the caller's right to see it), with the helpers' and the
    # directory's stamps (the process keeps the helpers of the case's province and the
    # directory) and the case's offers (who declined it or let an offer of it expire), in one.
    + 1
)
# The first suggestions in a process, or the first after a change, read the province's helpers
# (each with the codes of their areas there, profile, account and load) and the directory.
SUGGESTIONS_AFTER_A_CHANGE = SUGGESTIONS + 2


def _requests_own(sent: list[str]) -> list[str]:
    return [
        s
        for s in sent
        if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO"))
    ]


async def test_authentication_is_one_statement(client, engine, actors) -> None:
    with statements(engine) as sent:
        response = await client.get("/api/v1/users/me", headers=actors[Role.volunteer].headers)
    assert response.status_code == 200, response.text
    ours = _requests_own(sent)
    assert len(ours) == AUTHENTICATION, "\n".join(ours)


async def test_reading_a_case_takes_a_handful_of_statements(client, engine, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, caseworker.headers)
    for path, expected in ((case["id"], DETAIL), (f"{case['id']}/timeline", TIMELINE)):
        with statements(engine) as sent:
            response = await client.get(f"{CASES}/{path}", headers=caseworker.headers)
        assert response.status_code == 200, response.text
        ours = _requests_own(sent)
        assert len(ours) == expected, "\n".join(ours)
        # A read takes no lock.
        assert not any("FOR UPDATE" in s.upper() for s in ours), "\n".join(ours)


async def test_a_list_page_is_one_query(client, engine, actors) -> None:
    caseworker = actors[Role.caseworker]
    await create_case(client, caseworker.headers)
    for query in ("status=new&limit=50", "category=older_person", "q=OS-2569-000001"):
        with statements(engine) as sent:
            response = await client.get(f"{CASES}?{query}", headers=caseworker.headers)
        assert response.status_code == 200, response.text
        ours = _requests_own(sent)
        assert len(ours) == LIST[engine.dialect.name], "\n".join(ours)


async def test_an_intake_with_its_authentication(client, engine, actors) -> None:
    caseworker = actors[Role.caseworker]
    first = await client.post(CASES, json=intake_body(), headers=caseworker.headers)
    assert first.status_code == 201, first.text
    with statements(engine) as sent:
        response = await client.post(
            CASES, json=intake_body(), headers={**caseworker.headers, "Idempotency-Key": "total"}
        )
    assert response.status_code == 201, response.text
    assert response.json()["possible_duplicates"]
    ours = _requests_own(sent)
    assert len(ours) == INTAKE[engine.dialect.name], "\n".join(ours)


async def test_suggestions_for_a_case(client, engine, session, actors) -> None:
    await import_directory(session, text=DIRECTORY_FILE.read_text(encoding="utf-8"), now=utcnow())
    await session.commit()  # a new directory stamp (a committed test may have wiped the row)
    caseworker, supervisor = actors[Role.caseworker].headers, actors[Role.supervisor].headers
    await set_profile(client, supervisor, actors[Role.volunteer].user.id)
    case = await screened_case(client, caseworker, categories=["human_trafficking"])
    for expected in (SUGGESTIONS_AFTER_A_CHANGE, SUGGESTIONS):
        with statements(engine) as sent:
            response = await client.get(f"{CASES}/{case['id']}/suggestions", headers=caseworker)
        assert response.status_code == 200, response.text
        assert response.json()["people"]["total"] == 1
        assert response.json()["agencies"]["candidates"]
        ours = _requests_own(sent)
        assert len(ours) == expected, "\n".join(ours)
        assert not any("FOR UPDATE" in s.upper() for s in ours), "\n".join(ours)


async def test_a_revoked_login_session_is_refused_at_the_next_request(
    client, session, actors
) -> None:
    """Nothing about the caller is cached: the one statement sees a logout at once."""
    volunteer = actors[Role.volunteer]
    assert (await client.get("/api/v1/users/me", headers=volunteer.headers)).status_code == 200
    await session.execute(
        sa.update(RefreshFamily)
        .where(col(RefreshFamily.user_id) == volunteer.user.id)
        .values(revoked_at=utcnow())
    )
    await session.flush()
    refused = await client.get("/api/v1/users/me", headers=volunteer.headers)
    assert refused.status_code == 401
    assert "revoked" in refused.headers["www-authenticate"]
