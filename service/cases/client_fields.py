"""The client fields, declared once, and the readers that turn what was sent into columns.

`CLIENT_FIELDS` is the one description of the `client` object: each field's name in the API, its
column on `Case`, how a value sent for it is read, whether it is personal data (a change is then
recorded by name only) and who sees it masked. Intake, changes, rendering and the event record
follow from it; the Pydantic schemas `ClientIn`, `ClientPatch` and `ClientOut` stay explicit
classes (their OpenAPI is a contract) and a test keeps them and the table in step.

The rules themselves are defined once in `models.field_rules` (the API schemas apply them as
validators); each reader here applies one to a value and appends a problem with its JSON
pointer to `errors` instead of raising, for the rules that need a case's stored values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, TypeVar

from pydantic_core import PydanticCustomError

from auth.policy import sees_full_id_number
from models import field_rules
from models.case import DUPLICATE_NAME_KEYS, Case
from models.enums import IdType, Role, TargetGroup
from service.platform.errors import coded_field_error
from service.thai.dates import age_on
from service.thai.names import normalise_name, person_name

T = TypeVar("T")
# Each key derived from the name, cut to its column's length.
NAME_KEY_COLUMNS: dict[str, int] = {
    column: Case.__table__.c[column].type.length  # type: ignore[attr-defined]
    for column in (
        "client_name_key",
        "client_last_name_key",
        *(f"client_{key}" for key in DUPLICATE_NAME_KEYS),
    )
}


class Reading(Enum):
    """How a value sent for a client field becomes its column's value."""

    as_sent = "as_sent"  # the schema's checks are all there is
    flag = "flag"  # yes or no; a null in a change means no
    listed = "listed"  # a list; a null in a change means an empty list
    phone = "phone"  # normalised to E.164
    birth_date = "birth_date"  # Buddhist Era converted, never in the future
    birth_year = "birth_year"  # Buddhist Era converted, within a lifetime
    # The id type and number are read together (a number is only kept with the type it was
    # checked against), by intake and by changes themselves; the number is sealed with the
    # case id, hashed for duplicate matching, and its last four characters kept for masking.
    id_type = "id_type"
    id_number = "id_number"


IDENTITY_READINGS = frozenset({Reading.id_type, Reading.id_number})


@dataclass(frozen=True, slots=True)
class ClientField:
    """One field of the `client` object of a case."""

    name: str
    """Its name in `ClientIn`, `ClientPatch` and `ClientOut`, and in `/client/<name>` pointers."""
    column: str
    """Its column on `Case`."""
    reading: Reading = Reading.as_sent
    personal: bool = True
    """Personal data: a change is recorded in the case's history by name, its values withheld."""
    derives: tuple[str, ...] = ()
    """Columns computed from it (search keys, hashes), never recorded in the history."""
    shown_in_full: Callable[[Role], bool] | None = None
    """Who sees the value itself; anybody else sees it masked. None: everyone who sees the case."""


CLIENT_FIELDS: tuple[ClientField, ...] = (
    ClientField("title", "client_title"),
    ClientField(
        "first_name",
        "client_first_name",
        derives=("client_name_key", "client_first_sound", "client_first_skeleton"),
    ),
    ClientField(
        "last_name",
        "client_last_name",
        derives=(
            "client_name_key",
            "client_last_name_key",
            "client_last_sound",
            "client_last_skeleton",
        ),
    ),
    ClientField("nickname", "client_nickname"),
    # The kind of id says nothing about the person, and screening needs to see it change.
    ClientField("id_type", "client_id_type", Reading.id_type, personal=False),
    ClientField(
        "id_number",
        "client_id_number_enc",
        Reading.id_number,
        derives=("client_id_hash", "client_id_last4"),
        shown_in_full=sees_full_id_number,
    ),
    # Read before the birth fields, so a request's problems come in the order they always did.
    ClientField("phone", "client_phone", Reading.phone),
    ClientField("birth_date", "client_birth_date", Reading.birth_date),
    ClientField("birth_year", "client_birth_year", Reading.birth_year),
    ClientField("age_estimate", "client_age_estimate"),
    ClientField("gender", "client_gender"),
    ClientField("nationality", "client_nationality"),
    # The province a person comes from: where someone found abroad would return to.
    ClientField("home_province_code", "home_province_code"),
    ClientField("languages", "client_languages", Reading.listed),
    ClientField("disability", "client_disability", Reading.flag),
    ClientField("pregnant", "client_pregnant", Reading.flag),
)


