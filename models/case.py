"""Cases: the table, its satellites (categories, notes, duplicate links, idempotency) and the
API schemas of intake, reading, updating and transitions.

The person at the centre of a case is stored in flat `client_*` columns, so that the fields
the center filters and matches on (area, phone, id hash, name keys) are indexable on both
databases. The id number itself is only ever stored encrypted (`client_id_number_enc`).

The client fields are declared once, in `service.cases.client_fields.CLIENT_FIELDS`; the
`client_*` columns and `ClientIn`, `ClientPatch` and `ClientOut` are written out here (their
OpenAPI is a contract) and kept in step with it by `tests/service/cases/test_client_fields.py`.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
)
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models import field_rules
from models.base import HAS_TEXT, EnumText, NotNull, UTCDateTime, new_id, no_nul_characters, utcnow
from models.case_deadlines import DEADLINE_INDEXES, CaseDeadlineFields, CaseDeadlinesOut
from models.enums import (
    CaseStatus,
    Category,
    Channel,
    ClosureReason,
    ConsentStatus,
    DuplicateReason,
    DuplicateStatus,
    Gender,
    IdType,
    LegalBasis,
    ReporterRelationship,
    Role,
    TargetGroup,
    Urgency,
)
from models.events import KEYED_VALUE_LENGTH
from service.reference_data.countries import HOME_COUNTRY
from service.thai.dates import BUDDHIST_ERA_THRESHOLD, to_gregorian_year

MAX_CATEGORIES = 10
MAX_LANGUAGES = 10
# The name keys duplicate detection looks up: each name part's Thai soundex and consonant
# skeleton (`service.thai.names`), each a `client_<key>` column indexed with the district.
DUPLICATE_NAME_KEYS = ("first_sound", "last_sound", "first_skeleton", "last_skeleton")


ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_text_only(value: object) -> object:
    """Refuse numbers (which would be read as Unix times): only ISO 8601 text is a time here.

    A Buddhist Era year (2400 and later) is converted first, so that BE leap days such as
    2567-02-29 parse and every time parameter accepts what intake accepts."""
    if isinstance(value, str) and not ISO_DATE_TIME.match(value):
        raise ValueError("an ISO 8601 date and time with an offset, e.g. 2026-11-01T00:00:00+07:00")
    if isinstance(value, int | float):
        raise ValueError("an ISO 8601 date and time with an offset")
    if isinstance(value, str) and value[:4].isdigit():
        year = int(value[:4])
        if year >= BUDDHIST_ERA_THRESHOLD:
            return f"{to_gregorian_year(year):04d}{value[4:]}"
    return value


def _in_utc(value: datetime) -> datetime:
    """The same instant in UTC; times whose UTC form falls outside years 1-9999 are refused
    here rather than overflowing when stored or compared."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is outside the supported range") from None


IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_text_only), AfterValidator(_in_utc)]
"""An aware date-time given as ISO 8601 text (Buddhist Era years accepted), held in UTC."""


# --------------------------------------------------------------------------- tables


