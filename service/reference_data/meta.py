"""Reference data the clients build their forms from: coded values with Thai and English
labels, the countries of ISO 3166-1, and the official provinces, districts and subdistricts
(with postal codes).

Pure functions over `service.reference_data.labels`, `service.reference_data.countries` and the
shipped `geothai` dataset; no database.
"""

from __future__ import annotations

from enum import StrEnum

import geothai

from models.meta import (
    CodedValue,
    CodedValueList,
    CountryList,
    CountryOut,
    DistrictList,
    DistrictOut,
    ProvinceList,
    ProvinceOut,
    SubdistrictList,
    SubdistrictOut,
)
from service.platform.errors import NotFound
from service.reference_data.countries import countries as all_countries
from service.reference_data.labels import Language, labels_for


def _pick(language: Language, th: str, en: str) -> str:
    return en if language == "en" else th


def coded_values(enum_class: type[StrEnum], *, language: Language) -> CodedValueList:
    """Every value of a labelled enumeration, with both labels and the caller's one."""
    return CodedValueList(
        items=[
            CodedValue(
                code=item["code"],
                label_th=item["label_th"],
                label_en=item["label_en"],
                label=_pick(language, item["label_th"], item["label_en"]),
            )
            for item in labels_for(enum_class)
        ]
    )


def countries(*, language: Language) -> CountryList:
    """Every country of ISO 3166-1, by code, named in both languages."""
    return CountryList(
        items=[
            CountryOut(
                code=c.code,
                name_th=c.name("th"),
                name_en=c.name_en,
                name=c.name(language),
            )
            for c in all_countries().values()
        ]
    )


def provinces(*, language: Language) -> ProvinceList:
    """Every province of Thailand, by code."""
    return ProvinceList(
        items=[
            ProvinceOut(
                code=p.code,
                name_th=p.name_th,
                name_en=p.name_en,
                name=_pick(language, p.name_th, p.name_en),
            )
            for p in geothai.provinces()
        ]
    )


def districts(province_code: str, *, language: Language) -> DistrictList:
    """The districts of a province, by code; 404 for a province that does not exist."""
    if geothai.province(province_code) is None:
        raise NotFound(f"No province has the code {province_code}.")
    return DistrictList(
        items=[
            DistrictOut(
                code=d.code,
                province_code=d.province_code,
                name_th=d.name_th,
                name_en=d.name_en,
                name=_pick(language, d.name_th, d.name_en),
            )
            for d in geothai.districts(province_code)
        ]
    )


def subdistricts(district_code: str, *, language: Language) -> SubdistrictList:
    """The subdistricts of a district with their postal codes; 404 for an unknown district."""
    if geothai.district(district_code) is None:
        raise NotFound(f"No district has the code {district_code}.")
    return SubdistrictList(
        items=[
            SubdistrictOut(
                code=s.code,
                district_code=s.district_code,
                province_code=s.province_code,
                name_th=s.name_th,
                name_en=s.name_en,
                name=_pick(language, s.name_th, s.name_en),
                postal_codes=list(s.postal_codes),
            )
            for s in geothai.subdistricts(district_code)
        ]
    )
