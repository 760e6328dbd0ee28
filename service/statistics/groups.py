"""How raw counts become the reported groups: regions of provinces, ISO weeks of days, the
national hotline's problem types, and percentiles. Pure; the tables are data files."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from models.enums import Category
from service.reference_data.countries import HOME_COUNTRY

ABROAD = "abroad"
UNKNOWN = "unknown"
AGE_BANDS = ("0-17", "18-59", "60+", UNKNOWN)


def _data(name: str) -> Any:
    return json.loads(resources.files("service.statistics").joinpath(name).read_text("utf-8"))


@cache
def region_of_province() -> Mapping[str, str]:
    """Province code -> region code (the National Statistical Office's regions)."""
    return {
        province: region["code"]
        for region in _data("regions.json")["regions"]
        for province in region["provinces"]
    }


@cache
def hotline_type_of_category() -> Mapping[Category, str]:
    """Category -> the hotline problem type it counts under; categories not listed have none."""
    return {
        Category(category): problem_type["code"]
        for problem_type in _data("hotline_problem_types.json")["problem_types"]
        for category in problem_type["categories"]
    }


def area_key(country_code: str, province_code: str | None) -> str:
    """What a case counts under by province: its code, `abroad`, or `unknown`."""
    if country_code != HOME_COUNTRY:
        return ABROAD
    return province_code or UNKNOWN


def region_key(area: str) -> str:
    """The region of an `area_key`."""
    if area in (ABROAD, UNKNOWN):
        return area
    return region_of_province().get(area, UNKNOWN)


def by_region(by_area: Mapping[str, int]) -> Counter[str]:
    """Counts per area folded into counts per region."""
    regions: Counter[str] = Counter()
    for area, cases in by_area.items():
        regions[region_key(area)] += cases
    return regions


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def by_week(by_day: Iterable[tuple[date, int]]) -> Counter[str]:
    """Counts per Bangkok day folded into ISO weeks."""
    weeks: Counter[str] = Counter()
    for day, cases in by_day:
        weeks[iso_week(day)] += cases
    return weeks


def percentile(sorted_values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` percentile with linear interpolation, as PostgreSQL's `percentile_cont`."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    low, high = math.floor(position), math.ceil(position)
    share = position - low
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * share
