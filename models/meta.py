"""API schemas of the reference data: coded values with their labels, and administrative areas."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CodedValue(BaseModel):
    """One code of an enumeration with its Thai and English labels."""

    code: str = Field(description="The value the API accepts and returns.")
    label_th: str = Field(description="Thai label.")
    label_en: str = Field(description="English label.")
    label: str = Field(description="The label in the language chosen by Accept-Language.")


class CodedValueList(BaseModel):
    """Every value of an enumeration, in a stable order (the complete list, no pages)."""

    items: list[CodedValue]


class CountryOut(BaseModel):
    """A country of ISO 3166-1, by its alpha-2 code."""

    code: str = Field(description="ISO 3166-1 alpha-2 code, upper case.")
    name_th: str = Field(description="Thai name; the English name where no Thai one is kept.")
    name_en: str
    name: str = Field(description="The name in the language chosen by Accept-Language.")


class CountryList(BaseModel):
    """Every country of ISO 3166-1, by code (the complete list, no pages)."""

    items: list[CountryOut]


class ProvinceOut(BaseModel):
    """A province (changwat), by its 2-digit official code."""

    code: str = Field(description="2-digit province code.")
    name_th: str
    name_en: str
    name: str = Field(description="The name in the language chosen by Accept-Language.")


class ProvinceList(BaseModel):
    """Every province, by code (the complete list, no pages)."""

    items: list[ProvinceOut]


class DistrictOut(BaseModel):
    """A district (amphoe, or khet in Bangkok), by its 4-digit official code."""

    code: str = Field(description="4-digit district code.")
    province_code: str
    name_th: str
    name_en: str
    name: str = Field(description="The name in the language chosen by Accept-Language.")


class DistrictList(BaseModel):
    """Every district of one province, by code (the complete list, no pages)."""

    items: list[DistrictOut]


class SubdistrictOut(BaseModel):
    """A subdistrict (tambon, or khwaeng in Bangkok), by its 6-digit official code."""

    code: str = Field(description="6-digit subdistrict code.")
    district_code: str
    province_code: str
    name_th: str
    name_en: str
    name: str = Field(description="The name in the language chosen by Accept-Language.")
    postal_codes: list[str] = Field(
        description="Postal codes serving the subdistrict (more than one when it spans zones)."
    )


class SubdistrictList(BaseModel):
    """Every subdistrict of one district, by code (the complete list, no pages)."""

    items: list[SubdistrictOut]
