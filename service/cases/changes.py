"""Changing a case's content (`PATCH`), and recording what changed in its history.

A change reads like an intake: the schema (`CasePatch`) applies the rules of
`models.field_rules` to what was sent, so its problems come with the schema's own; the rules
that need the stored values (an id number against the kept id type, area codes inside the kept
ones, the client as it would be) are applied here, every problem collected with its JSON
pointer and answered at once (422). Client fields are read as `CLIENT_FIELDS` declares them;
the id type and number are read together, because a number is only ever stored with the type it
was checked against. The rules tying client fields together are intake's
(`service.cases.client_rules`), applied to the client as it would be after the change. Name
keys and target groups follow from what changed. One `updated` event names the changed columns:
values of personal columns are withheld, and derived columns are not mentioned at all, since a
derived value (the target groups, a name key) would give away the personal values it follows
from. Times are recorded in ISO 8601 with their offset, dates as ISO dates.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models import field_rules
from models.case import Case, CaseOut, CasePatch
from models.enums import CaseEventType, CaseStatus, ConsentStatus, IdType, LegalBasis
from models.user import User
from service.cases.client_fields import (
    CLIENT_FIELDS,
    name_keys,
    read_client_fields,
    read_id_number,
    target_groups,
)
from service.cases.client_rules import client_rule_errors
from service.cases.events import append_event
from service.cases.loading import load_case_to_change
from service.cases.rendering import case_for_viewer
from service.platform.crypto import id_number_hash, seal_id_number
from service.platform.errors import Conflict, Unprocessable, coded_field_error
from service.platform.settings import Settings
from service.thai.areas import check_location
from service.thai.dates import BANGKOK

# Columns whose values are personal data: their changes are recorded by name only.
PERSONAL_COLUMNS = frozenset(
    {
        "summary",
        "reporter_name",
        "reporter_phone",
        "city",
        "address_text",
        "lat",
        "lon",
        "consent_recorded_by",
        "guardian_name",
        # Below the province (which statistics keep), an area code locates a person.
        "district_code",
        "subdistrict_code",
        "postal_code",
    }
    | {client_field.column for client_field in CLIENT_FIELDS if client_field.personal}
)
# Columns computed from others: a change of theirs is implied by the one it follows from, and
# their values would give away personal values (the target groups follow from the client's
# age, disability and pregnancy), so they are never recorded.
DERIVED_COLUMNS = frozenset(column for f in CLIENT_FIELDS for column in f.derives) | {
    "target_groups"
}
_NO_ID_NUMBER = {"client_id_number_enc": None, "client_id_hash": None, "client_id_last4": None}
_PLACE_FIELDS = {"city": "city", "address": "address_text", "lat": "lat", "lon": "lon"}


def _record(value: Any) -> Any:
    """A value as the history keeps it: times in ISO 8601 with offset, dates as ISO dates."""
    if isinstance(value, date):  # datetimes included
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "value"):
        return value.value
    return value


def apply_changes(case: Case, changes: dict[str, Any]) -> dict[str, Any]:
    """Set columns; return the event's record of what changed (personal values withheld)."""
    recorded: dict[str, Any] = {}
    for name, value in changes.items():
        before = getattr(case, name)
        if before == value:
            continue
        setattr(case, name, value)
        if name in DERIVED_COLUMNS:
            continue
        if name in PERSONAL_COLUMNS:
            recorded[name] = {"changed": True}
        else:
            recorded[name] = [_record(before), _record(value)]
    return recorded


def bump_version(case: Case, now: datetime) -> None:
    """A new version of the case: its ETag changes."""
    case.version += 1
    case.updated_at = now


async def update_case(
    session: AsyncSession,
    *,
    settings: Settings,
    user: User,
    case_id: uuid.UUID,
    patch: CasePatch,
    if_match: str | None,
    now: datetime,
) -> tuple[CaseOut, str]:
    """Change a case's content; one `updated` event names what changed."""
    case = await load_case_to_change(session, user=user, case_id=case_id, if_match=if_match)
    if case.status is CaseStatus.closed:
        raise Conflict(code="case.closed")
    today = now.astimezone(BANGKOK).date()
    changes = _read_patch(case, patch, settings=settings, today=today)
    recorded = apply_changes(case, changes)
    if recorded:
        apply_changes(case, {"target_groups": _target_groups(case, today)})
        bump_version(case, now)
        await append_event(
            session,
            secret=settings.data_key,
            case=case,
            type_=CaseEventType.updated,
            actor_id=user.id,
            now=now,
            changes=recorded,
        )
    await session.flush()
    return await case_for_viewer(session, case=case, viewer=user, settings=settings, now=now)