class Case(CaseDeadlineFields, table=True):
    """One person in distress, from intake to closure; deadlines: `models.case_deadlines`."""

    __tablename__ = "cases"
    __table_args__ = (
        sa.UniqueConstraint("created_by_id", "client_reference"),
        # Newest first; on PostgreSQL its entries carry the name search's keys and whether the
        # case is restricted, so a name search walks it index-only for a page of ids
        # (`service.cases.listing`) instead of reading every case it passes.
        sa.Index(
            "ix_cases_created_at_id",
            "created_at",
            "id",
            postgresql_include=["client_name_key", "client_last_name_key", "restricted_at"],
        ),
        sa.Index("ix_cases_status_created_at", "status", "created_at", "id"),
        sa.Index("ix_cases_urgency_created_at", "urgency", "created_at", "id"),
        sa.Index("ix_cases_province_created_at", "province_code", "created_at", "id"),
        # Cases abroad, by country: a few per cent of all, so only they are indexed (a list of
        # cases in Thailand walks the plain newest-first index).
        sa.Index(
            "ix_cases_abroad_country_created_at",
            "country_code",
            "created_at",
            "id",
            postgresql_where=sa.text(f"country_code <> '{HOME_COUNTRY}'"),
            sqlite_where=sa.text(f"country_code <> '{HOME_COUNTRY}'"),
        ),
        sa.Index("ix_cases_district_created_at", "district_code", "created_at", "id"),
        sa.Index("ix_cases_lead_created_at", "lead_id", "created_at", "id"),
        sa.Index("ix_cases_created_by_created_at", "created_by_id", "created_at", "id"),
        # The open cases a person leads or reported (their daily list), newest first. Partial:
        # cases not yet closed are a few per cent of all, and a filter on open statuses would
        # otherwise read every case of the person.
        sa.Index(
            "ix_cases_open_lead_created_at",
            "lead_id",
            "created_at",
            "id",
            postgresql_where=sa.text("status <> 'closed'"),
            sqlite_where=sa.text("status <> 'closed'"),
        ),
        sa.Index(
            "ix_cases_open_created_by_created_at",
            "created_by_id",
            "created_at",
            "id",
            postgresql_where=sa.text("status <> 'closed'"),
            sqlite_where=sa.text("status <> 'closed'"),
        ),
        # Closed cases not yet anonymised, by closure reason, oldest closure first: the retention
        # job walks each reason's cases closed before that reason's own cut-off, and no others.
        sa.Index(
            "ix_cases_retention_reason_closed_at",
            "closure_reason",
            "closed_at",
            "id",
            postgresql_where=sa.text("closed_at IS NOT NULL AND anonymised_at IS NULL"),
            sqlite_where=sa.text("closed_at IS NOT NULL AND anonymised_at IS NULL"),
        ),
        sa.Index("ix_cases_client_id_hash", "client_id_hash"),
        sa.Index("ix_cases_client_phone", "client_phone"),
        sa.Index(
            "ix_cases_client_name_key",
            "client_name_key",
            postgresql_ops={"client_name_key": "varchar_pattern_ops"},
        ),
        sa.Index(
            "ix_cases_client_last_name_key",
            "client_last_name_key",
            postgresql_ops={"client_last_name_key": "varchar_pattern_ops"},
        ),
        # Duplicate detection looks up each name part's keys among the open cases of a
        # district (`service.cases.duplicates`), however old they are.
        *(
            sa.Index(
                f"ix_cases_open_district_{key}",
                "district_code",
                f"client_{key}",
                postgresql_where=sa.text("status <> 'closed'"),
                sqlite_where=sa.text("status <> 'closed'"),
            )
            for key in DUPLICATE_NAME_KEYS
        ),
        *DEADLINE_INDEXES,
    )

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    reference: str = SQLField(max_length=20, unique=True)
    status: CaseStatus = SQLField(sa_type=EnumText(CaseStatus, 20))
    urgency: Urgency = SQLField(sa_type=EnumText(Urgency, 12))
    suggested_urgency: Urgency | None = SQLField(default=None, sa_type=EnumText(Urgency, 12))
    immediate_danger: bool = False
    categories: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    target_groups: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    channel: Channel = SQLField(sa_type=EnumText(Channel, 20))
    summary: str = SQLField(sa_type=sa.Text)
    recorded_at: datetime = SQLField(sa_type=UTCDateTime)
    client_reference: uuid.UUID | None = None

    # One column per declared client field (`CLIENT_FIELDS`), and the columns derived from them.
    client_title: str | None = SQLField(default=None, max_length=50)
    client_first_name: str | None = SQLField(default=None, max_length=100)
    client_last_name: str | None = SQLField(default=None, max_length=100)
    client_nickname: str | None = SQLField(default=None, max_length=100)
    client_name_key: str | None = SQLField(default=None, max_length=200)
    client_last_name_key: str | None = SQLField(default=None, max_length=100)
    client_first_sound: str | None = SQLField(default=None, max_length=8)
    client_last_sound: str | None = SQLField(default=None, max_length=8)
    client_first_skeleton: str | None = SQLField(default=None, max_length=32)
    client_last_skeleton: str | None = SQLField(default=None, max_length=32)
    client_id_type: IdType = SQLField(default=IdType.unknown, sa_type=EnumText(IdType, 16))
    client_id_number_enc: bytes | None = SQLField(default=None, sa_type=sa.LargeBinary)
    client_id_hash: str | None = SQLField(default=None, max_length=KEYED_VALUE_LENGTH)
    client_id_last4: str | None = SQLField(default=None, max_length=4)
    client_birth_date: date | None = None
    client_birth_year: int | None = None
    client_age_estimate: int | None = None
    client_gender: Gender | None = SQLField(default=None, sa_type=EnumText(Gender, 12))
    client_phone: str | None = SQLField(default=None, max_length=20)
    client_nationality: str | None = SQLField(default=None, max_length=64)
    home_province_code: str | None = SQLField(default=None, max_length=2)
    client_languages: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    client_disability: bool = False
    client_pregnant: bool = False

    reporter_relationship: ReporterRelationship = SQLField(
        sa_type=EnumText(ReporterRelationship, 16)
    )
    reporter_name: str | None = SQLField(default=None, max_length=200)
    reporter_phone: str | None = SQLField(default=None, max_length=20)
    reporter_anonymous: bool = False

    country_code: str = SQLField(
        default=HOME_COUNTRY, max_length=2, sa_column_kwargs={"server_default": HOME_COUNTRY}
    )
    city: str | None = SQLField(default=None, max_length=100)
    # Required in Thailand, optional abroad (`models.field_rules.is_abroad`).
    province_code: str | None = SQLField(default=None, max_length=2)
    district_code: str | None = SQLField(default=None, max_length=4)
    subdistrict_code: str | None = SQLField(default=None, max_length=6)
    postal_code: str | None = SQLField(default=None, max_length=5)
    address_text: str | None = SQLField(default=None, max_length=500)
    lat: float | None = None
    lon: float | None = None

    consent_data_collection: ConsentStatus = SQLField(sa_type=EnumText(ConsentStatus, 16))
    consent_share_with_agencies: bool = False
    legal_basis: LegalBasis | None = SQLField(default=None, sa_type=EnumText(LegalBasis, 20))
    consent_recorded_by: str | None = SQLField(default=None, max_length=200)
    consent_recorded_by_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")
    guardian_name: str | None = SQLField(default=None, max_length=200)

    created_by_id: uuid.UUID = SQLField(foreign_key="users.id")
    lead_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")
    screened_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    screened_by_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")
    resolved_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    closure_reason: ClosureReason | None = SQLField(
        default=None, sa_type=EnumText(ClosureReason, 20)
    )
    duplicate_of_id: uuid.UUID | None = SQLField(default=None, foreign_key="cases.id")
    anonymised_at: datetime | None = SQLField(
        default=None,
        sa_type=UTCDateTime,
        description="When its personal data was cleared (an erasure, or its retention's end).",
    )
    # A restriction or objection (PDPA s.32, s.34): kept, hidden from all but supervisors.
    restricted_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    restriction_basis: str | None = SQLField(default=None, max_length=16)
    restriction_reason: str | None = SQLField(default=None, sa_type=sa.Text)
    restricted_by_id: uuid.UUID | None = None  # no foreign key: see migration 0023
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)

    version: int = SQLField(default=1, description="Bumped on every change; the ETag.")
    event_count: int = SQLField(default=0, description="Anchors the end of the event chain.")
    last_event_hash: str | None = SQLField(default=None, max_length=KEYED_VALUE_LENGTH)
    chain_anchor: str | None = SQLField(
        default=None,
        max_length=KEYED_VALUE_LENGTH,
        description="Keyed HMAC over the id, the event count and the last hash.",
    )


