"""Who may read and act on a case, and on the agency directory: pure functions of the user and
the object.

SPEC §2: caseworkers and supervisors read every case; volunteers read the cases they reported
or lead, and a case offered to them while the offer is pending (not expired); agency staff
never read a case itself (`GET /cases/{id}` is 404 for them), only the field groups a referral
to their own organization shares (`may_read_referral`); admins read no case content. What a
caller may not read answers 404; what they may read but not change answers 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from models.enums import Role

STAFF = frozenset({Role.caseworker, Role.supervisor})
"""Professional staff: they read every case and take every staff step."""


class CaseScope(StrEnum):
    """Which cases a list may contain for a caller."""

    all = "all"
    own = "own"  # reported or led by the caller
    none = "none"


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What access decisions need to know about a case."""

    created_by_id: uuid.UUID
    lead_id: uuid.UUID | None
    offered_to: uuid.UUID | None = None
    """Whom the case is offered to now (a pending offer before its expiry), when known: it is
    looked up only for a volunteer who neither reported nor leads the case."""
    restricted: bool = False
    """Restricted or objected to (PDPA s.32, s.34): only supervisors see it."""


def case_scope(role: Role) -> CaseScope:
    if role in STAFF:
        return CaseScope.all
    if role is Role.volunteer:
        return CaseScope.own
    return CaseScope.none


def may_read_case(user_id: uuid.UUID, role: Role, case: CaseFacts) -> bool:
    if case.restricted and role is not Role.supervisor:
        return False
    scope = case_scope(role)
    if scope is CaseScope.all:
        return True
    if scope is CaseScope.own:
        return user_id in (case.created_by_id, case.lead_id, case.offered_to)
    return False


def needs_offer_lookup(user_id: uuid.UUID, role: Role, case: CaseFacts) -> bool:
    """Whether reading the case depends on a pending offer to the caller: only for a
    volunteer who neither reported nor leads it, so other reads cost no extra statement."""
    return role is Role.volunteer and user_id not in (case.created_by_id, case.lead_id)


def sees_restricted(role: Role) -> bool:
    """Restricted cases (PDPA s.32, s.34) are listed and queued for supervisors only."""
    return role is Role.supervisor


def may_update_case(user_id: uuid.UUID, role: Role, case: CaseFacts) -> bool:
    """Notes, content changes and the lead's status steps."""
    if role in STAFF:
        return True
    return role is Role.volunteer and case.lead_id == user_id


def sees_possible_duplicates(role: Role) -> bool:
    """Only staff see which other cases may be about the same person: the matches point at
    cases a volunteer may not read, and would let anyone probe whether an id number or phone
    has an open case."""
    return role in STAFF


def sees_full_id_number(role: Role) -> bool:
    """Volunteers and agency staff see id numbers masked."""
    return role in STAFF


def may_refer(role: Role) -> bool:
    """Referring a case to an agency, and cancelling a referral: the center's staff."""
    return role in STAFF


def sees_all_referrals(role: Role) -> bool:
    """Staff read every referral; anyone else at most their own organization's."""
    return role in STAFF


def may_read_referral(
    role: Role, user_organization: uuid.UUID | None, referral_organization: uuid.UUID
) -> bool:
    """Staff read every referral; agency staff the referrals to their own organization (an
    agency account with no organization reads none); nobody else any."""
    if sees_all_referrals(role):
        return True
    return (
        role is Role.agency
        and user_organization is not None
        and user_organization == referral_organization
    )


def may_answer_referral(
    role: Role, user_organization: uuid.UUID | None, referral_organization: uuid.UUID
) -> bool:
    """Accepting, declining, completing or failing: the agency the referral was sent to."""
    return role is Role.agency and may_read_referral(role, user_organization, referral_organization)


# --------------------------------------------------------------------------- agency directory

DIRECTORY_READERS = frozenset({Role.caseworker, Role.supervisor, Role.admin})
"""Who read the whole directory: staff choose agencies to refer to, admins manage it."""


def may_read_organization(
    role: Role, own_organization_id: uuid.UUID | None, organization_id: uuid.UUID
) -> bool:
    """Staff and admins read every organization and service; agency staff only their own."""
    if role in DIRECTORY_READERS:
        return True
    return role is Role.agency and own_organization_id == organization_id


def may_update_agency_contact(
    role: Role, own_organization_id: uuid.UUID | None, organization_id: uuid.UUID
) -> bool:
    """An organization's contact data and its services' capacity: admins, and the
    organization's own agency staff."""
    if role is Role.admin:
        return True
    return role is Role.agency and own_organization_id == organization_id
