"""A person abroad: a location with a country other than Thailand, a city and an address, the
province optional and no Thai area code; the client's home province; the same rules on
`PATCH`; the country shown and filtered on, and recorded in the history by code only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from models.enums import Role
from service.platform.messages import FIELD_TEXT
from tests.support.cases import CASES, anonymous_body, create_case

ABROAD = {"country_code": "MY", "city": "ยะโฮร์บาห์รู", "address": "คาราโอเกะย่านตลาดกลางคืน"}


def abroad_body(**location: Any) -> dict[str, Any]:
    """An intake of a person in Malaysia, with no Thai area code."""
    body = anonymous_body()
    body["location"] = {**ABROAD, **location}
    body["client"]["home_province_code"] = "41"
    body["categories"] = ["human_trafficking"]
    return body


def _entries(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(e["pointer"], e["type"]) for e in response.json()["errors"]]


async def test_a_person_abroad_is_taken_in_without_a_province(client, actors) -> None:
    volunteer, caseworker = actors[Role.volunteer], actors[Role.caseworker]
    case = await create_case(client, volunteer.headers, abroad_body(country_code="my"))
    assert case["location"] == {
        "country_code": "MY",
        "city": "ยะโฮร์บาห์รู",
        "province_code": None,
        "district_code": None,
        "subdistrict_code": None,
        "postal_code": None,
        "address": "คาราโอเกะย่านตลาดกลางคืน",
        "lat": None,
        "lon": None,
    }
    assert case["client"]["home_province_code"] == "41"
    # The volunteer who reported it reads it as staff do; the history names the country only.
    for viewer in (volunteer, caseworker):
        read = await client.get(f"{CASES}/{case['id']}", headers=viewer.headers)
        assert read.json()["location"]["city"] == "ยะโฮร์บาห์รู"
    listed = await client.get(CASES, params={"country": "MY"}, headers=caseworker.headers)
    assert [(c["id"], c["country_code"], c["city"]) for c in listed.json()["items"]] == [
        (case["id"], "MY", "ยะโฮร์บาห์รู")
    ]
    at_home = await client.get(CASES, params={"country": "TH"}, headers=caseworker.headers)
    assert case["id"] not in {c["id"] for c in at_home.json()["items"]}


@pytest.mark.parametrize(
    "location",
    [
        {"province_code": "10"},
        {"district_code": "1001"},
        {"subdistrict_code": "100101", "postal_code": "10200"},
    ],
)
async def test_thai_area_codes_with_a_foreign_country_are_refused(
    client, actors, location: dict[str, str]
) -> None:
    response = await client.post(
        CASES, json=abroad_body(**location), headers=actors[Role.volunteer].headers
    )
    assert _entries(response) == [(f"/location/{name}", "abroad_area") for name in location]


@pytest.mark.parametrize("language", ["th", "en"])
async def test_an_unknown_country_is_refused_with_a_pointer(client, actors, language: str) -> None:
    body = abroad_body(country_code="ZZ")
    del body["summary"]
    body["client"]["home_province_code"] = "99"
    response = await client.post(
        CASES, json=body, headers={**actors[Role.volunteer].headers, "Accept-Language": language}
    )
    assert _entries(response) == [
        ("/summary", "missing"),
        ("/client/home_province_code", "area"),
        ("/location/country_code", "country"),
    ]
    errors = {e["type"]: e["detail"] for e in response.json()["errors"]}
    assert errors["country"] == FIELD_TEXT["country"].in_language(language)
    assert "ZZ" not in response.text


async def test_thailand_still_needs_a_province(client, actors) -> None:
    headers = actors[Role.volunteer].headers
    for location in ({"address": "ซอย 5"}, {"country_code": "TH", "city": "พัทยา"}):
        body = anonymous_body()
        body["location"] = location
        response = await client.post(CASES, json=body, headers=headers)
        assert _entries(response) == [("/location/province_code", "missing")]


async def test_a_patch_moves_a_location_abroad_and_home_by_the_same_rules(client, actors) -> None:
    caseworker = actors[Role.caseworker]
    case = await create_case(client, actors[Role.volunteer].headers)
    url = f"{CASES}/{case['id']}"

    async def patch(location: dict[str, Any], tag: str) -> httpx.Response:
        return await client.patch(
            url, json={"location": location}, headers={**caseworker.headers, "If-Match": tag}
        )

    refused = await patch({"country_code": "JP", "district_code": "1001"}, '"1"')
    assert _entries(refused) == [("/location/district_code", "abroad_area")]
    unknown = await patch({"country_code": "XX"}, '"1"')
    assert _entries(unknown) == [("/location/country_code", "country")]
    # Moved abroad: the Thai area codes it kept are dropped.
    moved = await patch({"country_code": "JP", "city": "โอซากา"}, '"1"')
    assert moved.status_code == 200, moved.text
    location = moved.json()["location"]
    assert (location["country_code"], location["city"]) == ("JP", "โอซากา")
    assert [location[k] for k in ("province_code", "district_code", "postal_code")] == [None] * 3
    # Abroad, a Thai code sent alone is refused against the kept country.
    kept_abroad = await patch({"province_code": "10"}, moved.headers["etag"])
    assert _entries(kept_abroad) == [("/location/province_code", "abroad_area")]
    # Home again: the province is required.
    no_province = await patch({"country_code": "TH"}, moved.headers["etag"])
    assert _entries(no_province) == [("/location/province_code", "missing")]
    cleared = await patch({"country_code": "TH", "province_code": None}, moved.headers["etag"])
    assert _entries(cleared) == [("/location/province_code", "null")]
    home = await patch({"country_code": "TH", "province_code": "41"}, moved.headers["etag"])
    assert home.status_code == 200, home.text
    assert home.json()["location"]["province_code"] == "41"

    timeline = await client.get(url + "/timeline", headers=caseworker.headers)
    moves = [e["changes"] for e in timeline.json()["items"] if e["type"] == "updated"]
    # The country is recorded by code; the city and the area codes below the province are not.
    assert moves[0]["country_code"] == ["TH", "JP"]
    assert moves[0]["city"] == {"changed": True}
    assert moves[0]["province_code"] == ["10", None]
    assert moves[0]["district_code"] == {"changed": True}
    assert moves[1]["country_code"] == ["JP", "TH"]
    assert "โอซากา" not in timeline.text


async def test_the_home_province_and_city_of_a_case_abroad_change(client, actors) -> None:
    case = await create_case(client, actors[Role.volunteer].headers, abroad_body())
    response = await client.patch(
        f"{CASES}/{case['id']}",
        json={"client": {"home_province_code": "40"}, "location": {"city": None}},
        headers={**actors[Role.caseworker].headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["client"]["home_province_code"] == "40"
    assert response.json()["location"]["city"] is None