class CaseCategory(SQLModel, table=True):
    """One row per category of a case, so a category filter can walk an index in order."""

    __tablename__ = "case_categories"
    __table_args__ = (
        sa.Index("ix_case_categories_category_created_at", "category", "created_at", "case_id"),
    )

    case_id: uuid.UUID = SQLField(foreign_key="cases.id", primary_key=True, ondelete="CASCADE")
    category: Category = SQLField(sa_type=EnumText(Category, 40), primary_key=True)
    created_at: datetime = SQLField(sa_type=UTCDateTime)


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_notes"
    __table_args__ = (sa.Index("ix_case_notes_case_created_at", "case_id", "created_at", "id"),)

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    case_id: uuid.UUID = SQLField(foreign_key="cases.id")
    author_id: uuid.UUID = SQLField(foreign_key="users.id")
    body: str = SQLField(sa_type=sa.Text)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class DuplicateLink(SQLModel, table=True):
    """A possible duplicate found at intake: `case_id` (newer) may be `candidate_id`."""

    __tablename__ = "case_duplicates"
    __table_args__ = (sa.UniqueConstraint("case_id", "candidate_id"),)

    id: uuid.UUID = SQLField(default_factory=new_id, primary_key=True)
    case_id: uuid.UUID = SQLField(foreign_key="cases.id", index=True)
    candidate_id: uuid.UUID = SQLField(foreign_key="cases.id", index=True)
    reasons: list[str] = SQLField(default_factory=list, sa_type=sa.JSON)
    status: DuplicateStatus = SQLField(
        default=DuplicateStatus.open, sa_type=EnumText(DuplicateStatus, 12)
    )
    decided_by_id: uuid.UUID | None = SQLField(default=None, foreign_key="users.id")
    decided_at: datetime | None = SQLField(default=None, sa_type=UTCDateTime)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class ReferenceCounter(SQLModel, table=True):
    """The last reference number handed out per Buddhist Era year."""

    __tablename__ = "reference_counters"

    year: int = SQLField(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a request with an `Idempotency-Key`, kept for replays."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.Index("ix_idempotency_keys_expires_at", "expires_at"),)

    owner_id: uuid.UUID = SQLField(primary_key=True)
    key: str = SQLField(primary_key=True, max_length=255)
    fingerprint: str = SQLField(max_length=64)
    status_code: int | None = None
    body: bytes | None = SQLField(default=None, sa_type=sa.LargeBinary)
    headers: dict[str, str] = SQLField(default_factory=dict, sa_type=sa.JSON)
    viewer_role: Role | None = SQLField(
        default=None,
        sa_type=EnumText(Role, 16),
        description="The role the answer was made for; a replay shows no more than the caller's "
        "role sees now.",
    )
    created_at: datetime = SQLField(sa_type=UTCDateTime)
    expires_at: datetime = SQLField(sa_type=UTCDateTime)


# --------------------------------------------------------------------------- intake schemas


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _no_nul = field_validator("*")(no_nul_characters)


# The rules of `models.field_rules` as validators, shared by the intake and update schemas: each
# checks a value sent (not a default), and a rule about two fields reads the one declared
# before it from `info.data` (where a field that failed its own checks is missing). Rules about
# time use the validation context's `now` when it gives one (tests pin it), else the clock.


def _now(info: ValidationInfo) -> datetime:
    pinned = info.context.get("now") if isinstance(info.context, dict) else None
    return pinned if isinstance(pinned, datetime) else utcnow()


def _phone_rule(value: str | None) -> str | None:
    if value:
        field_rules.phone(value)
    return value


def _birth_date_rule(value: str | None, info: ValidationInfo) -> str | None:
    if value:
        field_rules.birth_date(value, field_rules.bangkok_today(_now(info)))
    return value


def _birth_year_rule(value: int | None, info: ValidationInfo) -> int | None:
    if value is not None:
        field_rules.birth_year(value, field_rules.bangkok_today(_now(info)))
    return value


def _id_number_rule(value: str | None, info: ValidationInfo) -> str | None:
    """Checked against the `id_type` sent with it (a `PATCH` without one: by the service,
    against the stored type)."""
    id_type = info.data.get("id_type")
    if value and id_type is not None:
        field_rules.id_number(id_type, value)
    return value


def _pregnancy_rule(value: bool | None, info: ValidationInfo) -> bool | None:
    field_rules.pregnancy(info.data.get("gender"), value)
    return value


def _area_rule(value: str | None, info: ValidationInfo) -> str | None:
    """An official code, inside the codes above it that were sent and are valid."""
    if value is not None and info.field_name is not None:
        field_rules.area_code(info.field_name, {**info.data, info.field_name: value})
    return value


def _country_rule(value: str | None) -> str:
    if value is None:
        raise field_rules.broken("null")
    return field_rules.country(value)


def _home_province_rule(value: str | None) -> str | None:
    if value is not None:
        field_rules.area_code("province_code", {"province_code": value})
    return value


def _not_cleared(value: Any) -> Any:
    """A field a `PATCH` may leave out but not send as `null`."""
    if value is None:
        raise field_rules.broken("null")
    return value


# The declared client fields (`CLIENT_FIELDS`), as the API takes or shows them.
class ClientIn(_Strict):
    """The person the case is about. Everything is optional: often little is known."""

    title: str | None = Field(default=None, max_length=50)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    nickname: str | None = Field(default=None, max_length=100)
    id_type: IdType = IdType.unknown
    id_number: str | None = Field(
        default=None,
        max_length=32,
        description="Thai 13-digit id (spaces and hyphens allowed) or a passport number (5-20 "
        "letters or digits); needs an `id_type`. Checked beyond this schema, with every other "
        "problem of the request: error type `thai_id` (a Thai-format id that is not 13 "
        "digits), `thai_id_check_digit` (13 digits, wrong mod-11 check digit), `passport` (not "
        "5-20 letters or digits) or `id_type` (`none` or `unknown` has no number).",
    )
    birth_date: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="YYYY-MM-DD; years from 2400 are Buddhist Era and converted. Checked by the "
        "server beyond this schema: a date of the calendar, not in the future.",
    )
    birth_year: int | None = Field(
        default=None,
        ge=1880,
        le=2700,
        strict=True,
        description="Years from 2400 are Buddhist Era. Checked by the server beyond this schema: "
        "not in the future, nor more than 130 years ago.",
    )
    age_estimate: int | None = Field(default=None, ge=0, le=130, strict=True)
    gender: Gender | None = None
    phone: str | None = Field(
        default=None,
        max_length=32,
        description="Stored as E.164. Checked by the server beyond this schema: a valid number "
        "(read for region TH).",
    )
    nationality: str | None = Field(default=None, max_length=64)
    home_province_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{2}$",
        description="The official code of the province the client comes from, wherever they "
        "are now (a person found abroad, say). Checked beyond this schema: an official code "
        "(error type `area`).",
    )
    languages: list[Annotated[str, Field(min_length=1, max_length=32, pattern=HAS_TEXT)]] = Field(
        default_factory=list, max_length=MAX_LANGUAGES
    )
    disability: StrictBool = False
    pregnant: StrictBool = Field(
        default=False,
        description="Checked beyond this schema: not with `gender` male (error type "
        "`consistency`).",
    )

    _phone = field_validator("phone")(_phone_rule)
    _birth_date = field_validator("birth_date")(_birth_date_rule)
    _birth_year = field_validator("birth_year")(_birth_year_rule)
    _id_number = field_validator("id_number")(_id_number_rule)
    _pregnancy = field_validator("pregnant")(_pregnancy_rule)
    _home_province = field_validator("home_province_code")(_home_province_rule)

    @field_validator("languages")
    @classmethod
    def _short_languages(cls, value: list[str]) -> list[str]:
        if any(not item or len(item) > 32 for item in value):
            raise ValueError("each language is 1 to 32 characters")
        return value


