"""The rules the fields of a case follow, each defined once.

A rule is a pure function: it returns the field's value in its canonical form, or raises
`PydanticCustomError` whose type is a code of the catalogue (`FIELD_TEXT` in
`service.platform.messages`) and whose message is the catalogue's English sentence, never the
value. The API schemas (`models.case`) apply the rules as validators, so a request's every
problem, the schema's own and these alike, comes back in one 422, each at its JSON pointer and
in the caller's language; a rule about two fields reads the other one from the fields
validated before it (`ValidationInfo.data`). The services apply the same functions where a
rule needs what a case has stored (a `PATCH` over the values it keeps), through
`service.cases.client_fields` and `service.cases.client_rules`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from pydantic_core import PydanticCustomError

from models.enums import ConsentStatus, Gender, IdType, LegalBasis
from service.reference_data.countries import HOME_COUNTRY, is_country
from service.thai.areas import check_location
from service.thai.dates import BANGKOK, gregorian_date, not_in_future, to_gregorian_year
from service.thai.ids import CheckDigitError, normalise_thai_id
from service.thai.phones import normalise_phone

PASSPORT = re.compile(r"^[A-Z0-9]{5,20}$")
THAI_FORMAT_IDS = frozenset({IdType.thai_id, IdType.non_thai_id})
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)
OLDEST_AGE = 130
# The Thai area codes of a location, each inside the one before it.
AREA_FIELDS = ("province_code", "district_code", "subdistrict_code", "postal_code")


def broken(code: str) -> PydanticCustomError:
    """The error of a broken rule, worded by the catalogue's `code`."""
    # Imported here: the catalogue's module imports the models, whose schemas use these rules.
    from service.platform.messages import FIELD_TEXT

    return PydanticCustomError(code, FIELD_TEXT[code].en)


def bangkok_today(now: datetime) -> date:
    """The day it is in Bangkok at `now` (birth dates and years are the center's calendar)."""
    return now.astimezone(BANGKOK).date()


def id_number(id_type: IdType, raw: str) -> str:
    """An id number in its canonical form for its type: a Thai-format id's 13 digits
    (`thai_id` when it is not 13 digits, `thai_id_check_digit` when only the mod-11 check
    digit is wrong), a passport number upper case without spaces or hyphens (`passport`); a
    type that has no number is `id_type`."""
    if id_type in THAI_FORMAT_IDS:
        try:
            return normalise_thai_id(raw)
        except CheckDigitError:
            raise broken("thai_id_check_digit") from None
        except ValueError:
            raise broken("thai_id") from None
    if id_type is IdType.passport:
        number = re.sub(r"[\s-]", "", raw).upper()
        if not PASSPORT.match(number):
            raise broken("passport")
        return number
    raise broken("id_type")


def phone(raw: str) -> str:
    """A phone number in E.164, read for region TH (`phone`)."""
    try:
        return normalise_phone(raw)
    except ValueError:
        raise broken("phone") from None


def birth_date(raw: str, today: date) -> date:
    """A `YYYY-MM-DD` birth date, Buddhist Era years converted: a day of the calendar
    (`date`), not after `today` (`future`)."""
    year, month, day = (int(part) for part in raw.split("-"))
    try:
        value = gregorian_date(year, month, day)
    except ValueError:
        raise broken("date") from None
    if not not_in_future(value, today):
        raise broken("future")
    return value


def birth_year(raw: int, today: date) -> int:
    """A birth year, Buddhist Era converted: not after this year (`future`), nor more than
    130 years ago (`range`)."""
    year = to_gregorian_year(raw)
    if year > today.year:
        raise broken("future")
    if year < today.year - OLDEST_AGE:
        raise broken("range")
    return year


def recorded_at(value: datetime, now: datetime) -> datetime:
    """When a case was captured: not in the future, give or take the phone's clock."""
    if value > now + CLOCK_SKEW:
        raise broken("future")
    return value


def country(code: str) -> str:
    """An assigned ISO 3166-1 alpha-2 code, upper case (`country`)."""
    upper = code.upper()
    if not is_country(upper):
        raise broken("country")
    return upper


def is_abroad(country_code: str | None) -> bool:
    """Tells whether a location's country (None: not known here) is outside Thailand."""
    return country_code is not None and country_code != HOME_COUNTRY


def area_code(field: str, codes: Mapping[str, str | None]) -> None:
    """`codes[field]` is an official Thai area code inside the codes above it in `codes`
    (`area`), in a location in Thailand: abroad, Thai area codes are refused (`abroad_area`)."""
    if is_abroad(codes.get("country_code")):
        raise broken("abroad_area")
    known = AREA_FIELDS[: AREA_FIELDS.index(field) + 1]
    problems = check_location(*(codes.get(name) for name in known))
    if any(name == field for name, _message in problems):
        raise broken("area")


def pregnancy(gender: Gender | None, pregnant: bool | None) -> None:
    """A pregnant client is not recorded as male (`consistency`)."""
    if pregnant and gender is Gender.male:
        raise broken("consistency")


def anonymous_reporter(anonymous: bool, *, gives_name_or_phone: bool) -> None:
    """An anonymous reporter gives no name or phone (`anonymous`)."""
    if anonymous and gives_name_or_phone:
        raise broken("anonymous")


def consent_basis(data_collection: ConsentStatus, basis: LegalBasis | None) -> None:
    """Consent is no legal basis unless consent was given (`basis`)."""
    if basis is LegalBasis.consent and data_collection is not ConsentStatus.given:
        raise broken("basis")
