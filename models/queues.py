"""The supervisors' work queues: the indexes each queue reads through, and their API schemas.

Each queue is a small share of its table (open cases without a lead, pending offers, referrals
waiting for an answer, escalations), so each has a partial index holding only its rows, in the
queue's own order: a page is a walk of the index from the cursor, however large the tables
grow (`tests/service/queues/test_queue_plans.py`, `bench/explain_cases.py`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import col

from models.case import Case
from models.enums import (
    BreachRisk,
    CaseStatus,
    Category,
    NotificationState,
    Role,
    Urgency,
    VulnerableGroup,
)
from models.referral import Referral
from models.routing import CaseRouting, Offer

URGENCY_ORDER = (Urgency.critical, Urgency.high, Urgency.normal, Urgency.low)
UNASSIGNED_WHERE = "status <> 'closed' AND lead_id IS NULL"
PENDING_WHERE = "status = 'pending'"
WAITING_WHERE = "status = 'requested'"
ESCALATED_WHERE = "escalated_at IS NOT NULL AND escalation_ended_at IS NULL"


def _partial(name: str, *columns: Any, where: str) -> sa.Index:
    condition = sa.text(where)
    return sa.Index(name, *columns, postgresql_where=condition, sqlite_where=condition)


QUEUE_INDEXES = (
    # Open cases waiting for a lead, oldest first within each urgency (the queue reads the
    # urgencies one after the other, critical first).
    _partial(
        "ix_cases_unassigned",
        col(Case.urgency),
        col(Case.created_at),
        col(Case.id),
        where=UNASSIGNED_WHERE,
    ),
    # Pending offers, waiting longest first; and counted per person for the workload.
    _partial(
        "ix_offers_pending_created_at", col(Offer.created_at), col(Offer.id), where=PENDING_WHERE
    ),
    _partial("ix_offers_pending_user_id", col(Offer.user_id), where=PENDING_WHERE),
    # Referrals waiting for the agency's answer, oldest first, in all and per organization.
    _partial(
        "ix_referrals_requested_created_at",
        col(Referral.created_at),
        col(Referral.id),
        where=WAITING_WHERE,
    ),
    _partial(
        "ix_referrals_requested_organization_id_created_at",
        col(Referral.organization_id),
        col(Referral.created_at),
        col(Referral.id),
        where=WAITING_WHERE,
    ),
    # Escalations of open cases, oldest first (an escalation ends when its case closes).
    _partial(
        "ix_case_routing_escalated_at",
        col(CaseRouting.escalated_at),
        col(CaseRouting.case_id),
        where=ESCALATED_WHERE,
    ),
)


# --------------------------------------------------------------------------- read schemas


class UnassignedCase(BaseModel):
    """An open case nobody leads yet, with where its routing stands."""

    id: uuid.UUID
    reference: str
    status: CaseStatus
    urgency: Urgency
    categories: list[Category]
    province_code: str | None
    country_code: str
    created_at: datetime
    waiting_seconds: int = Field(description="Since the case was reported.")
    needs_routing: bool = Field(
        description="An offer failed and the case waits for a caseworker to route it."
    )
    failed_offers: int
    escalated_at: datetime | None
    offered_to: uuid.UUID | None = Field(description="Whom a pending offer names, if any.")
    offered_to_name: str | None
    offer_expires_at: datetime | None


class UnassignedList(BaseModel):
    items: list[UnassignedCase]
    next_cursor: str | None = None


class WaitingOffer(BaseModel):
    """A pending offer: to whom, since when, until when."""

    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    urgency: Urgency
    user_id: uuid.UUID
    user_name: str
    offered_by: uuid.UUID | None = Field(description="None when routing offered it.")
    created_at: datetime
    waiting_seconds: int = Field(description="Since the offer was made.")
    expires_at: datetime
    expired: bool = Field(description="Past its expiry, not yet expired by the worker.")


class WaitingOfferList(BaseModel):
    items: list[WaitingOffer]
    next_cursor: str | None = None


class WaitingReferral(BaseModel):
    """A referral the agency has not answered: to whom, since when, and its deadline."""

    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    urgency: Urgency
    service_id: uuid.UUID
    service_name: str
    organization_id: uuid.UUID
    organization_name: str
    created_at: datetime
    waiting_seconds: int = Field(description="Since the referral was sent.")
    response_due_at: datetime
    past_deadline: bool = Field(description="The agency's response deadline has passed.")
    next_service_id: uuid.UUID | None = Field(
        description="Flagged overdue: the next suitable service, suggested to the caseworker."
    )


class WaitingReferralList(BaseModel):
    items: list[WaitingReferral]
    next_cursor: str | None = None


class HelperWorkload(BaseModel):
    """One helper's load against their capacity."""

    user_id: uuid.UUID
    display_name: str
    role: Role
    is_active: bool
    open_cases: int = Field(description="Open cases the helper leads.")
    pending_offers: int = Field(description="Offers waiting for the helper's answer.")
    capacity: int
    load_ratio: float = Field(
        description="(open cases + pending offers) / capacity; a capacity of 0 counts as 1."
    )
    available: bool
    on_leave: bool
    leave_until: datetime | None


class WorkloadList(BaseModel):
    items: list[HelperWorkload]
    next_cursor: str | None = None


class EscalatedCase(BaseModel):
    """An open case routing gave up on after too many failed offers."""

    id: uuid.UUID
    reference: str
    status: CaseStatus
    urgency: Urgency
    created_at: datetime
    escalated_at: datetime
    escalated_seconds: int = Field(description="Since the case was escalated.")
    failed_offers: int
    needs_routing: bool
    lead: uuid.UUID | None
    lead_name: str | None


class EscalatedList(BaseModel):
    items: list[EscalatedCase]
    next_cursor: str | None = None


class DueBreach(BaseModel):
    """An open breach whose notification to the regulator is still owed and due within 24
    hours, or past due."""

    id: uuid.UUID
    detected_at: datetime
    notify_due_at: datetime = Field(description="72 hours after the detection (s.37(4)).")
    notification: NotificationState = Field(description="`due_soon` or `overdue`.")
    risk: BreachRisk
    subjects_affected: int | None
    vulnerable_subjects: list[VulnerableGroup]
    seconds_to_due: int = Field(description="Until the notification is due; negative when past.")
    hours_left: int | None = Field(description="Whole hours left; None when overdue.")
    hours_overdue: int | None = Field(description="Whole hours past due; None when not yet due.")


class DueBreachList(BaseModel):
    items: list[DueBreach]
    next_cursor: str | None = None