class ReporterIn(_Strict):
    relationship: ReporterRelationship
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(
        default=None,
        max_length=32,
        description="Stored as E.164. Checked by the server beyond this schema: a valid number "
        "(read for region TH).",
    )
    anonymous: StrictBool = Field(
        default=False,
        description="Checked beyond this schema: an anonymous reporter gives no name or phone "
        "(error type `anonymous`).",
    )

    _phone = field_validator("phone")(_phone_rule)

    @field_validator("anonymous")
    @classmethod
    def _anonymous_rule(cls, value: bool, info: ValidationInfo) -> bool:
        # A name or phone that failed its own checks was given all the same.
        given = any(name not in info.data or info.data[name] for name in ("name", "phone"))
        field_rules.anonymous_reporter(value, gives_name_or_phone=given)
        return value


COUNTRY_CODE_PATTERN = r"^[A-Za-z]{2}$"
COUNTRY_CODE_TEXT = (
    "ISO 3166-1 alpha-2 code of the country the person is in (`GET /api/v1/meta/countries`), "
    "kept upper case; `TH` by default. Outside Thailand the city and address say where, the "
    "Thai area codes are left out and the province is optional. Checked beyond this schema: an "
    "assigned code (error type `country`)."
)
CITY_TEXT = "City or town, above all abroad (in Thailand the area codes say where)."


