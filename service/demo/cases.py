"""The demo cases: read from `cases.json` beside this module, checked entry by entry.

Each entry says what was reported (summary, categories, client, reporter, consent, an area
code, or for a person abroad a country and city) and how far its handling went (`ends`, with
the screening, notes, closure or reopening on the way). The file is data, not code: a malformed
entry stops loading with a `DemoDataError` that names the entry and the field, before anything
is written.

Defaults for fields an entry leaves out: consent given and shared with agencies, no immediate
danger, the reporter's urgency kept at screening, the lead a caseworker, no notes, no detour.

Who leads: only a caseworker or a supervisor. The one service path that makes anyone a lead is
a caseworker or supervisor moving a screened case to `in_progress`; a volunteer will come to
lead a case by accepting an offer once routing exists, and until then no demo case claims it.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import geothai
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from models.base import utcnow
from models.case import CaseCreate
from models.enums import CaseStatus, Category, Channel, ClosureReason, LegalBasis, Role, Urgency
from service.cases.intake import check_intake
from service.platform.errors import Unprocessable, json_pointer
from service.reference_data.countries import HOME_COUNTRY

DATA_FILE = Path(__file__).with_name("cases.json")

# Demo client references are uuid5 names in this namespace: stable across machines and runs.
DEMO_NAMESPACE = uuid.UUID("6f1d7c1e-3b0a-4c59-9a43-0f5e2d8b7a10")

REPORTING_ROLES = frozenset({Role.volunteer, Role.caseworker, Role.supervisor})
LEADING_ROLES = frozenset({Role.caseworker, Role.supervisor})


class DemoDataError(ValueError):
    """The demo data file is malformed; the message names the entry and the field."""


class Reopening(BaseModel):
    """A supervisor reopened the closed case; the lead then noted what followed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(min_length=1)
    note: str = Field(min_length=1)


class DemoCase(BaseModel):
    """One demo case: what was reported, and how far its handling has gone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    days_ago: float = Field(gt=0)
    reported_by: Role
    channel: Channel
    summary: str = Field(min_length=1)
    categories: tuple[Category, ...] = Field(min_length=1)
    urgency: Urgency
    immediate_danger: bool = False
    # A subdistrict (6 digits), district (4) or province (2) code; geothai completes the rest.
    # A person abroad has a country and a city instead.
    area: str | None = Field(default=None, pattern=r"^\d{2}(\d{2}){0,2}$")
    country: str = Field(default=HOME_COUNTRY, pattern=r"^[A-Z]{2}$")
    city: str | None = None
    address: str | None = None
    client: dict[str, Any]
    reporter: dict[str, Any]
    consent: dict[str, Any] = Field(
        default_factory=lambda: {"data_collection": "given", "share_with_agencies": True}
    )
    screened_as: Urgency | None = None
    basis: LegalBasis | None = None
    lead: Role = Role.caseworker
    notes: tuple[str, ...] = ()
    detour: bool = False  # waited for the client once before going on
    ends: CaseStatus
    closure: ClosureReason | None = None
    duplicate_of: str | None = None
    reopen: Reopening | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DemoCase:
        if (self.area is None) != (self.country != HOME_COUNTRY):
            raise ValueError("area: a case in Thailand has an area code, one abroad has none")
        if self.reported_by not in REPORTING_ROLES:
            raise ValueError("reported_by: only volunteers, caseworkers and supervisors report")
        if self.lead not in LEADING_ROLES:
            raise ValueError("lead: until offers exist only a caseworker or supervisor leads")
        if (self.closure is not None) != (self.ends is CaseStatus.closed):
            raise ValueError("closure: a closed case has a closure reason, no other case does")
        if (self.duplicate_of is not None) != (self.closure is ClosureReason.duplicate):
            raise ValueError("duplicate_of: goes with a duplicate closure, and only with it")
        if self.reopen is not None and self.ends is not CaseStatus.in_progress:
            raise ValueError("reopen: a reopened case ends in_progress")
        return self

    @property
    def client_reference(self) -> uuid.UUID:
        """The UUID the reporter's phone would have made: the same on every run."""
        return uuid.uuid5(DEMO_NAMESPACE, self.key)

    @property
    def decided_urgency(self) -> Urgency:
        """The urgency screening settles on."""
        if self.immediate_danger:
            return Urgency.critical
        return self.screened_as or self.urgency


