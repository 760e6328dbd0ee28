"""Pure intake checks: Thai ids, phones, Buddhist Era dates, geography, target groups, names."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from difflib import SequenceMatcher

import geothai
import phonenumbers
from geothai.types import District, Province, Subdistrict

from models.enums import TargetGroup

BUDDHIST_ERA_OFFSET = 543
# No Common Era year an intake deals with is this large, and no Buddhist Era year this small.
BUDDHIST_ERA_THRESHOLD = 2400
NAME_SIMILARITY_THRESHOLD = 0.85

# Whitespace and the dashes people type (or that word processors substitute) inside ids.
_ID_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2212]+")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_THIRTEEN_DIGITS = re.compile(r"[0-9]{13}")


def thai_id_check_digit(first_twelve: str) -> int:
    """Computes the mod-11 check digit of the first 12 digits of a Thai id."""
    if not re.fullmatch(r"[0-9]{12}", first_twelve):
        raise ValueError("a Thai id check digit needs exactly 12 digits")
    total = sum(int(digit) * (13 - i) for i, digit in enumerate(first_twelve))
    return (11 - total % 11) % 10


def normalize_thai_id(raw: str) -> str:
    """Returns the 13 digits of a Thai id, or raises ValueError if it is malformed."""
    digits = _ID_SEPARATORS.sub("", raw).translate(_THAI_DIGITS)
    if not digits:
        raise ValueError("Thai id is empty")
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("Thai id may contain only digits, spaces and hyphens")
    if not _THIRTEEN_DIGITS.fullmatch(digits):
        raise ValueError(f"Thai id must have exactly 13 digits, got {len(digits)}")
    if thai_id_check_digit(digits[:12]) != int(digits[12]):
        raise ValueError("Thai id check digit is wrong")
    return digits


def is_valid_thai_id(raw: str) -> bool:
    """Tells whether a string is a well-formed Thai id with a correct check digit."""
    try:
        normalize_thai_id(raw)
    except ValueError:
        return False
    return True


def normalize_phone(raw: str) -> str:
    """Parses a phone number (Thai by default) and returns it in E.164, or raises ValueError."""
    try:
        number = phonenumbers.parse(raw, "TH")
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"not a phone number: {error}") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def to_gregorian_year(year: int) -> int:
    """Converts a Buddhist Era year (>= 2400) to the Common Era; other years pass unchanged."""
    if year < 1:
        raise ValueError(f"year must be positive, got {year}")
    if year >= BUDDHIST_ERA_THRESHOLD:
        return year - BUDDHIST_ERA_OFFSET
    return year


def to_gregorian_date(d: date) -> date:
    """Converts a date written with a Buddhist Era year to the Common Era; others pass unchanged."""
    year = to_gregorian_year(d.year)
    if year == d.year:
        return d
    try:
        return d.replace(year=year)
    except ValueError:
        raise ValueError(
            f"{d.isoformat()} (Buddhist Era) is 29 February of {year}, which is not a leap year"
        ) from None


def gregorian_date(year: int, month: int, day: int) -> date:
    """Builds a date from parts whose year may be Buddhist Era (2567-02-29 is 2024-02-29)."""
    # `date` validates 29 February against the year it is given, so convert the year first.
    try:
        return date(to_gregorian_year(year), month, day)
    except ValueError as error:
        raise ValueError(f"not a valid date: {error}") from None


def not_in_future(d: date, today: date) -> bool:
    """Tells whether a date is today or earlier."""
    return d <= today


def _problem_if_malformed(field: str, code: str, digits: int, what: str) -> tuple[str, str] | None:
    """Reports a code that is not exactly `digits` ASCII digits."""
    if code.isascii() and code.isdigit() and len(code) == digits:
        return None
    return (field, f"{what} must be {digits} digits")


def check_location(
    province_code: str | None,
    district_code: str | None = None,
    subdistrict_code: str | None = None,
    postal_code: str | None = None,
) -> list[tuple[str, str]]:
    """Lists (field, message) problems with a set of administrative codes; empty when valid."""
    problems: list[tuple[str, str]] = []

    province = None
    if not province_code:
        problems.append(("province_code", "province code is required"))
    elif malformed := _problem_if_malformed("province_code", province_code, 2, "province code"):
        problems.append(malformed)
    elif (province := geothai.province(province_code)) is None:
        problems.append(("province_code", f"unknown province code {province_code}"))

    district = None
    if district_code:
        if malformed := _problem_if_malformed("district_code", district_code, 4, "district code"):
            problems.append(malformed)
        elif (found_district := geothai.district(district_code)) is None:
            problems.append(("district_code", f"unknown district code {district_code}"))
        elif province is not None and found_district.province_code != province.code:
            problems.append(
                (
                    "district_code",
                    f"district {district_code} is not in province {province.code}",
                )
            )
        else:
            district = found_district

    subdistrict = None
    if subdistrict_code:
        if malformed := _problem_if_malformed(
            "subdistrict_code", subdistrict_code, 6, "subdistrict code"
        ):
            problems.append(malformed)
        elif (found_subdistrict := geothai.subdistrict(subdistrict_code)) is None:
            problems.append(("subdistrict_code", f"unknown subdistrict code {subdistrict_code}"))
        elif district is not None and found_subdistrict.district_code != district.code:
            problems.append(
                (
                    "subdistrict_code",
                    f"subdistrict {subdistrict_code} is not in district {district.code}",
                )
            )
        elif province is not None and found_subdistrict.province_code != province.code:
            problems.append(
                (
                    "subdistrict_code",
                    f"subdistrict {subdistrict_code} is not in province {province.code}",
                )
            )
        elif not district_code or district is not None:
            # With a district code that is itself wrong, there is nothing sound to place it in.
            subdistrict = found_subdistrict

    if postal_code:
        if malformed := _problem_if_malformed("postal_code", postal_code, 5, "postal code"):
            problems.append(malformed)
        else:
            problem = _postal_code_problem(postal_code, province, district, subdistrict)
            if problem is not None:
                problems.append(("postal_code", problem))

    return problems


def _postal_code_problem(
    postal_code: str,
    province: Province | None,
    district: District | None,
    subdistrict: Subdistrict | None,
) -> str | None:
    """Checks a postal code against the most precise area that was given and is valid."""
    if subdistrict is not None:
        if postal_code in subdistrict.postal_codes:
            return None
        return f"postal code {postal_code} does not belong to subdistrict {subdistrict.code}"
    served = geothai.by_postal_code(postal_code)
    if not served:
        return f"unknown postal code {postal_code}"
    if district is not None:
        if any(s.district_code == district.code for s in served):
            return None
        return f"postal code {postal_code} does not belong to district {district.code}"
    if province is not None:
        if any(s.province_code == province.code for s in served):
            return None
        return f"postal code {postal_code} does not belong to province {province.code}"
    return None


def age_on(birth_date: date, today: date) -> int:
    """Returns the age in whole years on a given day (a 29 February birthday counts on 1 March)."""
    if birth_date > today:
        raise ValueError("birth date is after the given day")
    had_birthday = (today.month, today.day) >= (birth_date.month, birth_date.day)
    return today.year - birth_date.year - (0 if had_birthday else 1)


def derive_target_groups(*, age: int | None, disability: bool, pregnant: bool) -> list[TargetGroup]:
    """Derives the client's target groups (child < 18, youth 18-25, older person >= 60, ...)."""
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
    return [group for group in TargetGroup if group in groups]


