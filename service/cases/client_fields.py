"""Reading the client fields that intake and later changes both accept: id numbers, phones,
Buddhist Era birth dates and years, name keys, age and target groups.

The normalising rules themselves live in `service.thai`; each reader here applies one to a
field and appends a problem with its JSON pointer to `errors` instead of raising, so a
request's every mistake is reported at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from models.case import Case
from models.enums import IdType, TargetGroup
from service.platform.errors import field_error
from service.thai.dates import age_on, gregorian_date, not_in_future, to_gregorian_year
from service.thai.ids import normalise_thai_id
from service.thai.names import normalise_name
from service.thai.phones import normalise_phone

_PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
THAI_FORMAT_IDS = frozenset({IdType.thai_id, IdType.non_thai_id})
NAME_KEY_LENGTH: int = Case.__table__.c.client_name_key.type.length  # type: ignore[attr-defined]
LAST_NAME_KEY_LENGTH: int = Case.__table__.c.client_last_name_key.type.length  # type: ignore[attr-defined]


@dataclass
class IdentityValues:
    """A normalised identity number, ready to seal and hash."""

    number: str
    last4: str


def read_id_number(
    id_type: IdType, raw: str | None, pointer: str, errors: list[dict[str, str]]
) -> IdentityValues | None:
    """The id number in its canonical form for its type, or an error entry."""
    if raw is None or raw == "":
        return None
    if id_type in THAI_FORMAT_IDS:
        try:
            number = normalise_thai_id(raw)
        except ValueError as error:
            errors.append(field_error(pointer, str(error), "thai_id"))
            return None
        return IdentityValues(number, number[-4:])
    if id_type is IdType.passport:
        number = re.sub(r"[\s-]", "", raw).upper()
        if not _PASSPORT.match(number):
            errors.append(
                field_error(pointer, "a passport number is 5-20 letters or digits", "passport")
            )
            return None
        return IdentityValues(number, number[-4:])
    errors.append(
        field_error(
            pointer, "set id_type (thai_id, non_thai_id or passport) to give a number", "id_type"
        )
    )
    return None


def read_phone(raw: str | None, pointer: str, errors: list[dict[str, str]]) -> str | None:
    """The phone in E.164, or an error entry."""
    if not raw:
        return None
    try:
        return normalise_phone(raw)
    except ValueError as error:
        errors.append(field_error(pointer, str(error), "phone"))
        return None


def read_birth_date(
    raw: str | None, today: date, pointer: str, errors: list[dict[str, str]]
) -> date | None:
    """A `YYYY-MM-DD` birth date; Buddhist Era years are converted; never in the future."""
    if not raw:
        return None
    year, month, day = (int(part) for part in raw.split("-"))
    try:
        value = gregorian_date(year, month, day)
    except ValueError as error:
        errors.append(field_error(pointer, str(error), "date"))
        return None
    if not not_in_future(value, today):
        errors.append(field_error(pointer, "a birth date cannot be in the future", "future"))
        return None
    return value


def read_birth_year(
    raw: int | None, today: date, pointer: str, errors: list[dict[str, str]]
) -> int | None:
    """A birth year; Buddhist Era years are converted; not in the future nor 130 years ago."""
    if raw is None:
        return None
    year = to_gregorian_year(raw)
    if year > today.year:
        errors.append(field_error(pointer, "a birth year cannot be in the future", "future"))
        return None
    if year < today.year - 130:
        errors.append(field_error(pointer, "a birth year more than 130 years ago", "range"))
        return None
    return year


def client_age(
    birth_date: date | None, birth_year: int | None, age_estimate: int | None, today: date
) -> int | None:
    """The best age we know: from the birth date, else the year, else the estimate."""
    if birth_date is not None:
        return age_on(birth_date, today)
    if birth_year is not None:
        return today.year - birth_year
    return age_estimate


def name_keys(first: str | None, last: str | None) -> tuple[str | None, str | None]:
    """Normalised keys for name search and duplicate matching.

    Case folding can lengthen a name ("ß" becomes "ss", "ﬃ" "ffi"), so each key is cut to its
    column's length: a prefix that long still finds and matches the name."""
    full = normalise_name(f"{first or ''} {last or ''}")[:NAME_KEY_LENGTH] or None
    last_key = normalise_name(last)[:LAST_NAME_KEY_LENGTH] if last else None
    return full, (last_key or None)


def target_groups(
    *,
    birth_date: date | None,
    birth_year: int | None,
    age_estimate: int | None,
    disability: bool,
    pregnant: bool,
    today: date,
) -> list[str]:
    """The client's target groups: child < 18, youth 18-25, older person >= 60, disability,
    pregnancy."""
    age = client_age(birth_date, birth_year, age_estimate, today)
    groups: set[TargetGroup] = set()
    if age is not None:
        if age < 0:
            raise ValueError(f"age must not be negative, got {age}")
        if age < 18:
            groups.add(TargetGroup.child)
        elif age <= 25:
            groups.add(TargetGroup.youth)
        if age >= 60:
            groups.add(TargetGroup.older_person)
    if disability:
        groups.add(TargetGroup.disability)
    if pregnant:
        groups.add(TargetGroup.pregnancy)
    return [group.value for group in TargetGroup if group in groups]
