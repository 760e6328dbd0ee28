"""Reference data: labelled codes in Thai and English, and the official administrative areas."""

from __future__ import annotations

from enum import StrEnum

import phonenumbers
import pytest

from models.enums import (
    CaseStatus,
    Category,
    Channel,
    ClosureReason,
    ConsentStatus,
    Gender,
    IdType,
    LegalBasis,
    ReporterRelationship,
    Role,
    TargetGroup,
    Urgency,
)
from service.reference_data.labels import label

META = "/api/v1/meta"

CODED: list[tuple[str, type[StrEnum]]] = [
    ("categories", Category),
    ("urgencies", Urgency),
    ("statuses", CaseStatus),
    ("closure-reasons", ClosureReason),
    ("channels", Channel),
    ("id-types", IdType),
    ("genders", Gender),
    ("reporter-relationships", ReporterRelationship),
    ("legal-bases", LegalBasis),
    ("consent-statuses", ConsentStatus),
    ("target-groups", TargetGroup),
]
ALL_PATHS = [
    *(f"{META}/{path}" for path, _ in CODED),
    f"{META}/countries",
    f"{META}/provinces",
    f"{META}/provinces/50/districts",
    f"{META}/districts/1001/subdistricts",
]


def _has_thai(text: str) -> bool:
    return any("\u0e00" <= ch <= "\u0e7f" for ch in text)