def _read_patch(case: Case, patch: CasePatch, *, settings: Settings, today: date) -> dict[str, Any]:
    """The columns a patch sets, with their derived columns; 422 with every problem."""
    errors: list[dict[str, str]] = []
    sent = patch.model_dump(exclude_unset=True)
    changes = _summary_change(sent)
    client = sent.get("client") or {}
    changes.update(read_client_fields(client, today=today, errors=errors))
    changes.update(_identity_changes(case, client, settings=settings, errors=errors))
    changes.update(_location_changes(case, sent.get("location") or {}, errors))
    changes.update(_consent_changes(case, sent.get("consent") or {}))
    errors += client_rule_errors(
        gender=changes.get("client_gender", case.client_gender),
        pregnant=changes.get("client_pregnant", case.client_pregnant),
    )
    if errors:
        raise Unprocessable(errors=errors)
    if any(k in changes for k in ("client_first_name", "client_last_name")):
        first = changes.get("client_first_name", case.client_first_name)
        last = changes.get("client_last_name", case.client_last_name)
        changes.update(name_keys(first, last))
    return changes


def _summary_change(sent: dict[str, Any]) -> dict[str, Any]:
    # The schema refuses a null summary.
    return {"summary": sent["summary"]} if "summary" in sent else {}


def _identity_changes(
    case: Case, client: dict[str, Any], *, settings: Settings, errors: list[dict[str, str]]
) -> dict[str, Any]:
    """The id type and number: a number is only ever stored with the type it was checked
    against, so a new type needs the number again (or clears it, for `none` and `unknown`)."""
    if "id_type" not in client and "id_number" not in client:
        return {}
    id_type = client.get("id_type") or case.client_id_type
    changes: dict[str, Any] = {"client_id_type": id_type}
    if "id_number" not in client:
        if id_type is not case.client_id_type and case.client_id_number_enc is not None:
            if id_type in (IdType.none, IdType.unknown):
                changes.update(_NO_ID_NUMBER)
            else:
                errors.append(coded_field_error("/client/id_number", "id_number_again"))
        return changes
    identity = read_id_number(id_type, client["id_number"], "/client/id_number", errors)
    if identity is None:
        changes.update(_NO_ID_NUMBER)
    else:
        changes.update(
            client_id_number_enc=seal_id_number(settings.data_key, identity.number, case.id),
            client_id_hash=id_number_hash(settings.data_key, identity.number),
            client_id_last4=identity.last4,
        )
    return changes


def _location_changes(
    case: Case, location: dict[str, Any], errors: list[dict[str, str]]
) -> dict[str, Any]:
    """The location as it would be, checked as a whole (`models.field_rules`): in Thailand a
    province with the area codes (sent or kept) inside it; abroad no Thai area code. A
    location moved abroad drops the Thai area codes it kept and that were not sent."""
    if not location:
        return {}
    country = location.get("country_code") or case.country_code
    moved_abroad = field_rules.is_abroad(country) and not field_rules.is_abroad(case.country_code)
    merged: dict[str, Any] = {
        name: location[name]
        if name in location
        else (None if moved_abroad else getattr(case, name))
        for name in field_rules.AREA_FIELDS
    }
    if field_rules.is_abroad(country):
        for name, value in merged.items():
            if value is not None:
                errors.append(coded_field_error(f"/location/{name}", "abroad_area"))
    elif merged["province_code"] is None:
        code = "null" if "province_code" in location else "missing"
        errors.append(coded_field_error("/location/province_code", code))
    else:
        for name, _message in check_location(*merged.values()):
            errors.append(coded_field_error(f"/location/{name}", "area"))
    changes: dict[str, Any] = {"country_code": country, **merged}
    for key, column in _PLACE_FIELDS.items():
        if key in location:
            changes[column] = location[key]
    return changes


def _consent_changes(case: Case, consent: dict[str, Any]) -> dict[str, Any]:
    """Consent withdrawn takes consent away as the legal basis; screening sets another (the
    schema refuses a null `data_collection`)."""
    changes: dict[str, Any] = {}
    if "data_collection" in consent:
        changes["consent_data_collection"] = consent["data_collection"]
        if (
            case.legal_basis is LegalBasis.consent
            and consent["data_collection"] is not ConsentStatus.given
        ):
            changes["legal_basis"] = None
    if "share_with_agencies" in consent:
        changes["consent_share_with_agencies"] = bool(consent["share_with_agencies"])
    for key, column in (("recorded_by", "consent_recorded_by"), ("guardian_name", "guardian_name")):
        if key in consent:
            changes[column] = consent[key]
    return changes


def _target_groups(case: Case, today: date) -> list[str]:
    return target_groups(
        birth_date=case.client_birth_date,
        birth_year=case.client_birth_year,
        age_estimate=case.client_age_estimate,
        disability=case.client_disability,
        pregnant=case.client_pregnant,
        today=today,
    )
