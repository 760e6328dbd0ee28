"""The helpers a process keeps for ranking: read again only after a committed change of what
ranking reads (an account, a profile, service areas, the stored load), kept through writes it
does not read, never kept from a session's own uncommitted writes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import SQLModel, col

from models.base import utcnow
from models.enums import Role
from models.routing import HelperArea, HelperProfile, HelperStamp
from models.user import User
from service.routing.helper_pool import HELPER_TABLES, STAMP, helpers_of, written_helpers
from tests.conftest import create_user
from tests.service.routing.test_agency_directory import Statements
from tests.support.routing import HELPERS, OFFERS, offer, screened_case, set_profile

CASES = "/api/v1/cases"


async def _stamp(session: AsyncSession) -> str | None:
    stamp = (await session.execute(sa.select(col(HelperStamp.stamp)))).scalar_one_or_none()
    return None if stamp is None else str(stamp)


async def _helper(session: AsyncSession, **profile: Any) -> User:
    """A caseworker serving Bangkok's district 1001."""
    user = await create_user(session, Role.caseworker)
    now = utcnow()
    session.add(HelperProfile(user_id=user.id, created_at=now, updated_at=now, **profile))
    await session.flush()
    session.add(HelperArea(user_id=user.id, code="1001", province_code="10"))
    await session.flush()
    return user


