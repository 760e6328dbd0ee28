"""Who receives a stream message: the same rules as reading a case or a referral."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from models.enums import CaseEventType, Role, Urgency
from service.stream.audience import Viewer, may_receive
from service.stream.messages import ANNOUNCED, REFERRAL_EVENTS, Message

REPORTER, LEAD, OFFERED, OTHER = (uuid.uuid4() for _ in range(4))
ORGANIZATION, OTHER_ORGANIZATION = uuid.uuid4(), uuid.uuid4()


def _message(type_: CaseEventType, **fields: object) -> Message:
    values: dict[str, object] = {
        "id": 1,
        "type": type_,
        "case_id": uuid.uuid4(),
        "case_reference": "OS-2569-000001",
        "urgency": Urgency.critical,
        "occurred_at": datetime(2026, 11, 30, tzinfo=UTC),
        "reported_by_id": REPORTER,
        "lead_id": LEAD,
        "offered_to_id": None,
        "offer_id": None,
        "referral_id": None,
        "organization_id": None,
    }
    values.update(fields)
    return Message(**values)  # type: ignore[arg-type]


def _viewer(role: Role, user_id: uuid.UUID | None = None, organization=None) -> Viewer:
    return Viewer(user_id=user_id or uuid.uuid4(), role=role, organization_id=organization)


@pytest.mark.parametrize("role", [Role.caseworker, Role.supervisor])
@pytest.mark.parametrize("type_", sorted(ANNOUNCED))
def test_staff_receive_every_message(role: Role, type_: CaseEventType) -> None:
    assert may_receive(_viewer(role), _message(type_, organization_id=ORGANIZATION))


def test_admins_receive_nothing() -> None:
    for type_ in ANNOUNCED:
        assert not may_receive(_viewer(Role.admin), _message(type_))


@pytest.mark.parametrize("user", [REPORTER, LEAD])
def test_a_volunteer_receives_the_cases_they_reported_or_lead(user: uuid.UUID) -> None:
    volunteer = _viewer(Role.volunteer, user)
    assert may_receive(volunteer, _message(CaseEventType.created))
    assert may_receive(volunteer, _message(CaseEventType.sla_breached))
    assert may_receive(volunteer, _message(CaseEventType.referred))


def test_a_volunteer_never_receives_another_volunteers_case() -> None:
    stranger = _viewer(Role.volunteer, OTHER)
    for type_ in ANNOUNCED:
        assert not may_receive(stranger, _message(type_, offered_to_id=OFFERED))


def test_a_volunteer_receives_offers_made_to_them_and_no_one_elses() -> None:
    offered = _viewer(Role.volunteer, OFFERED)
    reporter = _viewer(Role.volunteer, REPORTER)
    for type_ in (CaseEventType.offered, CaseEventType.offer_declined):
        message = _message(type_, offered_to_id=OFFERED, offer_id=uuid.uuid4())
        assert may_receive(offered, message)
        assert not may_receive(reporter, message)
    # The case's other events reach the one it is offered to only while they are named.
    assert not may_receive(offered, _message(CaseEventType.escalated))
    # Who took the case on is shown to whoever reads it, as in its timeline.
    accepted = _message(CaseEventType.offer_accepted, lead_id=OFFERED, offered_to_id=OFFERED)
    assert may_receive(offered, accepted) and may_receive(reporter, accepted)


def test_agency_staff_receive_only_their_own_organizations_referrals() -> None:
    agency = _viewer(Role.agency, organization=ORGANIZATION)
    for type_ in REFERRAL_EVENTS:
        assert may_receive(agency, _message(type_, organization_id=ORGANIZATION))
        assert not may_receive(agency, _message(type_, organization_id=OTHER_ORGANIZATION))
    for type_ in ANNOUNCED - REFERRAL_EVENTS:
        assert not may_receive(agency, _message(type_, organization_id=ORGANIZATION))


def test_an_agency_account_without_an_organization_receives_nothing() -> None:
    agency = _viewer(Role.agency)
    for type_ in REFERRAL_EVENTS:
        assert not may_receive(agency, _message(type_, organization_id=ORGANIZATION))


def test_a_restricted_cases_messages_reach_supervisors_only() -> None:
    for type_ in ANNOUNCED:
        message = _message(type_, organization_id=ORGANIZATION, restricted=True)
        assert may_receive(_viewer(Role.supervisor), message)
        for viewer in (
            _viewer(Role.caseworker),
            _viewer(Role.volunteer, REPORTER),
            _viewer(Role.volunteer, LEAD),
            _viewer(Role.agency, organization=ORGANIZATION),
        ):
            assert not may_receive(viewer, message), (type_, viewer.role)
