"""The record of processing (PDPA s.39), declared next to the tables it describes.

Every column of every table is declared here, either as personal data of a named category or as
holding none (`tests/models/test_processing.py` fails on a column declared nowhere, so a new
personal field cannot be added without saying what it is). `GET /api/v1/privacy/record-of-
processing` is generated from these declarations (`service.privacy.record`), so it cannot drift
from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, Field


class DataCategory(StrEnum):
    """What kind of personal data a column holds."""

    identity = "identity"  # names, title, nickname, name keys derived from them
    id_number = "id_number"  # national id or passport: encrypted, keyed hash, last four digits
    contact = "contact"  # phone numbers, e-mail addresses
    location = "location"  # address, coordinates, areas finer than a province
    demographics = "demographics"  # birth date or year, age, gender, nationality, languages
    health = "health"  # disability, pregnancy: sensitive data (s.26)
    circumstances = "circumstances"  # the situation and notes: may hold sensitive data (s.26)
    consent = "consent"  # consent answers, legal basis, who recorded it, the guardian
    account = "account"  # staff accounts: login name, display name, password hash, sessions
    volunteer_card = "volunteer_card"  # a volunteer's อพม. card
    activity = "activity"  # who did or read what, and when (audit trail, access log)


@dataclass(frozen=True, slots=True)
class Activity:
    """One processing activity: why, on what basis, for how long, shared with whom."""

    name: str
    purpose: str
    legal_basis: str
    data_subjects: str
    retention: str
    recipients: str
    security: str


@dataclass(frozen=True, slots=True)
class TableDeclaration:
    """A table's columns: the personal ones by category, and the ones holding none."""

    activity: str
    personal: dict[str, DataCategory]
    other: frozenset[str]


ENCRYPTION = (
    "TLS in transit; id numbers and stored answers encrypted (AES-GCM, keys with ids, rotated "
    "without downtime); keyed hashes for lookups; role-based access, 404 for what a caller may "
    "not see; reads recorded in a tamper-evident access log"
)
CASE_RETENTION = (
    "while the case is open; after closure, the retention period of its closure reason, then "
    "anonymised (statistics kept: categories, dates, province, urgency)"
)

ACTIVITIES: dict[str, Activity] = {
    activity.name: activity
    for activity in (
        Activity(
            name="case_handling",
            purpose="Receive reports of people in social distress, screen, help and follow the "
            "case to its end",
            legal_basis="Consent (s.19), or vital interest (s.24(2)) or the performance of a "
            "public task of social protection (s.24(4)) as recorded on the case; sensitive data "
            "under s.26 on the same grounds",
            data_subjects="People in social distress (clients), their guardians, the people who "
            "report them",
            retention=CASE_RETENTION,
            recipients="The center's caseworkers, supervisors and the volunteer who reported or "
            "leads the case; partner agencies receive only the field groups a referral shares, "
            "within the client's consent",
            security=ENCRYPTION,
        ),
        Activity(
            name="audit",
            purpose="Keep a tamper-evident history of every change and read of a case",
            legal_basis="Legal obligation and legitimate interest in accountability (s.24(5)-(6))",
            data_subjects="Staff and volunteers who act on cases; the clients the cases are about",
            retention="As long as the case; events hold no personal values (changed personal "
            "fields are named, their values withheld)",
            recipients="Supervisors and auditors of the center",
            security="Hash-chained events anchored with a keyed value; access-log rows each "
            "carry their own keyed hash; " + ENCRYPTION,
        ),
        Activity(
            name="routing",
            purpose="Offer cases to volunteers and caseworkers and refer them to agencies",
            legal_basis="Legitimate interest of the center in organising its helpers (s.24(5)); "
            "for clients, the basis of their case",
            data_subjects="Volunteers and caseworkers (skills, areas, capacity, อพม. card); "
            "clients",
            retention="Helper profiles while the account is active; offers, decisions and "
            "referrals as long as their case",
            recipients="Supervisors and caseworkers; a referral's agency sees the referral",
            security=ENCRYPTION,
        ),
        Activity(
            name="accounts",
            purpose="Sign staff, volunteers and agency users in and keep their sessions safe",
            legal_basis="Contract or legitimate interest in securing the service (s.24(3), (5))",
            data_subjects="Staff, volunteers, agency staff",
            retention="While the account exists; sessions until their tokens expire; throttling "
            "counters for their window",
            recipients="Administrators",
            security="Argon2id password hashes, rotating refresh tokens with reuse detection, "
            "throttled sign-in; " + ENCRYPTION,
        ),
        Activity(
            name="directory",
            purpose="Keep the partner agencies' services and their contact points",
            legal_basis="Legitimate interest in referring clients to the right service (s.24(5))",
            data_subjects="Agency contact persons",
            retention="While the agency is in the directory",
            recipients="All signed-in staff; exported as HSDS JSON by administrators",
            security=ENCRYPTION,
        ),
        Activity(
            name="privacy",
            purpose="Keep the register of personal-data breaches and answer the regulator",
            legal_basis="Legal obligation (PDPA s.37(4), s.39; s.24(6))",
            data_subjects="Staff who record breaches (the register names no affected person)",
            retention="Five years after a breach is closed",
            recipients="Supervisors, administrators, the regulator (PDPC) on request",
            security=ENCRYPTION,
        ),
        Activity(
            name="data_subject_requests",
            purpose="Answer the requests of the people whose data the center holds (access, "
            "portability, rectification, objection, restriction, erasure) within the legal time",
            legal_basis="Legal obligation (PDPA s.30-36, s.39; s.24(6))",
            data_subjects="Clients and the people who ask for them",
            retention="The identifiers given until the cases they name are anonymised; the kind, "
            "dates, outcome and reasons of refusal for five years",
            recipients="Supervisors and administrators; the person who asked",
            security=ENCRYPTION,
        ),
        Activity(
            name="operations",
            purpose="Run the service: reference numbers, idempotent intake, policies",
            legal_basis="Legitimate interest in running the service reliably (s.24(5))",
            data_subjects="Clients (stored intake answers), staff (who changed a policy)",
            retention="Stored intake answers 48 hours; the rest while the service runs",
            recipients="None outside the center",
            security=ENCRYPTION,
        ),
    )
}