async def test_a_process_reads_the_helpers_again_only_after_a_change_is_committed(
    sessionmaker: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> None:
    async with sessionmaker() as writer:
        helper = await _helper(writer)
        assert written_helpers(writer)
        await writer.commit()
        assert not written_helpers(writer)
        stamp = await _stamp(writer)
        assert stamp is not None

    async with sessionmaker() as reader:
        assert await STAMP.read(reader) == stamp
        with Statements(engine) as first_read:
            first, in_all = await helpers_of(reader, ["10"], stamp=stamp)
        with Statements(engine) as second_read:
            second, _ = await helpers_of(reader, ["10"], stamp=stamp)
    assert len(first_read) == 1, first_read  # the province's helpers
    assert second_read == [], second_read  # nothing: the stamp is unchanged
    assert second["10"] is first["10"]
    assert [h.user_id for h in first["10"].helpers] == [helper.id]
    assert in_all == 1

    async with sessionmaker() as writer:  # a write ranking does not read: the stamp stays
        account = await writer.get(User, helper.id)
        assert account is not None
        account.token_version += 1
        await writer.commit()
        assert await _stamp(writer) == stamp
    async with sessionmaker() as reader:
        kept, _ = await helpers_of(reader, ["10"], stamp=await STAMP.read(reader))
        assert kept["10"] is first["10"]

    async with sessionmaker() as writer:  # the helper goes on leave
        profile = await writer.get(HelperProfile, helper.id)
        assert profile is not None
        profile.leave_until = utcnow() + timedelta(days=2)
        await writer.commit()
        assert await _stamp(writer) != stamp
    async with sessionmaker() as reader:
        third, _ = await helpers_of(reader, ["10"], stamp=await STAMP.read(reader))
    assert third["10"] is not first["10"]
    assert third["10"].helpers[0].leave_until is not None


async def test_a_session_that_changed_helpers_reads_them_afresh_and_keeps_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as reader:
        stamp = await _stamp(reader)
        before, _ = await helpers_of(reader, ["10"], stamp=stamp)

    async with sessionmaker() as writer:
        helper = await _helper(writer)
        seen, _ = await helpers_of(writer, ["10"], stamp=stamp)
        assert helper.id in {h.user_id for h in seen["10"].helpers}
        await writer.rollback()
        assert not written_helpers(writer)

    async with sessionmaker() as reader:
        assert await _stamp(reader) == stamp  # the rolled-back helper gave no new stamp
        after, _ = await helpers_of(reader, ["10"], stamp=stamp)
    assert after["10"] is before["10"] or stamp is None


async def test_suggestions_follow_each_change_of_a_helper_through_the_routes(
    client: Any, actors: Any
) -> None:
    """The process keeps the helpers between requests; every route that changes what ranking
    reads shows in the next suggestions: availability, the load of a case taken, the account
    deactivated."""
    caseworker = actors[Role.caseworker].headers
    supervisor = actors[Role.supervisor].headers
    volunteer = actors[Role.volunteer]
    await set_profile(client, supervisor, volunteer.user.id)
    first = await screened_case(client, caseworker)
    second = await screened_case(client, caseworker)

    async def people(case: dict[str, Any]) -> dict[str, Any]:
        response = await client.get(f"{CASES}/{case['id']}/suggestions", headers=caseworker)
        assert response.status_code == 200, response.text
        return dict(response.json()["people"])

    def load_of(found: dict[str, Any]) -> str:
        (item,) = [i for i in found["items"] if i["user_id"] == str(volunteer.user.id)]
        return next(r["detail"] for r in item["reasons"] if r["reason"] == "load")

    assert load_of(await people(first)) == "0/5"
    assert load_of(await people(first)) == "0/5"  # kept

    off = await client.patch(
        "/api/v1/users/me/profile", json={"available": False}, headers=volunteer.headers
    )
    assert off.status_code == 200, off.text
    found = await people(first)
    assert str(volunteer.user.id) not in {i["user_id"] for i in found["items"]}
    assert found["filtered"]["unavailable"] == 1
    on = await client.patch(
        "/api/v1/users/me/profile", json={"available": True}, headers=volunteer.headers
    )
    assert on.status_code == 200, on.text

    made = await offer(client, caseworker, first["id"], user_id=str(volunteer.user.id))
    assert made.status_code == 201, made.text
    accepted = await client.post(f"{OFFERS}/{made.json()['id']}/accept", headers=volunteer.headers)
    assert accepted.status_code == 200, accepted.text
    assert load_of(await people(second)) == "1/5"  # the lead taken, recounted, read again

    deactivated = await client.post(
        f"/api/v1/users/{volunteer.user.id}/deactivate", headers=actors[Role.admin].headers
    )
    assert deactivated.status_code == 200, deactivated.text
    found = await people(second)
    assert found["items"] == [] or str(volunteer.user.id) not in {
        i["user_id"] for i in found["items"]
    }
    assert found["filtered"]["inactive"] >= 1
    listed = await client.get(f"{HELPERS}/{volunteer.user.id}", headers=supervisor)
    assert listed.status_code == 200, listed.text


@pytest.mark.parametrize("table", sorted(HELPER_TABLES))
async def test_a_statement_writing_any_helper_table_is_noted(
    session: AsyncSession, table: str
) -> None:
    await session.execute(sa.delete(SQLModel.metadata.tables[table]).where(sa.false()))
    assert written_helpers(session)


@pytest.mark.parametrize(
    ("field", "value", "noted"),
    [
        ("available", False, True),
        ("skills", ["housing"], True),
        ("capacity", 9, True),
        ("last_assigned_at", utcnow(), True),
        ("card_number", "10-999999", False),
        ("weekly_hours", 12, False),
    ],
)
async def test_a_profile_change_is_noted_when_ranking_reads_the_field(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    field: str,
    value: Any,
    noted: bool,
) -> None:
    helper = await _helper(session)
    await session.commit()
    async with sessionmaker() as writer:
        profile = await writer.get(HelperProfile, helper.id)
        assert profile is not None
        setattr(profile, field, value)
        await writer.flush()
        assert written_helpers(writer) is noted


async def test_account_writes_ranking_does_not_read_are_not_noted(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    helper = await _helper(session)
    await session.commit()
    async with sessionmaker() as writer:
        account = await writer.get(User, helper.id)
        assert account is not None
        account.token_version += 1
        await writer.flush()
        assert not written_helpers(writer)
        account.display_name = "ผู้ช่วย ใหม่"
        await writer.flush()
        assert written_helpers(writer)


async def test_other_writes_are_not_noted(session: AsyncSession) -> None:
    await session.execute(sa.delete(SQLModel.metadata.tables["cases"]).where(sa.false()))
    assert not written_helpers(session)


def test_the_helper_tables_are_the_ones_ranking_reads() -> None:
    assert {"users", "helper_profiles", "helper_areas"} == HELPER_TABLES
