"""No event lets a reader infer a personal value: every declared client field, every derived
column (SPEC §3, §8)."""

from __future__ import annotations

from typing import Any

import pytest

from models.enums import Role
from service.cases.changes import DERIVED_COLUMNS, PERSONAL_COLUMNS
from service.cases.client_fields import CLIENT_FIELDS
from tests.support.cases import CASES, create_case, intake_body

# Three values per personal client field (the first unlike intake_body's), so each field
# changes a → b → c → a; pregnancy, disability and the birth fields move the target groups.
SAMPLES: dict[str, tuple[Any, Any, Any]] = {
    "title": ("นาย", "นาง", "ด.ญ."),
    "first_name": ("มาลี", "สมชาย", "Anna"),
    "last_name": ("มีสุข", "ใจดี", "Smith"),
    "nickname": ("หนู", "แดง", "Bee"),
    "id_number": ("1101700230708", "3100600452569", "1101700230708"),
    "phone": ("0812345678", "021234567", "+14155550100"),
    "birth_date": ("2015-05-01", "1950-01-01", "2000-02-29"),
    "birth_year": (2015, 1950, 2000),
    "age_estimate": (8, 70, 30),
    "gender": ("other", "female", "unknown"),
    "nationality": ("TH", "MM", "LA"),
    "home_province_code": ("41", "10", "50"),
    "languages": (["my"], ["th"], ["en", "th"]),
    "disability": (True, False, True),
    "pregnant": (True, False, True),
}


def test_every_personal_client_field_has_samples() -> None:
    personal = {f.name for f in CLIENT_FIELDS if f.personal}
    assert personal == set(SAMPLES), "give a new personal client field three sample values"
    assert {f.column for f in CLIENT_FIELDS if f.personal} <= PERSONAL_COLUMNS
    assert "target_groups" in DERIVED_COLUMNS


@pytest.mark.parametrize("name", sorted(SAMPLES))
async def test_an_update_event_is_the_same_whatever_the_values(client, actors, name) -> None:
    caseworker = actors[Role.caseworker]
    base = intake_body(client={"id_type": "thai_id", "gender": "female"})
    for field in ("id_number", "phone", "birth_year", "birth_date"):
        base["client"].pop(field, None)
    case = await create_case(client, actors[Role.volunteer].headers, base)
    url = f"{CASES}/{case['id']}"
    tag = f'"{case["version"]}"'
    a, b, c = SAMPLES[name]
    recorded = []
    for value in (a, b, c, a):
        response = await client.patch(
            url, json={"client": {name: value}}, headers={**caseworker.headers, "If-Match": tag}
        )
        assert response.status_code == 200, response.text
        tag = response.headers["etag"]
        event = (await client.get(url + "/timeline", headers=caseworker.headers)).json()["items"][
            -1
        ]
        assert event["type"] == "updated"
        recorded.append((event["changes"], event["data"]))
    # The first change may differ (from no value), never the others: nothing in them depends
    # on the values, before or after, of the field or of anything derived from it.
    assert recorded[1] == recorded[2] == recorded[3], recorded
    changes, data = recorded[1]
    assert data == {}
    assert all(change == {"changed": True} for change in changes.values()), changes
    assert not set(changes) & DERIVED_COLUMNS