def _columns(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _personal(**categories: str) -> dict[str, DataCategory]:
    return {
        column: DataCategory(category)
        for category, columns in categories.items()
        for column in columns.split()
    }


TABLES: dict[str, TableDeclaration] = {
    "cases": TableDeclaration(
        activity="case_handling",
        personal=_personal(
            identity="client_title client_first_name client_last_name client_nickname "
            "client_name_key client_last_name_key client_first_sound client_last_sound "
            "client_first_skeleton client_last_skeleton reporter_name",
            id_number="client_id_type client_id_number_enc client_id_hash client_id_last4",
            contact="client_phone reporter_phone",
            location="city district_code subdistrict_code postal_code address_text lat lon",
            demographics="client_birth_date client_birth_year client_age_estimate client_gender "
            "client_nationality home_province_code client_languages",
            health="client_disability client_pregnant",
            circumstances="summary reporter_relationship restriction_reason",
            consent="consent_data_collection consent_share_with_agencies legal_basis "
            "consent_recorded_by consent_recorded_by_id guardian_name",
            activity="created_by_id lead_id screened_by_id restricted_by_id",
        ),
        other=_columns(
            "first_response_due_at first_response_warn_at first_response_met_at "
            "first_response_warned_at first_response_breached_at resolution_due_at "
            "resolution_warn_at resolution_met_at resolution_warned_at resolution_breached_at "
            "clock_paused_at clock_pauses deadline_rules_version id reference status urgency "
            "suggested_urgency immediate_danger categories target_groups channel recorded_at "
            "client_reference reporter_anonymous country_code province_code screened_at "
            "resolved_at closed_at closure_reason duplicate_of_id anonymised_at created_at "
            "updated_at version "
            "event_count last_event_hash chain_anchor restricted_at restriction_basis"
        ),
    ),
    "case_consents": TableDeclaration(
        activity="case_handling",
        personal=_personal(
            consent="groups organization_ids expires_at guardian_name guardian_relationship "
            "withdrawn_groups withdrawn_at withdrawal_reason",
            activity="recorded_by_id withdrawn_by_id",
        ),
        other=_columns("id case_id purpose recorded_at"),
    ),
    "case_notes": TableDeclaration(
        activity="case_handling",
        personal=_personal(circumstances="body", activity="author_id"),
        other=_columns("id case_id created_at"),
    ),
    "case_categories": TableDeclaration(
        activity="case_handling", personal={}, other=_columns("case_id category created_at")
    ),
    "case_duplicates": TableDeclaration(
        activity="case_handling",
        personal=_personal(activity="decided_by_id"),
        other=_columns("id case_id candidate_id reasons status decided_at created_at"),
    ),
    "case_events": TableDeclaration(
        activity="audit",
        personal=_personal(activity="actor_id"),
        other=_columns("id case_id seq type occurred_at changes data prev_hash hash"),
    ),
    "case_reads": TableDeclaration(
        activity="audit",
        personal=_personal(activity="reader_id at"),
        other=_columns("id case_id what hash"),
    ),
    "case_routing": TableDeclaration(
        activity="routing",
        personal={},
        other=_columns(
            "case_id failed_offers needs_routing escalated_at escalation_ended_at updated_at"
        ),
    ),
    "offers": TableDeclaration(
        activity="routing",
        personal=_personal(activity="user_id offered_by_id", circumstances="decline_reason"),
        other=_columns("id case_id status decision_id created_at expires_at answered_at"),
    ),
    "routing_decisions": TableDeclaration(
        activity="routing",
        personal=_personal(activity="candidates chosen_id chosen_by_id"),
        other=_columns("id case_id kind created_at"),
    ),
    "referrals": TableDeclaration(
        activity="routing",
        personal=_personal(
            circumstances="reason override_reason answer_reason",
            activity="requested_by_id answered_by_id",
        ),
        other=_columns(
            "id case_id service_id organization_id status groups basis decision_id created_at "
            "response_due_at overdue_at next_service_id answered_at closed_at updated_at"
        ),
    ),
    "helper_profiles": TableDeclaration(
        activity="routing",
        personal=_personal(
            volunteer_card="card_number card_province_code card_expires_on",
            demographics="languages",
            activity="skills capacity available leave_until weekly_hours last_assigned_at "
            "open_cases_led pending_offers load_ratio",
        ),
        other=_columns("user_id created_at updated_at"),
    ),
    "helper_areas": TableDeclaration(
        activity="routing",
        personal=_personal(location="code province_code"),
        other=_columns("user_id"),
    ),
    "helper_stamps": TableDeclaration(activity="routing", personal={}, other=_columns("id stamp")),
    "users": TableDeclaration(
        activity="accounts",
        personal=_personal(account="display_name username password_hash password_changed_at"),
        other=_columns("role id is_active organization_id token_version created_at updated_at"),
    ),
    "refresh_families": TableDeclaration(
        activity="accounts",
        personal=_personal(account="user_id created_at revoked_at revoked_reason"),
        other=_columns("id"),
    ),
    "refresh_tokens": TableDeclaration(
        activity="accounts",
        personal=_personal(account="issued_at used_at"),
        other=_columns("jti family_id expires_at"),
    ),
    "login_throttles": TableDeclaration(
        activity="accounts",
        personal=_personal(account="key failures window_started_at locked_until"),
        other=frozenset(),
    ),
    "idempotency_keys": TableDeclaration(
        activity="operations",
        personal=_personal(circumstances="body", account="owner_id"),
        other=_columns("key fingerprint status_code headers viewer_role created_at expires_at"),
    ),
    "reference_counters": TableDeclaration(
        activity="operations", personal={}, other=_columns("year last")
    ),
    "deadline_policies": TableDeclaration(
        activity="operations",
        personal=_personal(activity="updated_by_id"),
        other=_columns(
            "urgency first_response_amount first_response_unit resolution_amount "
            "resolution_unit updated_at"
        ),
    ),
    "working_calendars": TableDeclaration(
        activity="operations",
        personal=_personal(activity="updated_by_id"),
        other=_columns("id week closed_days open_days version updated_at"),
    ),
    "privacy_breaches": TableDeclaration(
        activity="privacy",
        personal=_personal(activity="recorded_by_id"),
        other=_columns(
            "id detected_at notify_due_at description data_categories subjects_affected "
            "vulnerable_subjects risk risk_assessment regulator_notified_at "
            "subjects_notified_at closed_at due_soon_announced_at overdue_announced_at created_at "
            "updated_at version"
        ),
    ),
    "privacy_requests": TableDeclaration(
        activity="data_subject_requests",
        personal=_personal(
            identity="requester_name subject_first_name subject_last_name",
            id_number="subject_id_type subject_id_hash subject_id_number_enc",
            contact="subject_phone",
            demographics="subject_birth_date",
            circumstances="details",
            activity="answered_by_id recorded_by_id",
        ),
        other=_columns(
            "id kind requester received_at due_at outcome refusal_reason answered_at "
            "created_at updated_at version"
        ),
    ),
    "privacy_request_cases": TableDeclaration(
        activity="data_subject_requests", personal={}, other=_columns("request_id case_id")
    ),
    "exports": TableDeclaration(
        activity="audit",
        personal=_personal(activity="exported_by_id at"),
        other=_columns("id kind filters rows hash"),
    ),
    "stream_messages": TableDeclaration(
        activity="case_handling",
        personal=_personal(activity="reported_by_id lead_id offered_to_id"),
        other=_columns(
            "id event_id type case_id case_reference urgency occurred_at recorded_at offer_id "
            "referral_id organization_id breach_id restricted"
        ),
    ),
    "webhook_endpoints": TableDeclaration(
        activity="directory",
        personal={},
        other=_columns(
            "service_id organization_id secret_sealed enabled disabled_reason disabled_at "
            "secret_created_at created_at updated_at"
        ),
    ),
    "webhook_messages": TableDeclaration(
        activity="routing",
        personal={},
        other=_columns("id service_id organization_id referral_id event_type body created_at"),
    ),
    "webhook_deliveries": TableDeclaration(
        activity="routing",
        personal=_personal(activity="requested_by_id"),
        other=_columns(
            "id message_id service_id organization_id status attempts next_attempt_at lease_id "
            "last_status_code replay_of_id delivered_at created_at updated_at"
        ),
    ),
    "webhook_attempts": TableDeclaration(
        activity="routing",
        personal={},
        other=_columns("id delivery_id number attempted_at status_code duration_ms error"),
    ),
    "contacts": TableDeclaration(
        activity="directory",
        personal=_personal(identity="name title", contact="email"),
        other=_columns("id organization_id service_id department"),
    ),
    "phones": TableDeclaration(
        activity="directory",
        personal=_personal(contact="number extension"),
        other=_columns("id organization_id service_id location_id contact_id type description"),
    ),
    "services": TableDeclaration(
        activity="directory",
        personal=_personal(
            identity="referral_contact_name", contact="referral_email referral_phone"
        ),
        other=_columns(
            "id organization_id name alternate_name description url email status "
            "interpretation_services application_process fees_description "
            "eligibility_description minimum_age maximum_age categories target_groups "
            "accepts_referrals serves_abroad webhook_url response_deadline_hours version "
            "created_at updated_at"
        ),
    ),
    **{
        name: TableDeclaration(activity="directory", personal={}, other=_columns(columns))
        for name, columns in {
            "organizations": "id name alternate_name description email website legal_status "
            "version created_at updated_at",
            "addresses": "id location_id attention address_1 address_2 city region "
            "state_province postal_code country address_type",
            "languages": "id service_id name code note",
            "locations": "id organization_id location_type name alternate_name description "
            "transportation latitude longitude",
            "service_areas": "id service_id name description area_code",
            "service_at_locations": "id service_id location_id description",
            "service_capacities": "id service_id unit_id unit_name unit_scheme unit_identifier "
            "available maximum description updated",
            "directory_stamps": "id stamp",
        }.items()
    },
}


# --------------------------------------------------------------------------- API schemas


class ProcessingColumn(BaseModel):
    table: str
    column: str
    category: DataCategory


class ProcessingActivity(BaseModel):
    name: str
    purpose: str
    legal_basis: str
    data_subjects: str
    retention: str
    recipients: str
    security: str
    categories: list[DataCategory] = Field(description="The personal data it holds, by kind.")
    columns: list[ProcessingColumn] = Field(description="Where each is stored.")


class RecordOfProcessing(BaseModel):
    controller: str
    activities: list[ProcessingActivity]
