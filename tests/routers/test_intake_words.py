"""An intake refused field by field speaks our own words in Thai and English: no detail quotes
what was sent, nor a library's message."""

from __future__ import annotations

from typing import Any

import pytest

from models.enums import Role
from tests.support.cases import CASES, intake_body

# Each body is refused; the marker values must not come back in any detail.
REFUSED: list[tuple[str, dict[str, Any], list[str]]] = [
    ("province", {"location": {"province_code": "97"}}, ["97"]),
    ("district", {"location": {"district_code": "9901"}}, ["9901"]),
    ("subdistrict", {"location": {"subdistrict_code": "109999"}}, ["109999"]),
    ("postal code", {"location": {"postal_code": "99999"}}, ["99999"]),
    ("district of another province", {"location": {"district_code": "5001"}}, ["5001"]),
    ("thai id checksum", {"client": {"id_number": "1101700230705"}}, ["1101700230705"]),
    ("thai id length", {"client": {"id_number": "110170023070"}}, ["110170023070"]),
    ("phone", {"client": {"phone": "0812"}}, ["0812"]),
    ("reporter phone", {"reporter": {"relationship": "family", "phone": "12345"}}, ["12345"]),
    ("passport", {"client": {"id_type": "passport", "id_number": "A1"}}, ["A1"]),
    ("birth date in the future", {"client": {"birth_date": "2999-01-01"}}, ["2999"]),
    ("birth year", {"client": {"birth_year": 1700}}, ["1700"]),
    ("province shape", {"location": {"province_code": "1x"}}, ["1x"]),
]
# Phrases of the libraries behind validation (pydantic, phonenumbers, geothai).
LIBRARY_TEXT = [
    "String should",
    "Input should",
    "valid dictionary",
    "The string supplied",
    "did not seem",
    "pattern",
    "Value error",
    "unknown province code",
]


@pytest.mark.parametrize("language", ["en", "th"])
@pytest.mark.parametrize(("what", "changes", "markers"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_refusals_quote_nothing_sent(
    client, actors, language: str, what: str, changes: dict[str, Any], markers: list[str]
) -> None:
    headers = {**actors[Role.volunteer].headers, "Accept-Language": language}
    response = await client.post(CASES, json=intake_body(**changes), headers=headers)
    assert response.status_code == 422, (what, response.text)
    problem = response.json()
    assert problem["errors"], what
    texts = [problem["title"], problem["detail"]] + [e["detail"] for e in problem["errors"]]
    for text in texts:
        for marker in markers:
            assert marker not in text, (what, text)
        for phrase in LIBRARY_TEXT:
            assert phrase.lower() not in text.lower(), (what, text)
    if language == "th":
        # Thai answers are in Thai: every detail carries Thai script.
        assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in text) for text in texts), texts
