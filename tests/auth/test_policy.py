"""The per-object case policy: every role against every relation a caller can have to a case."""

from __future__ import annotations

import uuid

import pytest

from auth.policy import (
    CaseFacts,
    CaseScope,
    case_scope,
    may_read_case,
    may_read_organization,
    may_update_agency_contact,
    may_update_case,
    sees_full_id_number,
)
from models.enums import Role

V, C, S, G, A = Role.volunteer, Role.caseworker, Role.supervisor, Role.agency, Role.admin

ME = uuid.UUID("00000000-0000-4000-8000-000000000001")
OTHER = uuid.UUID("00000000-0000-4000-8000-000000000002")
THIRD = uuid.UUID("00000000-0000-4000-8000-000000000003")

# How the caller (ME) relates to the case.
RELATIONS: dict[str, CaseFacts] = {
    "reporter": CaseFacts(created_by_id=ME, lead_id=OTHER),
    "reporter_no_lead": CaseFacts(created_by_id=ME, lead_id=None),
    "lead": CaseFacts(created_by_id=OTHER, lead_id=ME),
    "reporter_and_lead": CaseFacts(created_by_id=ME, lead_id=ME),
    "stranger": CaseFacts(created_by_id=OTHER, lead_id=THIRD),
    "stranger_no_lead": CaseFacts(created_by_id=OTHER, lead_id=None),
}

# role -> relation -> (may read, may update)
EXPECTED: dict[Role, dict[str, tuple[bool, bool]]] = {
    V: {
        "reporter": (True, False),
        "reporter_no_lead": (True, False),
        "lead": (True, True),
        "reporter_and_lead": (True, True),
        "stranger": (False, False),
        "stranger_no_lead": (False, False),
    },
    C: dict.fromkeys(RELATIONS, (True, True)),
    S: dict.fromkeys(RELATIONS, (True, True)),
    # Agency staff read cases through referrals only, which no case has yet.
    G: dict.fromkeys(RELATIONS, (False, False)),
    # Admins never read case content, not even a case that (wrongly) names them.
    A: dict.fromkeys(RELATIONS, (False, False)),
}

SCOPES = [
    (V, CaseScope.own),
    (C, CaseScope.all),
    (S, CaseScope.all),
    (G, CaseScope.none),
    (A, CaseScope.none),
]
FULL_ID_NUMBER = [(V, False), (C, True), (S, True), (G, False), (A, False)]

MATRIX = [
    pytest.param(role, relation, *EXPECTED[role][relation], id=f"{role.value}-{relation}")
    for role in Role
    for relation in RELATIONS
]


def test_tables_cover_every_role_and_relation() -> None:
    assert [role for role, _ in SCOPES] == [role for role, _ in FULL_ID_NUMBER] == list(Role)
    assert set(EXPECTED) == set(Role)
    assert all(set(row) == set(RELATIONS) for row in EXPECTED.values())


@pytest.mark.parametrize(("role", "relation", "read", "update"), MATRIX)
def test_read_and_update(role: Role, relation: str, read: bool, update: bool) -> None:
    facts = RELATIONS[relation]
    assert may_read_case(ME, role, facts) is read
    assert may_update_case(ME, role, facts) is update


@pytest.mark.parametrize(("role", "relation", "read", "update"), MATRIX)
def test_whoever_may_update_may_read(role: Role, relation: str, read: bool, update: bool) -> None:
    """The 403-versus-404 rule relies on it: a change is only refused after a successful read."""
    facts = RELATIONS[relation]
    assert not may_update_case(ME, role, facts) or may_read_case(ME, role, facts)


@pytest.mark.parametrize(("role", "scope"), SCOPES)
def test_list_scope(role: Role, scope: CaseScope) -> None:
    assert case_scope(role) is scope


@pytest.mark.parametrize(("role", "full"), FULL_ID_NUMBER)
def test_full_id_number_only_for_staff(role: Role, full: bool) -> None:
    assert sees_full_id_number(role) is full


def test_a_volunteer_reads_nothing_of_others() -> None:
    facts = CaseFacts(created_by_id=OTHER, lead_id=None)
    assert not may_read_case(ME, V, facts)
    assert may_read_case(OTHER, V, facts)


# --------------------------------------------------------------------------- directory


def test_directory_reads_and_agency_edits_follow_the_organization() -> None:
    own, other = uuid.uuid4(), uuid.uuid4()
    for role in (Role.caseworker, Role.supervisor, Role.admin):
        assert may_read_organization(role, None, other)
    assert may_read_organization(Role.agency, own, own)
    assert not may_read_organization(Role.agency, own, other)
    assert not may_read_organization(Role.agency, None, other)
    assert not may_read_organization(Role.volunteer, None, other)

    assert may_update_agency_contact(Role.admin, None, other)
    assert may_update_agency_contact(Role.agency, own, own)
    assert not may_update_agency_contact(Role.agency, own, other)
    for role in (Role.volunteer, Role.caseworker, Role.supervisor):
        assert not may_update_agency_contact(role, own, own)
