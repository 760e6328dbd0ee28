"""Consents as records (PDPA s.19): recording one, reading a case's, withdrawing groups.

Decisions written down:
- Caseworkers and supervisors record and withdraw consents (403 for anyone else); the case
  must be one they may read (404 otherwise, and a restricted case for all but supervisors).
- A consent gives at least one field group, for any agency or for the organizations it names
  (each must exist); `expires_at`, when given, is in the future. A client under 20 (by the
  best age the case knows) is a minor: the guardian who consented and their relationship are
  required. A guardian's name needs the relationship.
- Once a case has any consent record, the records replace the intake answers as what consent
  allows referrals to share (`service.routing.referral_sharing`); an expired consent allows
  nothing but stays listed.
- Withdrawing takes groups (all that are left, when none are named) away from a consent;
  a group not in it, or already withdrawn, is 422. Open referrals of the case sharing a
  withdrawn group are told: a `referral_consent_withdrawn` case event each and a
  `referral.consent_withdrawn` webhook message to the agency's endpoint. The groups withdrawn
  are no longer shared with them either (the gate is checked again at each read).
- Each step is a case event (`consent_recorded`, `consent_withdrawn`), with ids and group
  names only: no guardian name, no reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.policy import may_refer
from models.agency import Organization
from models.case import Case
from models.consent import (
    MINOR_AGE,
    CaseConsent,
    ConsentIn,
    ConsentList,
    ConsentOut,
    ConsentState,
    ConsentWithdrawalIn,
)
from models.enums import CaseEventType, FieldGroup
from models.referral import Referral
from models.user import User
from models.webhooks import WebhookEventType
from service.cases.changes import bump_version
from service.cases.client_fields import client_age
from service.cases.events import append_event
from service.cases.loading import load_case
from service.platform.errors import Conflict, Forbidden, NotFound, Unprocessable, field_error
from service.platform.messages import FIELD_TEXT
from service.platform.settings import Settings
from service.routing.referral_rules import OPEN
from service.routing.referral_sharing import in_group_order
from service.thai.dates import BANGKOK
from service.webhooks.outbox import announce


def _error(pointer: str, code: str) -> dict[str, str]:
    return field_error(pointer, FIELD_TEXT[code].en, code)


def in_force(consent: CaseConsent, now: datetime) -> frozenset[FieldGroup]:
    """The groups a consent allows now (pure)."""
    if consent.expires_at is not None and consent.expires_at <= now:
        return frozenset()
    return frozenset(FieldGroup(g) for g in consent.groups) - {
        FieldGroup(g) for g in consent.withdrawn_groups
    }


def consent_state(consent: CaseConsent, now: datetime) -> ConsentState:
    """Where a consent stands now (pure)."""
    if not consent.withdrawn_groups:
        if consent.expires_at is not None and consent.expires_at <= now:
            return ConsentState.expired
        return ConsentState.in_force
    if not in_force(consent, now):
        if set(consent.withdrawn_groups) >= set(consent.groups):
            return ConsentState.withdrawn
        return ConsentState.expired
    return ConsentState.partly_withdrawn


def grants(
    consents: Iterable[CaseConsent], *, organization_id: uuid.UUID | None, now: datetime
) -> tuple[frozenset[FieldGroup] | None, frozenset[FieldGroup]]:
    """What a case's consents give for referrals to `organization_id` (None: to any agency
    some consent allows), and the groups withdrawn from any of them (pure). The first is
    None when the case has no consent record."""
    recorded: frozenset[FieldGroup] | None = None
    withdrawn: frozenset[FieldGroup] = frozenset()
    for consent in consents:
        recorded = recorded or frozenset()
        withdrawn |= {FieldGroup(g) for g in consent.withdrawn_groups}
        scope = consent.organization_ids
        if organization_id is None or not scope or str(organization_id) in scope:
            recorded |= in_force(consent, now)
    return recorded, withdrawn


async def case_consents(session: AsyncSession, *, case_id: uuid.UUID) -> list[CaseConsent]:
    """A case's consents, oldest first."""
    rows = await session.scalars(
        sa.select(CaseConsent)
        .where(col(CaseConsent.case_id) == case_id)
        .order_by(col(CaseConsent.recorded_at), col(CaseConsent.id))
    )
    return list(rows)


