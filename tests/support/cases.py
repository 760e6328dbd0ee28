"""Intake bodies and helpers shared by the case tests."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx

from routers.examples import INTAKE_EXAMPLES

CASES = "/api/v1/cases"
VALID_THAI_ID = "1101700230708"
OTHER_THAI_ID = "3100600452569"


def intake_body(**changes: Any) -> dict[str, Any]:
    """A valid, realistic intake (the OpenAPI's own example); `changes` replace top-level
    fields (nested dicts merge)."""
    body: dict[str, Any] = copy.deepcopy(INTAKE_EXAMPLES["older_person_alone"]["value"])
    return _with_changes(body, changes)


def _with_changes(body: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            merged = copy.deepcopy(body[key])
            merged.update(value)
            body[key] = merged
        else:
            body[key] = value
    return body


def anonymous_body(**changes: Any) -> dict[str, Any]:
    """An intake with nothing that could match another case as a duplicate."""
    client = {
        "first_name": f"ทดสอบ{uuid.uuid4().hex[:6]}",
        "id_type": "unknown",
        "id_number": None,
        "phone": None,
        "birth_year": None,
        "title": None,
        "last_name": None,
    }
    body = intake_body(client=client)
    body["client"] = {k: v for k, v in body["client"].items() if v is not None}
    return _with_changes(body, changes)


async def submit(
    client: httpx.AsyncClient, headers: dict[str, str], **changes: Any
) -> httpx.Response:
    return await client.post(CASES, json=intake_body(**changes), headers=headers)


async def create_case(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await client.post(CASES, json=body or anonymous_body(), headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def etag_of(client: httpx.AsyncClient, headers: dict[str, str], case_id: str) -> str:
    response = await client.get(f"{CASES}/{case_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["etag"]


async def move(
    client: httpx.AsyncClient, headers: dict[str, str], case_id: str, to: str, **fields: Any
) -> httpx.Response:
    tag = await etag_of(client, headers, case_id)
    return await client.post(
        f"{CASES}/{case_id}/transitions",
        json={"to": to, **fields},
        headers={**headers, "If-Match": tag},
    )
