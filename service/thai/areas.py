"""Thai administrative areas: province, district and subdistrict codes and postal codes,
checked against the shipped `geothai` dataset."""

from __future__ import annotations

import geothai
from geothai.types import District, Province, Subdistrict


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
