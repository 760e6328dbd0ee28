"""The field rules, tested directly: the catalogue code each broken rule raises."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from models import field_rules
from models.enums import Gender, IdType
from service.platform.messages import FIELD_TEXT
from service.reference_data.countries import countries
from service.thai.ids import thai_id_check_digit

TODAY = date(2026, 6, 15)


def _code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(PydanticCustomError) as caught:
        call()
    assert caught.value.type in FIELD_TEXT
    assert caught.value.message() == FIELD_TEXT[caught.value.type].en
    return caught.value.type


@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(1, 9))
def test_a_wrong_check_digit_is_told_from_a_wrong_shape(first_twelve: str, shift: int) -> None:
    right = thai_id_check_digit(first_twelve)
    assert field_rules.id_number(IdType.thai_id, first_twelve + str(right)) == (
        first_twelve + str(right)
    )
    wrong = first_twelve + str((right + shift) % 10)
    assert _code(lambda: field_rules.id_number(IdType.thai_id, wrong)) == "thai_id_check_digit"
    assert _code(lambda: field_rules.id_number(IdType.non_thai_id, first_twelve)) == "thai_id"


def test_each_id_rule_has_its_code() -> None:
    assert _code(lambda: field_rules.id_number(IdType.passport, "A1")) == "passport"
    assert _code(lambda: field_rules.id_number(IdType.none, "A12345")) == "id_type"
    assert field_rules.id_number(IdType.passport, "aa 123-45") == "AA12345"


def test_dates_phones_and_cross_field_rules() -> None:
    assert _code(lambda: field_rules.birth_date("2026-06-16", TODAY)) == "future"
    assert _code(lambda: field_rules.birth_date("2026-02-30", TODAY)) == "date"
    assert field_rules.birth_date("2569-06-15", TODAY) == TODAY
    assert _code(lambda: field_rules.birth_year(1890, TODAY)) == "range"
    assert _code(lambda: field_rules.phone("0812")) == "phone"
    assert field_rules.phone("081 234 5678") == "+66812345678"
    assert _code(lambda: field_rules.pregnancy(Gender.male, True)) == "consistency"
    field_rules.pregnancy(None, True)


def test_every_listed_country_is_accepted_in_either_case() -> None:
    for code in countries():
        assert field_rules.country(code.lower()) == code
    for unknown in ("ZZ", "XK", "AN", "UK"):
        assert _code(lambda code=unknown: field_rules.country(code)) == "country"


def test_thai_area_codes_belong_to_a_location_in_thailand() -> None:
    assert not field_rules.is_abroad(None) and not field_rules.is_abroad("TH")
    assert field_rules.is_abroad("MY")
    field_rules.area_code("district_code", {"province_code": "10", "district_code": "1001"})
    field_rules.area_code("province_code", {"country_code": "TH", "province_code": "10"})
    abroad = {"country_code": "MY", "province_code": "10"}
    assert _code(lambda: field_rules.area_code("province_code", abroad)) == "abroad_area"
    wrong = {"province_code": "50", "district_code": "1001"}
    assert _code(lambda: field_rules.area_code("district_code", wrong)) == "area"
