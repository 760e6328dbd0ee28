"""Pure intake checks: Thai ids, phones, Buddhist Era dates, geography, target groups, names."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

import geothai
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.enums import TargetGroup
from service.cases.client_fields import target_groups
from service.thai.areas import check_location
from service.thai.dates import (
    age_on,
    gregorian_date,
    not_in_future,
    to_gregorian_date,
    to_gregorian_year,
)
from service.thai.ids import is_valid_thai_id, normalise_thai_id, thai_id_check_digit
from service.thai.names import normalise_name
from service.thai.phones import normalise_phone

# Thai ids

# Checked by hand:
# 1101700230708: 1*13 + 1*12 + 0*11 + 1*10 + 7*9 + 0*8 + 0*7 + 2*6 + 3*5 + 0*4 + 7*3 + 0*2
#   = 146; 146 % 11 = 3; (11 - 3) % 10 = 8.
# 0123456789016: 0 + 12 + 22 + 30 + 36 + 40 + 42 + 42 + 40 + 36 + 0 + 2 = 302; 302 % 11 = 5;
#   (11 - 5) % 10 = 6.
# 1000000000050: 13 + 5*2 = 23; 23 % 11 = 1; (11 - 1) % 10 = 0.
# 1000000000301: 13 + 3*3 = 22; 22 % 11 = 0; (11 - 0) % 10 = 1.
VALID_IDS = ["1101700230708", "0123456789016", "1000000000050", "1000000000301"]


def groups_for(*, age: int | None, disability: bool, pregnant: bool) -> list[str]:
    """Target groups of a client whose only known age is `age`."""
    return target_groups(
        birth_date=None,
        birth_year=None,
        age_estimate=age,
        disability=disability,
        pregnant=pregnant,
        today=date(2026, 1, 1),
    )


@pytest.mark.parametrize("thai_id", VALID_IDS)
def test_valid_thai_ids_are_accepted(thai_id: str) -> None:
    assert normalise_thai_id(thai_id) == thai_id
    assert is_valid_thai_id(thai_id)


@pytest.mark.parametrize(
    "raw",
    ["1-1017-00230-70-8", "1 1017 00230 70 8", " 1101700230708 ", "1–1017–00230–70–8"],
)
def test_spaces_and_hyphens_are_stripped(raw: str) -> None:
    assert normalise_thai_id(raw) == "1101700230708"


def test_thai_digits_are_read_as_digits() -> None:
    assert normalise_thai_id("๑๑๐๑๗๐๐๒๓๐๗๐๘") == "1101700230708"


def test_zero_prefixed_id_is_valid() -> None:
    assert normalise_thai_id("0-1234-56789-01-6") == "0123456789016"


def test_wrong_check_digit_is_rejected() -> None:
    with pytest.raises(ValueError, match="check digit"):
        normalise_thai_id("1101700230705")
    assert not is_valid_thai_id("1101700230705")


@pytest.mark.parametrize("raw", ["110170023070", "11017002307080"])
def test_wrong_length_is_rejected(raw: str) -> None:
    with pytest.raises(ValueError, match="13 digits"):
        normalise_thai_id(raw)
    assert not is_valid_thai_id(raw)


@pytest.mark.parametrize(
    "raw", ["11017002307O8", "A101700230708", "1101700230708x", "1.101700230708"]
)
def test_letters_and_punctuation_are_rejected(raw: str) -> None:
    with pytest.raises(ValueError, match="only digits"):
        normalise_thai_id(raw)


@pytest.mark.parametrize("raw", ["", "   ", "--"])
def test_empty_id_is_rejected(raw: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        normalise_thai_id(raw)


def test_other_unicode_digits_are_rejected() -> None:
    # Arabic-Indic digits pass str.isdigit(); they are not how anyone writes a Thai id.
    assert not is_valid_thai_id("١١٠١٧٠٠٢٣٠٧٠٨")


def test_check_digit_matches_hand_computation() -> None:
    assert thai_id_check_digit("110170023070") == 8
    assert thai_id_check_digit("012345678901") == 6
    with pytest.raises(ValueError):
        thai_id_check_digit("12345")


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_computed_check_digit_is_the_only_valid_last_digit(first_twelve: str) -> None:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first_twelve))
    check = (11 - total % 11) % 10
    assert is_valid_thai_id(first_twelve + str(check))
    for other in set(range(10)) - {check}:
        assert not is_valid_thai_id(first_twelve + str(other))


@given(st.text(max_size=20))
def test_thai_id_check_never_crashes(raw: str) -> None:
    try:
        normalised = normalise_thai_id(raw)
    except ValueError:
        assert not is_valid_thai_id(raw)
    else:
        assert len(normalised) == 13
        assert normalised.isascii()
        assert normalised.isdigit()


# Phones


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("081-234-5678", "+66812345678"),
        ("+66 81 234 5678", "+66812345678"),
        ("0812345678", "+66812345678"),
        ("02 123 4567", "+6621234567"),
        ("053 123 456", "+6653123456"),
        ("+44 20 7946 0018", "+442079460018"),
    ],
)
def test_phones_are_stored_as_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "abc", "12345", "081-234-567", "081-234-56789", "1300"])
def test_invalid_phones_are_rejected(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_phone(raw)


@given(st.text(max_size=30))
def test_phone_check_never_crashes(raw: str) -> None:
    try:
        e164 = normalise_phone(raw)
    except ValueError:
        return
    assert e164.startswith("+")


# Buddhist Era


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2567, 2024), (2400, 1857), (2399, 2399), (2024, 2024), (1990, 1990), (2543, 2000)],
)
def test_buddhist_era_years_are_converted(year: int, expected: int) -> None:
    assert to_gregorian_year(year) == expected


def test_non_positive_year_is_rejected() -> None:
    with pytest.raises(ValueError):
        to_gregorian_year(0)


@given(st.integers(min_value=1857, max_value=9999 - 543))
def test_be_year_round_trips(ce_year: int) -> None:
    assert to_gregorian_year(ce_year + 543) == ce_year


@given(st.integers(min_value=1, max_value=2399))
def test_ce_years_pass_unchanged(year: int) -> None:
    assert to_gregorian_year(year) == year


def test_be_date_is_converted() -> None:
    assert to_gregorian_date(date(2567, 3, 15)) == date(2024, 3, 15)
    assert to_gregorian_date(date(2024, 3, 15)) == date(2024, 3, 15)


def test_be_29_february_that_is_not_a_ce_leap_day_is_rejected() -> None:
    # 2568 is divisible by 4, so `date` accepts it, but 2568 BE is 2025 CE.
    with pytest.raises(ValueError, match="not a leap year"):
        to_gregorian_date(date(2568, 2, 29))


def test_gregorian_date_accepts_be_29_february_of_a_ce_leap_year() -> None:
    # 2567 BE is 2024 CE, a leap year, though `date(2567, 2, 29)` alone would not exist.
    assert gregorian_date(2567, 2, 29) == date(2024, 2, 29)
    assert gregorian_date(2024, 2, 29) == date(2024, 2, 29)
    with pytest.raises(ValueError):
        gregorian_date(2568, 2, 29)


@given(st.dates(min_value=date(1857, 1, 1), max_value=date(9999 - 543, 12, 31)))
def test_be_dates_round_trip(ce_date: date) -> None:
    assert gregorian_date(ce_date.year + 543, ce_date.month, ce_date.day) == ce_date
    try:
        be_date = ce_date.replace(year=ce_date.year + 543)
    except ValueError:
        return  # 29 February of a CE leap year whose BE number is not a leap year
    assert to_gregorian_date(be_date) == ce_date


@given(st.dates(max_value=date(2399, 12, 31)))
def test_ce_dates_pass_unchanged(d: date) -> None:
    assert to_gregorian_date(d) == d


def test_not_in_future() -> None:
    today = date(2024, 6, 1)
    assert not_in_future(today, today)
    assert not_in_future(today - timedelta(days=1), today)
    assert not not_in_future(today + timedelta(days=1), today)


# Geography


def test_dataset_has_the_codes_these_tests_use() -> None:
    bangkok = geothai.province("10")
    phra_nakhon = geothai.district("1001")
    palace = geothai.subdistrict("100101")
    assert bangkok is not None
    assert bangkok.name_en == "Bangkok"
    assert phra_nakhon is not None
    assert phra_nakhon.province_code == "10"
    assert palace is not None
    assert palace.district_code == "1001"
    assert palace.postal_codes == ("10200",)
    mueang_chiang_mai = geothai.district("5001")
    assert mueang_chiang_mai is not None
    assert mueang_chiang_mai.province_code == "50"


@pytest.mark.parametrize(
    ("province", "district", "subdistrict", "postal"),
    [
        ("10", "1001", "100101", "10200"),
        ("10", None, None, None),
        ("10", "1001", None, None),
        ("10", "1001", None, "10200"),
        ("10", None, "100101", None),
        ("10", None, None, "10200"),
        ("50", "5001", "500101", "50200"),
    ],
)
def test_valid_locations_have_no_problems(
    province: str, district: str | None, subdistrict: str | None, postal: str | None
) -> None:
    assert check_location(province, district, subdistrict, postal) == []


def _fields(problems: list[tuple[str, str]]) -> list[str]:
    return [field for field, _ in problems]


def test_province_is_required() -> None:
    assert _fields(check_location(None)) == ["province_code"]
    assert _fields(check_location("")) == ["province_code"]


def test_unknown_province() -> None:
    problems = check_location("99")
    assert problems == [("province_code", "unknown province code 99")]


@pytest.mark.parametrize(
    ("province", "district", "subdistrict", "postal", "field"),
    [
        ("1", None, None, None, "province_code"),
        ("100", None, None, None, "province_code"),
        ("1O", None, None, None, "province_code"),
        ("10", "100", None, None, "district_code"),
        ("10", None, "10010", None, "subdistrict_code"),
        ("10", None, None, "1020", "postal_code"),
        ("10", None, None, "๑๐๒๐๐", "postal_code"),
    ],
)
def test_malformed_codes(
    province: str,
    district: str | None,
    subdistrict: str | None,
    postal: str | None,
    field: str,
) -> None:
    problems = check_location(province, district, subdistrict, postal)
    assert _fields(problems) == [field]
    assert "digits" in problems[0][1]


def test_unknown_district() -> None:
    assert check_location("10", "1099") == [("district_code", "unknown district code 1099")]


def test_district_outside_the_province() -> None:
    assert check_location("10", "5001") == [
        ("district_code", "district 5001 is not in province 10")
    ]


def test_unknown_subdistrict() -> None:
    problems = check_location("10", "1001", "100199")
    assert problems == [("subdistrict_code", "unknown subdistrict code 100199")]


def test_subdistrict_outside_the_district() -> None:
    problems = check_location("10", "1001", "100201")
    assert problems == [("subdistrict_code", "subdistrict 100201 is not in district 1001")]


def test_subdistrict_outside_the_province_without_district() -> None:
    problems = check_location("50", None, "100101")
    assert problems == [("subdistrict_code", "subdistrict 100101 is not in province 50")]


def test_postal_code_of_another_subdistrict() -> None:
    problems = check_location("10", "1001", "100101", "10300")
    assert problems == [("postal_code", "postal code 10300 does not belong to subdistrict 100101")]


def test_postal_code_outside_the_district() -> None:
    problems = check_location("10", "1001", None, "50200")
    assert problems == [("postal_code", "postal code 50200 does not belong to district 1001")]


def test_postal_code_outside_the_province() -> None:
    problems = check_location("10", None, None, "50200")
    assert problems == [("postal_code", "postal code 50200 does not belong to province 10")]


def test_unknown_postal_code() -> None:
    problems = check_location("10", "1001", None, "00000")
    assert problems == [("postal_code", "unknown postal code 00000")]


def test_every_problem_is_reported() -> None:
    problems = check_location("50", "1001", "100101", "10200")
    assert _fields(problems) == ["district_code", "subdistrict_code", "postal_code"]


def test_every_real_subdistrict_is_consistent_with_its_parents() -> None:
    for province in geothai.provinces()[:3]:
        for district in geothai.districts(province.code):
            for subdistrict in geothai.subdistricts(district.code):
                for postal in subdistrict.postal_codes:
                    assert (
                        check_location(province.code, district.code, subdistrict.code, postal) == []
                    )


# Age and target groups


def test_age_on_counts_whole_years() -> None:
    born = date(2000, 6, 15)
    assert age_on(born, date(2018, 6, 14)) == 17
    assert age_on(born, date(2018, 6, 15)) == 18
    assert age_on(born, born) == 0


def test_age_of_a_leap_day_birthday() -> None:
    born = date(2004, 2, 29)
    assert age_on(born, date(2022, 2, 28)) == 17
    assert age_on(born, date(2022, 3, 1)) == 18
    assert age_on(born, date(2024, 2, 29)) == 20


def test_age_before_birth_is_rejected() -> None:
    with pytest.raises(ValueError):
        age_on(date(2024, 1, 2), date(2024, 1, 1))


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (0, [TargetGroup.child]),
        (17, [TargetGroup.child]),
        (18, [TargetGroup.youth]),
        (25, [TargetGroup.youth]),
        (26, []),
        (59, []),
        (60, [TargetGroup.older_person]),
        (95, [TargetGroup.older_person]),
        (None, []),
    ],
)
def test_target_groups_by_age(age: int | None, expected: list[TargetGroup]) -> None:
    assert groups_for(age=age, disability=False, pregnant=False) == expected


def test_target_groups_are_in_a_stable_order() -> None:
    assert groups_for(age=16, disability=True, pregnant=True) == [
        TargetGroup.child,
        TargetGroup.disability,
        TargetGroup.pregnancy,
    ]
    assert groups_for(age=70, disability=True, pregnant=False) == [
        TargetGroup.older_person,
        TargetGroup.disability,
    ]
    assert groups_for(age=None, disability=False, pregnant=True) == [TargetGroup.pregnancy]


def test_negative_age_is_rejected() -> None:
    with pytest.raises(ValueError):
        groups_for(age=-1, disability=False, pregnant=False)


@given(st.integers(min_value=0, max_value=130), st.booleans(), st.booleans())
def test_target_groups_property(age: int, disability: bool, pregnant: bool) -> None:
    groups = groups_for(age=age, disability=disability, pregnant=pregnant)
    order = list(TargetGroup)
    assert groups == sorted(set(groups), key=order.index)
    assert (TargetGroup.child in groups) == (age < 18)
    assert (TargetGroup.youth in groups) == (18 <= age <= 25)
    assert (TargetGroup.older_person in groups) == (age >= 60)
    assert (TargetGroup.disability in groups) == disability
    assert (TargetGroup.pregnancy in groups) == pregnant


# Names


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("นางสาว สมหญิง ใจดี", "สมหญิงใจดี"),
        ("นางสาวสมหญิง ใจดี", "สมหญิงใจดี"),
        ("น.ส. สมหญิง ใจดี", "สมหญิงใจดี"),
        ("น.ส.สมหญิง  ใจดี", "สมหญิงใจดี"),
        ("นาย สมชาย รักไทย", "สมชายรักไทย"),
        ("นาง มาลี ศรีสุข", "มาลีศรีสุข"),
        ("ด.ช. ต้นกล้า", "ตนกลา"),
        ("ด.ญ.ขวัญใจ", "ขวัญใจ"),
        ("เด็กชาย ต้นกล้า", "ตนกลา"),
        ("เด็กหญิงขวัญใจ", "ขวัญใจ"),
        ("Mr. John Smith", "johnsmith"),
        ("MRS Jane Smith", "janesmith"),
        ("Ms. Jane Smith", "janesmith"),
        ("Miss Jane Smith", "janesmith"),
        ("Missy Smith", "missysmith"),
        ("Mrinal Sen", "mrinalsen"),
        ("José Núñez", "josenunez"),
        ("Anne-Marie O'Neil", "annemarieoneil"),
    ],
)
def test_normalize_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("กิ่งแก้ว", "กิงแกว"),  # tone marks dropped
        ("ศักดิ์ชัย", "ศักดิชัย"),  # thanthakhat dropped
        ("น้ำฝน", "นํ้าฝน"),  # sara am typed as nikhahit + sara aa
        ("น้ำฝน", "นำ้ฝน"),  # tone mark typed after sara am
        ("เก๋", "เก"),  # mai chattawa
    ],
)
def test_spelling_variants_normalise_alike(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


def test_nfc_and_nfd_forms_normalise_alike() -> None:
    assert normalise_name("Jose\u0301") == normalise_name("Jos\u00e9")


@given(st.text(max_size=40))
def test_normalized_names_hold_only_letters_digits_and_vowel_signs(name: str) -> None:
    normalised = normalise_name(name)
    assert all(unicodedata.category(ch)[0] in "LNM" for ch in normalised)
    assert not any("\u0e47" <= ch <= "\u0e4e" for ch in normalised)


@given(st.text(alphabet=st.characters(min_codepoint=0x0E01, max_codepoint=0x0E2E), min_size=2))
def test_tone_marks_and_spaces_do_not_matter(name: str) -> None:
    decorated = " ".join(ch + "\u0e48" for ch in name)
    assert normalise_name(decorated) == normalise_name(name)
