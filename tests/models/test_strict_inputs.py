"""Input schemas take what their OpenAPI says and nothing looser: booleans are JSON booleans,
numbers are JSON numbers, codes are ASCII digits."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from models.case import CaseCreate, CasePatch
from models.user import UserUpdate

INTAKE: dict[str, Any] = {
    "summary": "x",
    "categories": ["other"],
    "reporter": {"relationship": "self"},
    "location": {"province_code": "10"},
    "consent": {"data_collection": "given"},
}


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body = {k: dict(v) if isinstance(v, dict) else v for k, v in INTAKE.items()}
    target = body
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value
    return body


def test_the_plain_intake_is_valid() -> None:
    CaseCreate.model_validate(INTAKE)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("consent", "share_with_agencies"), 0),
        (("consent", "share_with_agencies"), "true"),
        (("immediate_danger",), 1),
        (("client", "pregnant"), "false"),
        (("reporter", "anonymous"), 0),
        (("location", "lon"), False),
        (("client", "age_estimate"), True),
        (("client", "birth_year"), "2500"),
        (("location", "province_code"), "๑๐"),
    ],
)
def test_loose_spellings_are_refused(path: tuple[str, ...], value: Any) -> None:
    with pytest.raises(ValidationError):
        CaseCreate.model_validate(_with(path, value))


def test_patch_booleans_and_account_activity_are_strict() -> None:
    with pytest.raises(ValidationError):
        CasePatch.model_validate({"client": {"disability": 1}})
    with pytest.raises(ValidationError):
        UserUpdate.model_validate({"is_active": 0})
    assert UserUpdate.model_validate({"is_active": False}).is_active is False


def test_fields_refused_as_null_are_documented_non_null() -> None:
    patch = CasePatch.model_json_schema()
    assert patch["properties"]["summary"]["type"] == "string"
    assert "anyOf" not in patch["$defs"]["LocationPatch"]["properties"]["country_code"]
    assert "anyOf" not in UserUpdate.model_json_schema()["properties"]["display_name"]
    # ...and fields that may be cleared keep their null.
    assert "anyOf" in patch["$defs"]["ClientPatch"]["properties"]["phone"]
    # The province is cleared by a location moved abroad.
    assert "anyOf" in patch["$defs"]["LocationPatch"]["properties"]["province_code"]