def read_client_fields(
    sent: Mapping[str, Any], *, today: date, errors: list[dict[str, str]]
) -> dict[str, Any]:
    """The column values of the client fields in `sent` (the id type and number excepted: see
    `Reading`), in declaration order; each problem is appended to `errors`."""
    columns: dict[str, Any] = {}
    for client_field in CLIENT_FIELDS:
        if client_field.name in sent and client_field.reading not in IDENTITY_READINGS:
            columns[client_field.column] = _read(
                client_field, sent[client_field.name], today=today, errors=errors
            )
    return columns


def _read(
    client_field: ClientField, value: Any, *, today: date, errors: list[dict[str, str]]
) -> Any:
    pointer = f"/client/{client_field.name}"
    match client_field.reading:
        case Reading.flag:
            return bool(value)
        case Reading.listed:
            return list(value or [])
        case Reading.phone:
            return read_phone(value, pointer, errors)
        case Reading.birth_date:
            return read_birth_date(value, today, pointer, errors)
        case Reading.birth_year:
            return read_birth_year(value, today, pointer, errors)
        case _:
            return value


@dataclass
class IdentityValues:
    """A normalised identity number, ready to seal and hash."""

    number: str
    last4: str


def _reading(pointer: str, errors: list[dict[str, str]], read: Callable[[], T]) -> T | None:
    """`read()`, or None with the rule it broke appended to `errors` at `pointer`."""
    try:
        return read()
    except PydanticCustomError as broken:
        errors.append(coded_field_error(pointer, broken.type))
        return None


def read_id_number(
    id_type: IdType, raw: str | None, pointer: str, errors: list[dict[str, str]]
) -> IdentityValues | None:
    """The id number in its canonical form for its type (`field_rules.id_number`)."""
    if raw is None or raw == "":
        return None
    number = _reading(pointer, errors, lambda: field_rules.id_number(id_type, raw))
    return IdentityValues(number, number[-4:]) if number is not None else None


def read_phone(raw: str | None, pointer: str, errors: list[dict[str, str]]) -> str | None:
    """The phone in E.164 (`field_rules.phone`)."""
    if not raw:
        return None
    return _reading(pointer, errors, lambda: field_rules.phone(raw))


def read_birth_date(
    raw: str | None, today: date, pointer: str, errors: list[dict[str, str]]
) -> date | None:
    """A `YYYY-MM-DD` birth date, Buddhist Era converted (`field_rules.birth_date`)."""
    if not raw:
        return None
    return _reading(pointer, errors, lambda: field_rules.birth_date(raw, today))


def read_birth_year(
    raw: int | None, today: date, pointer: str, errors: list[dict[str, str]]
) -> int | None:
    """A birth year, Buddhist Era converted (`field_rules.birth_year`)."""
    if raw is None:
        return None
    return _reading(pointer, errors, lambda: field_rules.birth_year(raw, today))


def client_age(
    birth_date: date | None, birth_year: int | None, age_estimate: int | None, today: date
) -> int | None:
    """The best age we know: from the birth date, else the year, else the estimate."""
    if birth_date is not None:
        return age_on(birth_date, today)
    if birth_year is not None:
        return today.year - birth_year
    return age_estimate


def name_keys(first: str | None, last: str | None) -> dict[str, str | None]:
    """The columns derived from a name: the normalised keys of name search and the sound and
    skeleton keys of duplicate matching (`service.thai.names`).

    Case folding can lengthen a name ("ß" becomes "ss", "ﬃ" "ffi"), so each key is cut to its
    column's length: a prefix that long still finds and matches the name."""
    name = person_name(first, last)
    values = {
        "client_name_key": name.key,
        "client_last_name_key": normalise_name(last) if last else None,
        **{f"client_{key}": getattr(name, key) for key in DUPLICATE_NAME_KEYS},
    }
    return {
        column: (value[: NAME_KEY_COLUMNS[column]] or None) if value else None
        for column, value in values.items()
    }


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