async def consent_grants(
    session: AsyncSession,
    *,
    case_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    now: datetime,
) -> tuple[frozenset[FieldGroup] | None, frozenset[FieldGroup]]:
    """`grants` of the case's consents, read from the database."""
    return grants(
        await case_consents(session, case_id=case_id), organization_id=organization_id, now=now
    )


def consent_out(
    consent: CaseConsent,
    *,
    names: dict[uuid.UUID, str],
    now: datetime,
    notified: list[uuid.UUID] | None = None,
) -> ConsentOut:
    return ConsentOut(
        id=consent.id,
        case_id=consent.case_id,
        purpose=consent.purpose,
        state=consent_state(consent, now),
        groups=in_group_order(consent.groups),
        groups_in_force=in_group_order(in_force(consent, now)),
        withdrawn_groups=in_group_order(consent.withdrawn_groups),
        organization_ids=[uuid.UUID(o) for o in consent.organization_ids],
        expires_at=consent.expires_at,
        guardian_name=consent.guardian_name,
        guardian_relationship=consent.guardian_relationship,
        recorded_by=consent.recorded_by_id,
        recorded_by_name=names.get(consent.recorded_by_id),
        recorded_at=consent.recorded_at,
        withdrawn_at=consent.withdrawn_at,
        withdrawal_reason=consent.withdrawal_reason,
        notified_referrals=notified,
    )


async def _names(session: AsyncSession, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await session.execute(
        sa.select(col(User.id), col(User.display_name)).where(col(User.id).in_(wanted))
    )
    return {user_id: name for user_id, name in rows}


async def _staff_case(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, lock: bool, now: datetime
) -> Case:
    case = await load_case(session, user=user, case_id=case_id, lock=lock, now=now)
    if not may_refer(user.role):
        raise Forbidden(code="consent.staff_only")
    return case


async def _check_consent(
    session: AsyncSession, *, case: Case, body: ConsentIn, now: datetime
) -> None:
    errors = []
    if body.expires_at is not None and body.expires_at <= now:
        errors.append(_error("/expires_at", "not_future"))
    age = client_age(
        case.client_birth_date,
        case.client_birth_year,
        case.client_age_estimate,
        now.astimezone(BANGKOK).date(),
    )
    if age is not None and age < MINOR_AGE and body.guardian_name is None:
        errors.append(_error("/guardian_name", "guardian"))
    if (body.guardian_name is None) != (body.guardian_relationship is None):
        errors.append(_error("/guardian_relationship", "guardian_relationship"))
    if body.organization_ids:
        found = set(
            await session.scalars(
                sa.select(col(Organization.id)).where(
                    col(Organization.id).in_(set(body.organization_ids))
                )
            )
        )
        errors.extend(
            _error(f"/organization_ids/{i}", "organization")
            for i, organization_id in enumerate(body.organization_ids)
            if organization_id not in found
        )
    if errors:
        raise Unprocessable(errors=errors)


async def record_consent(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    body: ConsentIn,
    now: datetime,
) -> ConsentOut:
    """Record a consent the client (or their guardian) gave; logged on the case."""
    case = await _staff_case(session, user=user, case_id=case_id, lock=True, now=now)
    await _check_consent(session, case=case, body=body, now=now)
    consent = CaseConsent(
        case_id=case.id,
        purpose=body.purpose,
        groups=[g.value for g in in_group_order(body.groups)],
        organization_ids=list(dict.fromkeys(str(o) for o in body.organization_ids)),
        expires_at=body.expires_at,
        guardian_name=body.guardian_name,
        guardian_relationship=body.guardian_relationship,
        recorded_by_id=user.id,
        recorded_at=now,
    )
    session.add(consent)
    await session.flush()
    bump_version(case, now)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.consent_recorded,
        actor_id=user.id,
        now=now,
        data={
            "consent_id": str(consent.id),
            "purpose": consent.purpose.value,
            "groups": consent.groups,
            "organization_ids": consent.organization_ids,
            "expires_at": consent.expires_at.isoformat() if consent.expires_at else None,
            "guardian": consent.guardian_name is not None,
        },
    )
    await session.flush()
    return consent_out(consent, names={user.id: user.display_name}, now=now)