@pytest.mark.parametrize(("path", "enum_class"), CODED)
async def test_every_value_has_both_labels_thai_by_default(
    client, actors, path: str, enum_class: type[StrEnum]
) -> None:
    response = await client.get(f"{META}/{path}", headers=actors[Role.caseworker].headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == "th"
    assert "accept-language" in response.headers["vary"].lower()
    items = response.json()["items"]
    assert [item["code"] for item in items] == [member.value for member in enum_class]
    for item, member in zip(items, enum_class, strict=True):
        assert set(item) == {"code", "label_th", "label_en", "label"}
        assert item["label_th"] == label(member, "th")
        assert item["label_en"] == label(member, "en")
        assert item["label_th"] and item["label_en"]
        assert item["label"] == item["label_th"]


@pytest.mark.parametrize(("path", "enum_class"), CODED)
async def test_english_labels_when_english_is_preferred(
    client, actors, path: str, enum_class: type[StrEnum]
) -> None:
    response = await client.get(
        f"{META}/{path}",
        headers={**actors[Role.volunteer].headers, "Accept-Language": "en-US,en;q=0.9,th;q=0.5"},
    )
    assert response.status_code == 200
    assert response.headers["content-language"] == "en"
    items = response.json()["items"]
    assert len(items) == len(enum_class)
    assert all(item["label"] == item["label_en"] for item in items)


async def test_category_labels_are_the_ones_people_read(client, actors) -> None:
    headers = actors[Role.volunteer].headers
    thai = (await client.get(f"{META}/categories", headers=headers)).json()["items"]
    by_code = {item["code"]: item for item in thai}
    assert by_code["family_violence"] == {
        "code": "family_violence",
        "label_th": "ความรุนแรงในครอบครัว",
        "label_en": "Family violence",
        "label": "ความรุนแรงในครอบครัว",
    }
    assert all(_has_thai(item["label_th"]) for item in thai)
    assert not any(_has_thai(item["label_en"]) for item in thai)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        (None, "th"),
        ("th", "th"),
        ("th-TH,th;q=0.9", "th"),
        ("en", "en"),
        ("en-GB", "en"),
        ("th;q=0.4, en;q=0.8", "en"),
        ("en;q=0.3, th", "th"),
        ("fr-FR", "th"),
        ("*", "th"),
        ("en;q=0", "th"),
    ],
)
async def test_accept_language_decides_label_and_content_language(
    client, actors, accept_language: str | None, expected: str
) -> None:
    headers = dict(actors[Role.supervisor].headers)
    if accept_language is not None:
        headers["Accept-Language"] = accept_language
    response = await client.get(f"{META}/urgencies", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-language"] == expected
    critical = response.json()["items"][0]
    assert critical["code"] == "critical"
    assert critical["label"] == label(Urgency.critical, expected)  # type: ignore[arg-type]


async def test_provinces_in_both_languages(client, actors) -> None:
    headers = actors[Role.agency].headers
    thai = await client.get(f"{META}/provinces", headers=headers)
    assert thai.status_code == 200
    assert thai.headers["content-language"] == "th"
    items = thai.json()["items"]
    assert len(items) == 77
    assert [p["code"] for p in items] == sorted(p["code"] for p in items)
    by_code = {p["code"]: p for p in items}
    assert by_code["10"] == {
        "code": "10",
        "name_th": "กรุงเทพมหานคร",
        "name_en": "Bangkok",
        "name": "กรุงเทพมหานคร",
    }
    assert by_code["50"]["name_th"] == "เชียงใหม่"
    english = await client.get(f"{META}/provinces", headers={**headers, "Accept-Language": "en"})
    assert english.headers["content-language"] == "en"
    assert {p["code"]: p["name"] for p in english.json()["items"]}["50"] == "Chiang Mai"


# Where the center's clients are most often taken to or go to work: named in Thai.
DESTINATIONS = ("MY", "JP", "KR", "TW", "CN", "HK", "SG", "MM", "LA", "KH", "VN")
DESTINATIONS += ("BH", "AE", "SA", "QA", "IL", "DE", "GB", "US", "AU", "RU")


async def test_countries_in_both_languages(client, actors) -> None:
    headers = actors[Role.volunteer].headers
    thai = await client.get(f"{META}/countries", headers=headers)
    assert thai.status_code == 200
    assert thai.headers["content-language"] == "th"
    items = thai.json()["items"]
    # Every assigned code of ISO 3166-1, once, in order, as phonenumbers knows the regions.
    codes = [c["code"] for c in items]
    assert codes == sorted(set(codes)) and len(codes) == 249
    assert set(codes) >= set(phonenumbers.SUPPORTED_REGIONS) - {"AC", "TA", "XK"}
    by_code = {c["code"]: c for c in items}
    assert by_code["MY"] == {
        "code": "MY",
        "name_th": "มาเลเซีย",
        "name_en": "Malaysia",
        "name": "มาเลเซีย",
    }
    for code in DESTINATIONS:
        assert _has_thai(by_code[code]["name_th"]), code
        assert by_code[code]["name"] == by_code[code]["name_th"]
    # No Thai name kept: the English one is shown.
    assert by_code["AQ"]["name_th"] == by_code["AQ"]["name"] == "Antarctica"
    english = await client.get(f"{META}/countries", headers={**headers, "Accept-Language": "en"})
    assert english.headers["content-language"] == "en"
    assert {c["code"]: c["name"] for c in english.json()["items"]}["KR"] == "South Korea"


async def test_districts_of_chiang_mai(client, actors) -> None:
    response = await client.get(
        f"{META}/provinces/50/districts", headers=actors[Role.volunteer].headers
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items[0] == {
        "code": "5001",
        "province_code": "50",
        "name_th": "เมืองเชียงใหม่",
        "name_en": "Mueang Chiang Mai",
        "name": "เมืองเชียงใหม่",
    }
    assert len(items) == 25
    assert all(d["province_code"] == "50" and d["code"].startswith("50") for d in items)


async def test_subdistricts_of_phra_nakhon_with_postal_codes(client, actors) -> None:
    headers = {**actors[Role.caseworker].headers, "Accept-Language": "en"}
    response = await client.get(f"{META}/districts/1001/subdistricts", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == "en"
    by_code = {s["code"]: s for s in response.json()["items"]}
    assert by_code["100101"] == {
        "code": "100101",
        "district_code": "1001",
        "province_code": "10",
        "name_th": "พระบรมมหาราชวัง",
        "name_en": "Phra Borom Maha Ratchawang",
        "name": "Phra Borom Maha Ratchawang",
        "postal_codes": ["10200"],
    }
    assert all(s["district_code"] == "1001" for s in by_code.values())


async def test_subdistrict_spanning_two_postal_zones_lists_both(client, actors) -> None:
    response = await client.get(
        f"{META}/districts/1007/subdistricts", headers=actors[Role.caseworker].headers
    )
    by_code = {s["code"]: s for s in response.json()["items"]}
    assert by_code["100703"]["postal_codes"] == ["10330", "10500"]


@pytest.mark.parametrize(
    "path",
    [f"{META}/provinces/99/districts", f"{META}/districts/5099/subdistricts"],
)
async def test_unknown_area_codes_are_404_problems(client, actors, path: str) -> None:
    headers = {**actors[Role.caseworker].headers, "Accept-Language": "en"}
    response = await client.get(path, headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["type"].endswith("/not-found")
    assert body["detail"].startswith("No ")
    assert response.headers["content-language"] == "en"  # the problem's words, not labels


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        (f"{META}/provinces/1x/districts", "code"),
        (f"{META}/provinces/500/districts", "code"),
        (f"{META}/provinces/๕๐/districts", "code"),
        (f"{META}/districts/50/subdistricts", "code"),
        (f"{META}/districts/10011/subdistricts", "code"),
    ],
)
async def test_malformed_area_codes_are_422(client, actors, path: str, parameter: str) -> None:
    response = await client.get(path, headers=actors[Role.caseworker].headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [(e["parameter"], e["in"]) for e in errors] == [(parameter, "path")]


async def test_overlong_accept_language_is_422(client, actors) -> None:
    headers = {**actors[Role.caseworker].headers, "Accept-Language": "en," * 400}
    response = await client.get(f"{META}/channels", headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["header"] == "accept-language"


@pytest.mark.parametrize("path", ALL_PATHS)
async def test_a_token_is_required(client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    invalid = await client.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert invalid.status_code == 401


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_may_read_reference_data(client, actors, role: Role) -> None:
    for path in ALL_PATHS:
        response = await client.get(path, headers=actors[role].headers)
        assert response.status_code == 200, (path, response.text)
        assert response.json()["items"], path
        assert response.headers["cache-control"] == "private, max-age=3600"


def test_every_reference_route_is_documented(app) -> None:
    paths = app.openapi()["paths"]
    meta_paths = {p for p in paths if p.startswith(META)}
    assert meta_paths == {
        *(f"{META}/{path}" for path, _ in CODED),
        f"{META}/countries",
        f"{META}/provinces",
        f"{META}/provinces/{{code}}/districts",
        f"{META}/districts/{{code}}/subdistricts",
    }
    for path in meta_paths:
        operation = paths[path]["get"]
        assert operation["description"], path
        assert "401" in operation["responses"], path
        assert "Content-Language" in operation["responses"]["200"]["headers"], path
    assert "404" in paths[f"{META}/provinces/{{code}}/districts"]["get"]["responses"]
