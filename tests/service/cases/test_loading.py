"""`service.cases.loading.require_readable`: the access rules of a case read by the caller's own
statement (a suggestion's), the same as `load_case` applies to the row: 404 for a case the
caller may not read, a volunteer admitted to a case offered to them now."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import pytest

from models.base import utcnow
from models.enums import Role
from models.user import User
from service.cases.loading import case_facts, require_readable
from service.platform.errors import NotFound


@dataclass(frozen=True)
class _Columns:
    created_by_id: uuid.UUID
    lead_id: uuid.UUID | None = None
    restricted_at: datetime | None = None


def _user(role: Role) -> User:
    return User(id=uuid.uuid4(), username=f"u-{uuid.uuid4().hex[:8]}", display_name="x", role=role)


def _readable(user: User, columns: _Columns, offered_to: frozenset[uuid.UUID]) -> bool:
    try:
        require_readable(user, case_facts(columns), offered_to=offered_to)
    except NotFound as refused:
        assert refused.code == "case.not_found"
        return False
    return True


@pytest.mark.parametrize("role", [Role.caseworker, Role.supervisor])
def test_staff_read_any_case_and_only_supervisors_a_restricted_one(role: Role) -> None:
    staff = _user(role)
    case = _Columns(created_by_id=uuid.uuid4())
    restricted = _Columns(created_by_id=uuid.uuid4(), restricted_at=utcnow())

    assert _readable(staff, case, frozenset())
    assert _readable(staff, restricted, frozenset()) is (role is Role.supervisor)


def test_a_volunteer_reads_what_they_reported_lead_or_are_offered_now() -> None:
    volunteer, other = _user(Role.volunteer), uuid.uuid4()

    assert _readable(volunteer, _Columns(created_by_id=volunteer.id), frozenset())
    assert _readable(volunteer, _Columns(created_by_id=other, lead_id=volunteer.id), frozenset())
    assert _readable(volunteer, _Columns(created_by_id=other), frozenset({volunteer.id}))
    # Offered to someone else, or to nobody: not theirs.
    assert not _readable(volunteer, _Columns(created_by_id=other), frozenset({other}))
    assert not _readable(volunteer, _Columns(created_by_id=other), frozenset())
    # Restricted: not even their own.
    restricted = _Columns(created_by_id=volunteer.id, restricted_at=utcnow())
    assert not _readable(volunteer, restricted, frozenset({volunteer.id}))


@pytest.mark.parametrize("role", [Role.agency, Role.admin])
def test_other_roles_read_no_case(role: Role) -> None:
    user = _user(role)
    assert not _readable(user, _Columns(created_by_id=user.id), frozenset({user.id}))
