"""Enumerations shared by tables and API schemas."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a person does in the center; decides what they may see and do."""

    volunteer = "volunteer"
    caseworker = "caseworker"
    supervisor = "supervisor"
    agency = "agency"
    admin = "admin"


class CaseStatus(StrEnum):
    """Where a case stands in its lifecycle (SPEC §3)."""

    new = "new"
    screened = "screened"
    in_progress = "in_progress"
    awaiting_client = "awaiting_client"
    referred = "referred"
    resolved = "resolved"
    closed = "closed"


class Urgency(StrEnum):
    """How soon a case needs a response; `critical` means immediate danger to life or body."""

    critical = "critical"
    high = "high"
    normal = "normal"
    low = "low"


class Category(StrEnum):
    """The kind of problem a case is about; a case has one or more."""

    family_violence = "family_violence"
    other_violence_abuse = "other_violence_abuse"
    unready_pregnancy = "unready_pregnancy"
    human_trafficking = "human_trafficking"
    drug_affected = "drug_affected"
    homeless_destitute = "homeless_destitute"
    begging = "begging"
    child_youth = "child_youth"
    missing_person = "missing_person"
    older_person = "older_person"
    disability = "disability"
    income_livelihood = "income_livelihood"
    family_relationship = "family_relationship"
    welfare_rights_access = "welfare_rights_access"
    housing = "housing"
    health_mental_health = "health_mental_health"
    civil_registration_statelessness = "civil_registration_statelessness"
    disaster_affected = "disaster_affected"
    other = "other"


class Channel(StrEnum):
    """How the case reached the center."""

    mobile = "mobile"
    walk_in = "walk_in"
    phone = "phone"
    hotline_1300 = "hotline_1300"
    line = "line"
    web = "web"
    agency_referral = "agency_referral"
    outreach = "outreach"


class ClosureReason(StrEnum):
    """Why a case was closed; required when closing."""

    resolved = "resolved"
    referred_closed = "referred_closed"
    unreachable = "unreachable"
    declined_help = "declined_help"
    duplicate = "duplicate"
    out_of_scope = "out_of_scope"
    deceased = "deceased"


class IdType(StrEnum):
    """Which identity document the client's id number comes from."""

    thai_id = "thai_id"
    non_thai_id = "non_thai_id"
    passport = "passport"
    none = "none"
    unknown = "unknown"


class Gender(StrEnum):
    """The client's gender as recorded at intake."""

    male = "male"
    female = "female"
    other = "other"
    unknown = "unknown"


class ReporterRelationship(StrEnum):
    """Who the reporter is to the client."""

    self = "self"
    family = "family"
    neighbour = "neighbour"
    volunteer = "volunteer"
    official = "official"
    other = "other"


class ConsentStatus(StrEnum):
    """Whether the client consented to the collection of their data."""

    given = "given"
    refused = "refused"
    not_possible = "not_possible"


class LegalBasis(StrEnum):
    """The PDPA basis on which the client's data is processed."""

    consent = "consent"
    vital_interest = "vital_interest"
    social_protection = "social_protection"


class TargetGroup(StrEnum):
    """A group the client belongs to, derived from age, disability and pregnancy."""

    child = "child"
    youth = "youth"
    older_person = "older_person"
    disability = "disability"
    pregnancy = "pregnancy"


class CaseEventType(StrEnum):
    """What happened to a case, as written to its append-only timeline."""

    created = "created"
    screened = "screened"
    status_changed = "status_changed"
    updated = "updated"
    offered = "offered"
    offer_accepted = "offer_accepted"
    offer_declined = "offer_declined"
    offer_expired = "offer_expired"
    offer_withdrawn = "offer_withdrawn"
    referred = "referred"
    referral_answered = "referral_answered"
    referral_cancelled = "referral_cancelled"
    referral_overdue = "referral_overdue"
    note_added = "note_added"
    escalated = "escalated"
    sla_at_risk = "sla_at_risk"  # a deadline passed its warning time (75 %)
    sla_breached = "sla_breached"
    viewed = "viewed"
    exported = "exported"
    merged = "merged"
    duplicate_flagged = "duplicate_flagged"
    duplicate_confirmed = "duplicate_confirmed"
    duplicate_dismissed = "duplicate_dismissed"
    anonymised = "anonymised"  # personal fields cleared (erasure or retention)
    consent_recorded = "consent_recorded"
    consent_withdrawn = "consent_withdrawn"
    referral_consent_withdrawn = "referral_consent_withdrawn"  # its agency was told
    restricted = "restricted"  # a restriction or objection (PDPA s.32, s.34)
    restriction_lifted = "restriction_lifted"


