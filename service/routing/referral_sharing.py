"""What a referral may share with an agency (the consent gate) and what the agency then reads.

The field groups (SPEC §5):
- `contact`: the client's nickname, phone and languages;
- `identity`: title, names, id type and number (always masked for agencies), birth date or
  year, age, gender, nationality;
- `location`: the area codes, postal code, address text and coordinates;
- `summary`: the situation summary, categories, urgency, target groups, disability, pregnancy;
- `notes`: the case's notes (text and time; their authors are the center's business).

The gate, decided here (pure) and enforced by the server on every referral:
- Consent: consent to data collection *given* and `share_with_agencies` → every group.
- A legal basis without consent to share, `vital_interest` or `social_protection`, counts once
  a caseworker has screened the case (screening is where staff record or confirm the basis) →
  the minimum an agency needs to reach and help the person: `contact`, `location`, `summary`.
  Identity and notes need consent.
- Otherwise nothing may be shared, and a referral is refused (403) unless a supervisor
  overrides the gate with a reason; the override allows the groups asked for and is written
  into the referral and its `referred` event.
- Consent records (`models.consent`), once a case has any, replace the intake answers as
  what consent allows: the groups of the consents in force for the referral's organization.
  A group the client withdrew (and no consent in force gives again) is refused on every basis
  (403 `referral.consent_withdrawn`, naming it) unless a supervisor overrides.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from models.case import Case, CaseNote
from models.enums import (
    Category,
    ConsentStatus,
    FieldGroup,
    LegalBasis,
    Role,
    SharingBasis,
    TargetGroup,
)
from models.referral import (
    SharedCase,
    SharedContact,
    SharedIdentity,
    SharedLocation,
    SharedNote,
    SharedSummary,
)
from service.cases.client_fields import client_age
from service.platform.crypto import mask_id_number

ALL_GROUPS = frozenset(FieldGroup)
MINIMAL_GROUPS = frozenset({FieldGroup.contact, FieldGroup.location, FieldGroup.summary})
ALLOWED: dict[SharingBasis, frozenset[FieldGroup]] = {
    SharingBasis.consent: ALL_GROUPS,
    SharingBasis.vital_interest: MINIMAL_GROUPS,
    SharingBasis.social_protection: MINIMAL_GROUPS,
}


@dataclass(frozen=True, slots=True)
class ConsentFacts:
    """What the gate needs to know about a case."""

    data_collection: ConsentStatus
    share_with_agencies: bool
    legal_basis: LegalBasis | None
    screened: bool
    recorded: frozenset[FieldGroup] | None = None
    """The groups the consent records in force give; None when the case has no records."""
    withdrawn: frozenset[FieldGroup] = frozenset()
    """The groups withdrawn from a consent and not given again by one in force."""


class GateRefusal(Exception):
    """Why the gate refuses: `code` names the words (`service.platform.messages`); `allowed`
    are the groups that could be shared."""

    def __init__(
        self,
        code: str,
        allowed: frozenset[FieldGroup],
        withdrawn: frozenset[FieldGroup] = frozenset(),
    ) -> None:
        super().__init__(code)
        self.code = code
        self.allowed = allowed
        self.withdrawn = withdrawn


def consent_facts(
    case: Case,
    *,
    recorded: frozenset[FieldGroup] | None = None,
    withdrawn: frozenset[FieldGroup] = frozenset(),
) -> ConsentFacts:
    return ConsentFacts(
        data_collection=case.consent_data_collection,
        share_with_agencies=case.consent_share_with_agencies,
        legal_basis=case.legal_basis,
        screened=case.screened_at is not None,
        recorded=recorded,
        withdrawn=withdrawn - (recorded or frozenset()),
    )


def sharing_basis(facts: ConsentFacts) -> SharingBasis | None:
    """What allows the case to be shared with agencies, if anything."""
    if facts.recorded is not None:
        if facts.recorded:
            return SharingBasis.consent
    elif facts.data_collection is ConsentStatus.given and facts.share_with_agencies:
        return SharingBasis.consent
    if facts.screened and facts.legal_basis is LegalBasis.vital_interest:
        return SharingBasis.vital_interest
    if facts.screened and facts.legal_basis is LegalBasis.social_protection:
        return SharingBasis.social_protection
    return None


def allowed_groups(facts: ConsentFacts) -> frozenset[FieldGroup]:
    """The groups consent or the legal basis allow to share (none without either)."""
    basis = sharing_basis(facts)
    if basis is None:
        return frozenset()
    if basis is SharingBasis.consent and facts.recorded is not None:
        return facts.recorded
    return ALLOWED[basis] - facts.withdrawn


def check_gate(
    facts: ConsentFacts,
    groups: Iterable[FieldGroup],
    *,
    role: Role,
    override_reason: str | None,
) -> SharingBasis:
    """The basis on which `groups` may be shared, else `GateRefusal`.

    A supervisor's override reason lifts the gate; from anyone else it is refused, so that
    nobody believes an override happened when it did not."""
    wanted = frozenset(groups)
    allowed = allowed_groups(facts)
    if override_reason is not None:
        if role is not Role.supervisor:
            raise GateRefusal("referral.override_role", allowed)
        return SharingBasis.override
    basis = sharing_basis(facts)
    if wanted - allowed and wanted & facts.withdrawn:
        raise GateRefusal("referral.consent_withdrawn", allowed, wanted & facts.withdrawn)
    if basis is None:
        raise GateRefusal("referral.no_basis", allowed)
    if not wanted <= allowed:
        raise GateRefusal("referral.groups_not_allowed", allowed)
    return basis


def in_group_order(groups: Iterable[FieldGroup | str]) -> list[FieldGroup]:
    """Groups without repeats, in the order `FieldGroup` declares them."""
    chosen = {FieldGroup(group) for group in groups}
    return [group for group in FieldGroup if group in chosen]


def shared_case(
    case: Case,
    *,
    referral_id: uuid.UUID,
    groups: Sequence[FieldGroup],
    notes: Sequence[CaseNote],
    today: date,
) -> SharedCase:
    """Exactly the groups a referral shares of its case (pure)."""
    chosen = set(groups)
    shared = SharedCase(
        referral_id=referral_id,
        case_reference=case.reference,
        groups=in_group_order(groups),
    )
    if FieldGroup.contact in chosen:
        shared.contact = SharedContact(
            nickname=case.client_nickname,
            phone=case.client_phone,
            languages=list(case.client_languages),
        )
    if FieldGroup.identity in chosen:
        shared.identity = SharedIdentity(
            title=case.client_title,
            first_name=case.client_first_name,
            last_name=case.client_last_name,
            id_type=case.client_id_type,
            id_number=mask_id_number(case.client_id_last4),
            birth_date=case.client_birth_date.isoformat() if case.client_birth_date else None,
            birth_year=case.client_birth_year,
            age=client_age(
                case.client_birth_date, case.client_birth_year, case.client_age_estimate, today
            ),
            gender=case.client_gender.value if case.client_gender else None,
            nationality=case.client_nationality,
        )
    if FieldGroup.location in chosen:
        shared.location = SharedLocation(
            province_code=case.province_code,
            district_code=case.district_code,
            subdistrict_code=case.subdistrict_code,
            postal_code=case.postal_code,
            address=case.address_text,
            lat=case.lat,
            lon=case.lon,
        )
    if FieldGroup.summary in chosen:
        shared.summary = SharedSummary(
            summary=case.summary,
            categories=[Category(c) for c in case.categories],
            urgency=case.urgency,
            target_groups=[TargetGroup(g) for g in case.target_groups],
            disability=case.client_disability,
            pregnant=case.client_pregnant,
        )
    if FieldGroup.notes in chosen:
        shared.notes = [SharedNote(body=n.body, created_at=n.created_at) for n in notes]
    return shared