# Longest first, so "นางสาว" wins over "นาง". Thai titles are often written joined to the name.
_THAI_TITLE = re.compile(
    r"^\s*(?:เด็กหญิง|เด็กชาย|นางสาว|น\.\s?ส\.?|ด\.\s?ช\.?|ด\.\s?ญ\.?|นาง|นาย)\s*"
)
# Latin titles only as whole words, so "Missy" and "Mrinal" keep their first letters.
_LATIN_TITLE = re.compile(r"^\s*(?:mrs|mr|ms|miss)(?:\.\s*|\s+)")
# Tone marks and other signs above the consonant that vary between spellings of one name:
# mai taikhu (U+0E47), mai ek..mai chattawa (U+0E48-U+0E4B), thanthakhat (U+0E4C) and
# yamakkan (U+0E4E). Nikhahit (U+0E4D) goes after sara am has been repaired.
_THAI_VARIABLE_MARKS = re.compile("[\u0e47-\u0e4c\u0e4e]")
_NIKHAHIT = "\u0e4d"


def normalize_name(text: str) -> str:
    """Reduces a name to a comparable key: no titles, case, tone marks, spaces or punctuation."""
    name = unicodedata.normalize("NFC", text).casefold()
    name = _THAI_TITLE.sub("", name, count=1)
    name = _LATIN_TITLE.sub("", name, count=1)
    name = _THAI_VARIABLE_MARKS.sub("", name)
    # Sara am typed as nikhahit + sara aa (often with a tone mark between) looks the same as
    # sara am; with the tone marks gone the two are adjacent and become one character.
    name = name.replace(_NIKHAHIT + "\u0e32", "\u0e33").replace(_NIKHAHIT, "")
    # Latin accents (José / Jose); Thai has no canonical decompositions, so it is untouched.
    decomposed = unicodedata.normalize("NFD", name)
    name = "".join(
        ch
        for ch in decomposed
        if not (unicodedata.category(ch) == "Mn" and not "\u0e00" <= ch <= "\u0e7f")
    )
    name = unicodedata.normalize("NFC", name)
    return "".join(ch for ch in name if unicodedata.category(ch)[0] in "LNM")


def names_similar(a: str, b: str) -> bool:
    """Tells whether two names probably belong to the same person, for duplicate flags."""
    left, right = normalize_name(a), normalize_name(b)
    if len(left) < 2 or len(right) < 2:
        return False
    if left == right:
        return True
    # SequenceMatcher is not symmetric; a fixed order makes names_similar(a, b) == (b, a).
    first, second = sorted((left, right))
    return SequenceMatcher(None, first, second).ratio() >= NAME_SIMILARITY_THRESHOLD
