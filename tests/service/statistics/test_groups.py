"""Regions of provinces, ISO weeks, the hotline's problem types and percentiles."""

from __future__ import annotations

import statistics
from datetime import date

import geothai
from hypothesis import given
from hypothesis import strategies as st

from models.enums import Category
from service.statistics.groups import (
    by_region,
    by_week,
    hotline_type_of_category,
    percentile,
    region_key,
    region_of_province,
)


def test_every_province_is_in_one_region() -> None:
    assert set(region_of_province()) == {province.code for province in geothai.provinces()}
    assert region_of_province()["10"] == "bangkok"
    assert region_of_province()["50"] == "north"
    assert region_of_province()["41"] == "northeast"
    assert region_of_province()["90"] == "south"
    assert region_of_province()["20"] == "central"


def test_areas_fold_into_regions() -> None:
    assert by_region({"10": 2, "50": 1, "57": 4, "abroad": 1, "unknown": 3}) == {
        "bangkok": 2,
        "north": 5,
        "abroad": 1,
        "unknown": 3,
    }
    assert region_key("99") == "unknown"


def test_the_hotline_has_ten_problem_types_each_from_a_category() -> None:
    mapping = hotline_type_of_category()
    assert len(set(mapping.values())) == 10
    assert all(isinstance(category, Category) for category in mapping)
    assert mapping[Category.unready_pregnancy] == "teenage_pregnancy"
    assert Category.housing not in mapping


def test_iso_weeks_cross_the_year() -> None:
    days = [(date(2026, 12, 31), 1), (date(2027, 1, 3), 2), (date(2027, 1, 4), 5)]
    assert by_week(days) == {"2026-W53": 3, "2027-W01": 5}


@given(st.lists(st.floats(min_value=0, max_value=1e7), min_size=1, max_size=50))
def test_the_median_is_the_statistics_median(values: list[float]) -> None:
    ordered = sorted(values)
    median = percentile(ordered, 0.5)
    assert median is not None
    assert abs(median - statistics.median(ordered)) <= 1e-6 * max(1.0, abs(median))


def test_percentiles_interpolate_like_percentile_cont() -> None:
    assert percentile([1.0, 3.0, 5.0], 0.9) == 4.6
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