async def list_consents(
    session: AsyncSession, *, user: User, case_id: uuid.UUID, now: datetime
) -> ConsentList:
    """A case's consents, oldest first, each with where it stands now."""
    await _staff_case(session, user=user, case_id=case_id, lock=False, now=now)
    consents = await case_consents(session, case_id=case_id)
    names = await _names(session, (c.recorded_by_id for c in consents))
    return ConsentList(items=[consent_out(c, names=names, now=now) for c in consents])


async def withdraw_consent(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    consent_id: uuid.UUID,
    body: ConsentWithdrawalIn,
    now: datetime,
) -> ConsentOut:
    """Withdraw groups of a consent; the agencies of open referrals sharing them are told."""
    case = await _staff_case(session, user=user, case_id=case_id, lock=True, now=now)
    consent = await session.get(CaseConsent, consent_id, populate_existing=True)
    if consent is None or consent.case_id != case.id:
        raise NotFound(code="consent.not_found")
    left = in_force(consent, now)
    if not left:
        raise Conflict(code="consent.nothing_left", extra={"state": consent_state(consent, now)})
    wanted = in_group_order(body.groups) if body.groups is not None else in_group_order(left)
    wrong = [
        _error(f"/groups/{i}", "not_in_consent")
        for i, group in enumerate(body.groups or [])
        if group not in left
    ]
    if wrong:
        raise Unprocessable(errors=wrong)
    consent.withdrawn_groups = [
        g.value for g in in_group_order([*consent.withdrawn_groups, *wanted])
    ]
    consent.withdrawn_at = now
    consent.withdrawn_by_id = user.id
    if body.reason is not None:
        consent.withdrawal_reason = body.reason
    await session.flush()
    withdrawn = {g.value for g in wanted}
    notified = await _tell_agencies(
        session, settings=settings, case=case, withdrawn=withdrawn, user=user, now=now
    )
    bump_version(case, now)
    await append_event(
        session,
        secret=settings.data_key,
        case=case,
        type_=CaseEventType.consent_withdrawn,
        actor_id=user.id,
        now=now,
        data={
            "consent_id": str(consent.id),
            "groups": [g.value for g in wanted],
            "notified_referrals": [str(r) for r in notified],
        },
    )
    await session.flush()
    names = await _names(session, [consent.recorded_by_id])
    return consent_out(consent, names=names, now=now, notified=notified)


async def _tell_agencies(
    session: AsyncSession,
    *,
    settings: Settings,
    case: Case,
    withdrawn: set[str],
    user: User,
    now: datetime,
) -> list[uuid.UUID]:
    """A case event and a webhook message for each open referral sharing a withdrawn group."""
    referrals = await session.scalars(
        sa.select(Referral)
        .where(col(Referral.case_id) == case.id, col(Referral.status).in_(OPEN))
        .order_by(col(Referral.created_at), col(Referral.id))
    )
    notified = []
    for referral in referrals:
        groups = [g.value for g in in_group_order(withdrawn & set(referral.groups))]
        if not groups:
            continue
        notified.append(referral.id)
        await append_event(
            session,
            secret=settings.data_key,
            case=case,
            type_=CaseEventType.referral_consent_withdrawn,
            actor_id=user.id,
            now=now,
            data={
                "referral_id": str(referral.id),
                "service_id": str(referral.service_id),
                "organization_id": str(referral.organization_id),
                "groups": groups,
            },
        )
        await announce(
            session,
            case=case,
            referral=referral,
            type_=WebhookEventType.consent_withdrawn,
            now=now,
            withdrawn_groups=groups,
        )
    return notified
