"""What consent records give to the consent gate, and where a consent stands (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from models.consent import CaseConsent, ConsentPurpose, ConsentState
from models.enums import ConsentStatus, FieldGroup, LegalBasis, Role, SharingBasis
from service.privacy.consent import consent_state, grants, in_force
from service.routing.referral_sharing import ConsentFacts, GateRefusal, check_gate

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
AGENCY = uuid.uuid4()
G = FieldGroup


def _consent(groups: list[str], **fields) -> CaseConsent:
    return CaseConsent(
        case_id=uuid.uuid4(),
        purpose=ConsentPurpose.referral,
        groups=groups,
        recorded_by_id=uuid.uuid4(),
        recorded_at=NOW - timedelta(days=1),
        **fields,
    )


def _facts(
    recorded: frozenset[FieldGroup] | None,
    withdrawn: frozenset[FieldGroup] = frozenset(),
    basis: LegalBasis | None = None,
) -> ConsentFacts:
    return ConsentFacts(
        data_collection=ConsentStatus.given,
        share_with_agencies=True,
        legal_basis=basis,
        screened=True,
        recorded=recorded,
        withdrawn=withdrawn - (recorded or frozenset()),
    )


def test_a_case_without_records_keeps_the_intake_answers() -> None:
    assert grants([], organization_id=AGENCY, now=NOW) == (None, frozenset())
    assert check_gate(_facts(None), [G.notes], role=Role.caseworker, override_reason=None) is (
        SharingBasis.consent
    )


def test_records_give_their_groups_less_what_was_withdrawn() -> None:
    first = _consent(["contact", "summary"], withdrawn_groups=["contact"])
    second = _consent(["location"], organization_ids=[str(uuid.uuid4())])
    recorded, withdrawn = grants([first, second], organization_id=AGENCY, now=NOW)
    assert recorded == {G.summary}
    assert withdrawn == {G.contact}
    # Before the service is chosen, every agency some consent allows counts.
    assert grants([first, second], organization_id=None, now=NOW)[0] == {G.summary, G.location}
    # A later consent gives a withdrawn group again.
    again = _consent(["contact"])
    recorded, withdrawn = grants([first, again], organization_id=AGENCY, now=NOW)
    facts = _facts(recorded, withdrawn)
    assert facts.withdrawn == frozenset()
    assert check_gate(facts, [G.contact], role=Role.caseworker, override_reason=None) is (
        SharingBasis.consent
    )


def test_a_withdrawn_group_is_refused_even_on_a_legal_basis() -> None:
    facts = _facts(frozenset(), frozenset({G.contact}), basis=LegalBasis.vital_interest)
    with pytest.raises(GateRefusal) as refused:
        check_gate(facts, [G.contact, G.summary], role=Role.caseworker, override_reason=None)
    assert refused.value.code == "referral.consent_withdrawn"
    assert refused.value.withdrawn == {G.contact}
    assert refused.value.allowed == {G.location, G.summary}
    assert check_gate(facts, [G.summary], role=Role.caseworker, override_reason=None) is (
        SharingBasis.vital_interest
    )
    assert check_gate(facts, [G.contact], role=Role.supervisor, override_reason="danger") is (
        SharingBasis.override
    )


def test_records_without_any_group_in_force_allow_nothing() -> None:
    with pytest.raises(GateRefusal) as refused:
        check_gate(_facts(frozenset()), [G.summary], role=Role.caseworker, override_reason=None)
    assert refused.value.code == "referral.no_basis"


def test_the_state_of_a_consent() -> None:
    assert consent_state(_consent(["contact"]), NOW) is ConsentState.in_force
    partly = _consent(["contact", "notes"], withdrawn_groups=["notes"])
    assert consent_state(partly, NOW) is ConsentState.partly_withdrawn
    assert in_force(partly, NOW) == {G.contact}
    gone = _consent(["contact"], withdrawn_groups=["contact"])
    assert consent_state(gone, NOW) is ConsentState.withdrawn
    expired = _consent(["contact"], expires_at=NOW)
    assert consent_state(expired, NOW) is ConsentState.expired
    assert in_force(expired, NOW) == frozenset()