class LocationIn(_Strict):
    """Where the person is: in Thailand by official area codes, abroad by country and city."""

    country_code: str = Field(
        default=HOME_COUNTRY, pattern=COUNTRY_CODE_PATTERN, description=COUNTRY_CODE_TEXT
    )
    city: str | None = Field(default=None, max_length=100, description=CITY_TEXT)
    province_code: str | None = Field(
        default=None,
        validate_default=True,
        pattern=r"^[0-9]{2}$",
        description="2-digit province code, required in Thailand. Checked beyond this schema: "
        "an official code (error type `area`), left out abroad (error type `abroad_area`).",
    )
    district_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}$",
        description="4-digit district code. Checked beyond this schema: an official code, "
        "inside the province (error type `area`), left out abroad (`abroad_area`).",
    )
    subdistrict_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{6}$",
        description="6-digit subdistrict code. Checked by the server beyond this schema: an "
        "official code, inside the district.",
    )
    postal_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{5}$",
        description="5-digit postal code. Checked by the server beyond this schema: one that "
        "serves the subdistrict (or district, or province).",
    )
    address: str | None = Field(default=None, max_length=500)
    lat: float | None = Field(default=None, ge=-90, le=90, strict=True)
    lon: float | None = Field(default=None, ge=-180, le=180, strict=True)

    _country = field_validator("country_code")(_country_rule)
    _areas = field_validator(*field_rules.AREA_FIELDS)(_area_rule)

    @field_validator("province_code")
    @classmethod
    def _province_in_thailand(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("country_code") == HOME_COUNTRY:
            raise field_rules.broken("missing")
        return value


class ConsentIn(_Strict):
    data_collection: ConsentStatus
    share_with_agencies: StrictBool = False
    basis: LegalBasis | None = Field(
        default=None,
        description="Legal basis for processing; may be set later at screening. Checked by the "
        "server beyond this schema: `consent` needs consent given.",
    )
    recorded_by: str | None = Field(
        default=None, max_length=200, description="Who took the consent, if not the submitter."
    )
    guardian_name: str | None = Field(default=None, max_length=200)

    @field_validator("basis")
    @classmethod
    def _basis_rule(cls, value: LegalBasis | None, info: ValidationInfo) -> LegalBasis | None:
        if "data_collection" in info.data:
            field_rules.consent_basis(info.data["data_collection"], value)
        return value


class CaseCreate(_Strict):
    """A new case, as a volunteer, caseworker or supervisor reports it."""

    summary: str = Field(min_length=1, max_length=4000, pattern=HAS_TEXT)
    categories: list[Category] = Field(min_length=1, max_length=MAX_CATEGORIES)
    immediate_danger: StrictBool = Field(
        default=False, description="Immediate danger to life or body: urgency becomes critical."
    )
    urgency: Urgency | None = Field(
        default=None, description="The reporter's suggestion; screening decides."
    )
    channel: Channel = Channel.mobile
    recorded_at: IsoDateTime | None = Field(
        default=None,
        description="When it was captured (may be hours before upload); an ISO 8601 date and "
        "time with its offset, years from 2400 being Buddhist Era. Checked by the server beyond "
        "this schema: not in the future.",
    )
    client_reference: uuid.UUID | None = Field(
        default=None, description="UUID made on the phone; a repeat never creates a second case."
    )
    client: ClientIn = Field(default_factory=ClientIn)
    reporter: ReporterIn
    location: LocationIn
    consent: ConsentIn

    @field_validator("recorded_at")
    @classmethod
    def _recorded_at_rule(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        if value is not None:
            field_rules.recorded_at(value, _now(info))
        return value


# --------------------------------------------------------------------------- update schemas


# The declared client fields (`CLIENT_FIELDS`), as the API takes or shows them.
class ClientPatch(_Strict):
    title: str | None = Field(default=None, max_length=50)
    first_name: str | None = Field(default=None, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    nickname: str | None = Field(default=None, max_length=100)
    id_type: IdType | None = None
    id_number: str | None = Field(
        default=None,
        max_length=32,
        description="Checked beyond this schema against the `id_type` sent or kept: error "
        "type `thai_id` (not 13 digits), `thai_id_check_digit` (wrong mod-11 check digit), "
        "`passport` (not 5-20 letters or digits), `id_type` (a type without numbers).",
    )
    birth_date: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="Checked by the server beyond this schema: a date of the calendar, not in "
        "the future.",
    )
    birth_year: int | None = Field(
        default=None,
        ge=1880,
        le=2700,
        strict=True,
        description="Checked by the server beyond this schema: not in the future, nor more than "
        "130 years ago.",
    )
    age_estimate: int | None = Field(default=None, ge=0, le=130, strict=True)
    gender: Gender | None = None
    phone: str | None = Field(
        default=None,
        max_length=32,
        description="Checked by the server beyond this schema: a valid number (read for region "
        "TH).",
    )
    nationality: str | None = Field(default=None, max_length=64)
    home_province_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{2}$",
        description="The official code of the province the client comes from, wherever they "
        "are now (a person found abroad, say). Checked beyond this schema: an official code "
        "(error type `area`).",
    )
    languages: list[Annotated[str, Field(min_length=1, max_length=32, pattern=HAS_TEXT)]] | None = (
        Field(default=None, max_length=MAX_LANGUAGES)
    )
    disability: StrictBool | None = None
    pregnant: StrictBool | None = None

    _phone = field_validator("phone")(_phone_rule)
    _birth_date = field_validator("birth_date")(_birth_date_rule)
    _birth_year = field_validator("birth_year")(_birth_year_rule)
    _id_number = field_validator("id_number")(_id_number_rule)
    _pregnancy = field_validator("pregnant")(_pregnancy_rule)
    _home_province = field_validator("home_province_code")(_home_province_rule)


class LocationPatch(_Strict):
    """A move of the location. A location moved abroad drops the Thai area codes it kept; one
    moved to Thailand needs its province."""

    country_code: NotNull[str] = Field(
        default=None, pattern=COUNTRY_CODE_PATTERN, description=COUNTRY_CODE_TEXT
    )
    city: str | None = Field(default=None, max_length=100, description=CITY_TEXT)
    province_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{2}$",
        description="Cleared only abroad. Checked beyond this schema: an official code, with "
        "the district, subdistrict and postal code (sent or kept) inside it (error type "
        "`area`); none abroad (`abroad_area`).",
    )
    district_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}$",
        description="Checked by the server beyond this schema: an official code, inside the "
        "province.",
    )
    subdistrict_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{6}$",
        description="Checked by the server beyond this schema: an official code, inside the "
        "district.",
    )
    postal_code: str | None = Field(
        default=None,
        pattern=r"^[0-9]{5}$",
        description="Checked by the server beyond this schema: one that serves the subdistrict.",
    )
    address: str | None = Field(default=None, max_length=500)
    lat: float | None = Field(default=None, ge=-90, le=90, strict=True)
    lon: float | None = Field(default=None, ge=-180, le=180, strict=True)

    _country = field_validator("country_code")(_country_rule)
    _areas = field_validator(*field_rules.AREA_FIELDS)(_area_rule)

    @field_validator("province_code")
    @classmethod
    def _province_kept_in_thailand(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None and info.data.get("country_code") == HOME_COUNTRY:
            raise field_rules.broken("null")
        return value


class ConsentPatch(_Strict):
    data_collection: NotNull[ConsentStatus] = Field(
        default=None, description="May be changed, not cleared."
    )
    share_with_agencies: StrictBool | None = None
    recorded_by: str | None = Field(default=None, max_length=200)
    guardian_name: str | None = Field(default=None, max_length=200)

    _data_collection = field_validator("data_collection")(_not_cleared)


class CasePatch(_Strict):
    """Changes to a case's content (status moves through `/transitions`). Fields set to
    `null` inside `client` and `location` are cleared."""

    summary: NotNull[str] = Field(
        default=None,
        min_length=1,
        max_length=4000,
        pattern=HAS_TEXT,
        description="May be changed, not cleared.",
    )
    client: ClientPatch | None = None
    location: LocationPatch | None = None
    consent: ConsentPatch | None = None

    _summary = field_validator("summary")(_not_cleared)


class TransitionIn(_Strict):
    """A move to another status; screening and closing carry their own fields. Checked by the
    server beyond this schema: which fields a move takes depends on `to` (screening fields only
    with `screened`, closure fields only with `closed`), on the case's status and consent."""

    to: CaseStatus
    reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        pattern=HAS_TEXT,
        description="Required to reopen.",
    )
    closure_reason: ClosureReason | None = Field(default=None, description="Required to close.")
    duplicate_of: uuid.UUID | None = Field(
        default=None, description="Required when closing as `duplicate`."
    )
    urgency: Urgency | None = Field(default=None, description="Screening: the decided urgency.")
    categories: list[Category] | None = Field(
        default=None, min_length=1, max_length=MAX_CATEGORIES, description="Screening."
    )
    basis: LegalBasis | None = Field(default=None, description="Screening: the legal basis.")