def demo_location(area: str, address: str | None = None) -> dict[str, Any]:
    """The `location` of an intake from the most precise code known, completed from geothai."""
    location: dict[str, Any]
    if len(area) == 6:
        found = geothai.address(area)
        if found is None:
            raise ValueError(f"unknown subdistrict {area}")
        location = {
            "province_code": found.province.code,
            "district_code": found.district.code,
            "subdistrict_code": found.subdistrict.code,
            "postal_code": found.subdistrict.postal_codes[0],
        }
    elif len(area) == 4:
        district = geothai.district(area)
        if district is None:
            raise ValueError(f"unknown district {area}")
        location = {"province_code": district.province_code, "district_code": district.code}
    else:
        location = {"province_code": area}
    if address:
        location["address"] = address
    return location


def demo_intake(spec: DemoCase, *, recorded_at: datetime) -> CaseCreate:
    """The intake a reporter would have sent for a demo case."""
    return CaseCreate.model_validate(
        {
            "summary": spec.summary,
            "categories": [c.value for c in spec.categories],
            "immediate_danger": spec.immediate_danger,
            "urgency": spec.urgency.value,
            "channel": spec.channel.value,
            "recorded_at": recorded_at,
            "client_reference": spec.client_reference,
            "client": spec.client,
            "reporter": spec.reporter,
            "location": demo_location(spec.area, spec.address)
            if spec.area is not None
            else {"country_code": spec.country, "city": spec.city, "address": spec.address},
            "consent": spec.consent,
        }
    )


def _check_entry(entry: Any) -> DemoCase:
    """One entry as a demo case whose intake passes the real intake checks; else why not."""
    try:
        spec = DemoCase.model_validate(entry)
        now = utcnow()
        check_intake(demo_intake(spec, recorded_at=now), now=now)
    except ValidationError as invalid:
        first = invalid.errors()[0]
        where = json_pointer(first["loc"]) if first["loc"] else ""
        message = first["msg"].removeprefix("Value error, ")
        raise DemoDataError(f"{where}: {message}" if where else message) from None
    except Unprocessable as refused:
        problems = "; ".join(f"{e['pointer']}: {e['detail']}" for e in refused.errors)
        raise DemoDataError(problems or refused.detail) from None
    except ValueError as unknown_area:  # from demo_location
        raise DemoDataError(f"/area: {unknown_area}") from None
    return spec


def _name(number: int, entry: Any) -> str:
    key = entry.get("key") if isinstance(entry, dict) else None
    return f"entry {number}" + (f" ({key!r})" if isinstance(key, str) else "")


def parse_demo_cases(text: str, *, source: str = DATA_FILE.name) -> tuple[DemoCase, ...]:
    """The demo cases in `text` (a JSON list), each checked; `DemoDataError` names a bad one."""
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as error:
        raise DemoDataError(f"{source}: not JSON ({error.msg}, line {error.lineno})") from None
    if not isinstance(entries, list) or not entries:
        raise DemoDataError(f"{source}: expected a non-empty list of demo cases")
    specs: list[DemoCase] = []
    days_ago: dict[str, float] = {}
    for number, entry in enumerate(entries, start=1):
        try:
            spec = _check_entry(entry)
        except DemoDataError as error:
            raise DemoDataError(f"{source}, {_name(number, entry)}: {error}") from None
        if spec.key in days_ago:
            raise DemoDataError(f"{source}, {_name(number, entry)}: the key is used twice")
        specs.append(spec)
        days_ago[spec.key] = spec.days_ago
    for number, spec in enumerate(specs, start=1):
        # Cases are seeded oldest first: the original must exist when its duplicate closes.
        original = spec.duplicate_of
        if original is not None and days_ago.get(original, 0.0) <= spec.days_ago:
            raise DemoDataError(
                f"{source}, entry {number} ({spec.key!r}): /duplicate_of: "
                f"{original!r} is not an older demo case"
            )
    return tuple(specs)


@cache
def demo_cases() -> tuple[DemoCase, ...]:
    """The shipped demo cases, read and checked once per process."""
    return parse_demo_cases(DATA_FILE.read_text(encoding="utf-8"))
