"""The consent gate and what a referral shares: pure."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.case import Case, CaseNote
from models.enums import (
    Category,
    ConsentStatus,
    FieldGroup,
    IdType,
    LegalBasis,
    Role,
    SharingBasis,
    Urgency,
)
from service.routing.referral_sharing import (
    ConsentFacts,
    GateRefusal,
    allowed_groups,
    check_gate,
    shared_case,
    sharing_basis,
)

MINIMAL = {FieldGroup.contact, FieldGroup.location, FieldGroup.summary}
facts = st.builds(
    ConsentFacts,
    data_collection=st.sampled_from(ConsentStatus),
    share_with_agencies=st.booleans(),
    legal_basis=st.none() | st.sampled_from(LegalBasis),
    screened=st.booleans(),
)
groups = st.sets(st.sampled_from(FieldGroup), min_size=1)


def test_consent_allows_everything_a_legal_basis_the_minimum() -> None:
    consent = ConsentFacts(ConsentStatus.given, True, LegalBasis.consent, True)
    assert allowed_groups(consent) == set(FieldGroup)
    vital = ConsentFacts(ConsentStatus.not_possible, False, LegalBasis.vital_interest, True)
    assert sharing_basis(vital) is SharingBasis.vital_interest
    assert allowed_groups(vital) == MINIMAL
    unscreened = ConsentFacts(ConsentStatus.not_possible, False, LegalBasis.vital_interest, False)
    assert allowed_groups(unscreened) == frozenset()
    refused = ConsentFacts(ConsentStatus.refused, False, None, True)
    assert sharing_basis(refused) is None


@given(facts, groups, st.sampled_from([Role.caseworker, Role.supervisor]))
def test_the_gate_never_lets_more_through_than_allowed(
    case: ConsentFacts, wanted: set[FieldGroup], role: Role
) -> None:
    try:
        basis = check_gate(case, wanted, role=role, override_reason=None)
    except GateRefusal as refusal:
        assert not wanted <= refusal.allowed or sharing_basis(case) is None
        return
    assert wanted <= allowed_groups(case)
    assert basis is sharing_basis(case)
    if FieldGroup.identity in wanted or FieldGroup.notes in wanted:
        assert basis is SharingBasis.consent


@given(facts, groups)
def test_only_a_supervisor_overrides(case: ConsentFacts, wanted: set[FieldGroup]) -> None:
    assert (
        check_gate(case, wanted, role=Role.supervisor, override_reason="danger")
        is SharingBasis.override
    )
    with pytest.raises(GateRefusal) as refused:
        check_gate(case, wanted, role=Role.caseworker, override_reason="danger")
    assert refused.value.code == "referral.override_role"


def _case() -> Case:
    return Case(
        id=uuid.uuid4(),
        reference="OS-2569-000001",
        summary="ต้องการที่พัก",
        categories=[Category.housing.value],
        target_groups=[],
        urgency=Urgency.high,
        client_first_name="สมศรี",
        client_nickname="ศรี",
        client_phone="+66812345678",
        client_languages=["th"],
        client_id_type=IdType.thai_id,
        client_id_last4="7080",
        client_birth_year=1947,
        province_code="10",
        address_text="ซอย 1",
    )


@given(st.sets(st.sampled_from(FieldGroup)))
def test_a_shared_case_holds_exactly_its_groups(chosen: set[FieldGroup]) -> None:
    note = CaseNote(body="โทรแล้ว", created_at=datetime(2026, 11, 1, tzinfo=UTC))
    shared = shared_case(
        _case(),
        referral_id=uuid.uuid4(),
        groups=list(chosen),
        notes=[note],
        today=date(2026, 11, 30),
    ).model_dump(mode="json")
    present = {g.value for g in FieldGroup if g.value in shared}
    assert present == {g.value for g in chosen}
    if FieldGroup.identity in chosen:
        assert shared["identity"]["id_number"] == "*********7080"
        assert shared["identity"]["age"] == 79
    if FieldGroup.contact not in chosen:
        assert "+66812345678" not in str(shared)
    if FieldGroup.location not in chosen:
        assert "ซอย 1" not in str(shared)