class NoteIn(_Strict):
    body: str = Field(min_length=1, max_length=4000, pattern=HAS_TEXT)


# --------------------------------------------------------------------------- read schemas


# The declared client fields (`CLIENT_FIELDS`), as the API takes or shows them.
class ClientOut(BaseModel):
    title: str | None
    first_name: str | None
    last_name: str | None
    nickname: str | None
    id_type: IdType
    id_number: str | None = Field(description="Masked for volunteers and agencies.")
    id_number_masked: bool
    birth_date: date | None
    birth_year: int | None
    age_estimate: int | None
    age: int | None = Field(description="Age today, from the birth date, year or estimate.")
    gender: Gender | None
    phone: str | None
    nationality: str | None
    home_province_code: str | None
    languages: list[str]
    disability: bool
    pregnant: bool


class ReporterOut(BaseModel):
    relationship: ReporterRelationship
    name: str | None
    phone: str | None
    anonymous: bool


class LocationOut(BaseModel):
    country_code: str
    city: str | None
    province_code: str | None
    district_code: str | None
    subdistrict_code: str | None
    postal_code: str | None
    address: str | None
    lat: float | None
    lon: float | None


class ConsentOut(BaseModel):
    data_collection: ConsentStatus
    share_with_agencies: bool
    basis: LegalBasis | None
    recorded_by: str | None
    recorded_by_id: uuid.UUID | None
    guardian_name: str | None