class CaseReadKind(StrEnum):
    """What of a case a recorded read showed."""

    detail = "detail"
    notes = "notes"
    timeline = "timeline"
    referral = "referral"  # an agency's read of the field groups a referral shares


class DuplicateReason(StrEnum):
    """Why two cases were flagged as possibly about the same client."""

    id_number = "id_number"
    phone = "phone"
    name = "name"


class DuplicateStatus(StrEnum):
    """Where a possible-duplicate link stands: open until a caseworker decides."""

    open = "open"
    confirmed = "confirmed"
    dismissed = "dismissed"


class BudgetUnit(StrEnum):
    """How a deadline's time is counted: around the clock, or in the calendar's open hours."""

    hours = "hours"
    days = "days"
    business_days = "business_days"


class OfferStatus(StrEnum):
    """Where an offer of a case to a helper stands; only `pending` may still be answered."""

    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"  # its case was resolved or closed while it waited


class DecisionKind(StrEnum):
    """What a stored routing decision chose: a person to offer to, or an agency to refer to."""

    offer = "offer"
    referral = "referral"


class RoutingMode(StrEnum):
    """What happens after a declined or expired offer: `auto` offers the next candidate,
    `manual` returns the case to the queue flagged for a caseworker."""

    manual = "manual"
    auto = "auto"


class IneligibleReason(StrEnum):
    """Why a helper was filtered out of a case's suggestions before ranking."""

    inactive = "inactive"
    unavailable = "unavailable"
    on_leave = "on_leave"
    out_of_area = "out_of_area"
    at_capacity = "at_capacity"
    declined = "declined"
    expired_offer = "expired_offer"
    card_missing = "card_missing"
    card_expired = "card_expired"
    volunteer_on_critical = "volunteer_on_critical"


class ServiceStatus(StrEnum):
    """Whether an agency's service is offered (HSDS 3.0 `service.status`)."""

    active = "active"
    inactive = "inactive"
    defunct = "defunct"
    temporarily_closed = "temporarily closed"


class AgencyFilterReason(StrEnum):
    """Why an agency service was left out of a case's suggestions (the first that applies)."""

    inactive = "inactive"
    not_accepting_referrals = "not_accepting_referrals"
    outside_area = "outside_area"
    age_outside_range = "age_outside_range"


class AgencyReason(StrEnum):
    """Why a suggested agency service scored what it did (`service.routing.agency_ranking`)."""

    abroad = "abroad"
    subdistrict = "subdistrict"
    district = "district"
    province = "province"
    nationwide = "nationwide"
    category = "category"
    more_categories = "more_categories"
    target_group = "target_group"
    age_eligible = "age_eligible"
    language = "language"
    has_room = "has_room"
    capacity_unknown = "capacity_unknown"
    full = "full"


class ReferralStatus(StrEnum):
    """Where a referral to an agency stands: `requested` and `accepted` are open."""

    requested = "requested"
    accepted = "accepted"
    declined = "declined"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"


class ReferralAnswer(StrEnum):
    """A step on a referral: the agency's answers, and the center's cancel."""

    accept = "accept"
    decline = "decline"
    complete = "complete"
    fail = "fail"
    cancel = "cancel"


class FieldGroup(StrEnum):
    """A named group of case fields a referral may share with an agency."""

    contact = "contact"
    identity = "identity"
    location = "location"
    summary = "summary"
    notes = "notes"


class SharingBasis(StrEnum):
    """What allowed a referral to share what it shares."""

    consent = "consent"
    vital_interest = "vital_interest"
    social_protection = "social_protection"
    override = "override"  # a supervisor's override of the consent gate, with a reason


class BreachRisk(StrEnum):
    """A personal-data breach's risk to the people's rights and freedoms (PDPA s.37(4))."""

    unlikely = "unlikely"  # no notification needed; the reason is recorded
    risk = "risk"  # the regulator is told within 72 hours
    high = "high"  # the regulator, and the people without delay


class VulnerableGroup(StrEnum):
    """People whose data in a breach makes it graver."""

    children = "children"
    people_with_disabilities = "people_with_disabilities"
    older_people = "older_people"
    victims_of_violence = "victims_of_violence"
    victims_of_trafficking = "victims_of_trafficking"
    pregnant_people = "pregnant_people"


class BreachNotice(StrEnum):
    """What the stream says about a breach whose notification is still owed (sent once each)."""

    breach_due_soon = "breach_due_soon"  # less than 24 hours left to tell the regulator
    breach_overdue = "breach_overdue"  # the 72 hours have passed


class NotificationState(StrEnum):
    """Where a breach's 72-hour notification to the regulator stands."""

    on_time = "on_time"
    due_soon = "due_soon"  # less than 24 hours left
    overdue = "overdue"
    notified = "notified"
    not_required = "not_required"