class DuplicateOut(BaseModel):
    """A possible duplicate: `case_id` (the newer case) may be about the same person as
    `candidate_id` (an older open case)."""

    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    candidate_id: uuid.UUID
    candidate_reference: str
    reasons: list[DuplicateReason]
    status: DuplicateStatus
    created_at: datetime
    decided_at: datetime | None


class DuplicateList(BaseModel):
    """A page of the possible duplicates touching a case, newest first."""

    items: list[DuplicateOut]
    next_cursor: str | None = None


class RestrictionOut(BaseModel):
    """Why a case is restricted, and since when (shown to supervisors)."""

    basis: str = Field(description="`restriction` (s.34) or `objection` (s.32).")
    reason: str
    since: datetime
    by: uuid.UUID | None


class CaseOut(BaseModel):
    """A case as the caller may see it."""

    id: uuid.UUID
    reference: str
    status: CaseStatus
    urgency: Urgency
    suggested_urgency: Urgency | None
    immediate_danger: bool
    categories: list[Category]
    target_groups: list[TargetGroup]
    channel: Channel
    summary: str
    recorded_at: datetime
    client_reference: uuid.UUID | None
    client: ClientOut
    reporter: ReporterOut
    location: LocationOut
    consent: ConsentOut
    created_by: uuid.UUID
    created_by_name: str | None = Field(
        default=None, description="Display name of the reporter (the user who submitted it)."
    )
    lead: uuid.UUID | None
    lead_name: str | None = Field(default=None, description="Display name of the lead.")
    screened_at: datetime | None
    screened_by: uuid.UUID | None
    screened_by_name: str | None = Field(
        default=None, description="Display name of who screened it."
    )
    resolved_at: datetime | None
    closed_at: datetime | None
    closure_reason: ClosureReason | None
    duplicate_of: uuid.UUID | None = Field(
        description="The case this one duplicates; shown only to those who may read that case."
    )
    created_at: datetime
    updated_at: datetime
    version: int
    possible_duplicates: list[DuplicateOut] = Field(
        default_factory=list,
        description=(
            "The newest possible duplicates touching this case (at most 20), for staff; "
            "`GET /cases/{id}/duplicates` pages through all of them."
        ),
    )
    possible_duplicates_total: int = Field(
        default=0, description="How many possible duplicates touch this case in all."
    )
    deadlines: CaseDeadlinesOut | None = Field(
        default=None,
        description="Its two deadlines and where each stands now; null until first computed.",
    )
    restriction: RestrictionOut | None = Field(
        default=None,
        description="Supervisors only: why the case is restricted and since when; null when "
        "it is not.",
    )


class CaseSummary(BaseModel):
    """A row of the case list."""

    id: uuid.UUID
    reference: str
    status: CaseStatus
    urgency: Urgency
    categories: list[Category]
    channel: Channel
    client_name: str | None
    country_code: str
    city: str | None
    province_code: str | None
    district_code: str | None
    lead: uuid.UUID | None
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    version: int


class CaseList(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None = None


class NoteOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    author: uuid.UUID
    author_name: str | None = Field(default=None, description="Display name of the author.")
    body: str
    created_at: datetime


class NoteList(BaseModel):
    items: list[NoteOut]
    next_cursor: str | None = None


class CaseEventOut(BaseModel):
    """One event of a case's history as the caller may see it.

    Viewers who may not see possible duplicates are not shown the events about them; for them
    `seq` counts only the events they are shown, so the numbering reveals no gap."""

    seq: int
    type: str
    actor: uuid.UUID | None
    actor_name: str | None = Field(default=None, description="Display name of the actor.")
    occurred_at: datetime
    changes: dict[str, Any]
    data: dict[str, Any]
    hash: str


class Timeline(BaseModel):
    items: list[CaseEventOut]
    next_cursor: str | None = None
