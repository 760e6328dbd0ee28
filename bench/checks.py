"""Signing the load's accounts in, and checking before any load that the seeded data works:
a seeded case can be read (detail and timeline), changed and noted, and both servers take an
intake. A failure here stops the run with the answer that went wrong."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from bench.processes import BenchError
from bench.scenarios import Caller, Role, Samples

TIMEOUT = 30.0
# The README's walk-through case: a valid Thai id number and mobile phone.
PREFLIGHT_INTAKE = {
    "summary": "ผู้สูงอายุอยู่บ้านลำพัง ไม่มีรายได้ ขาดอาหารมาสองวัน",
    "categories": ["older_person", "income_livelihood"],
    "urgency": "high",
    "channel": "mobile",
    "client": {
        "first_name": "สมศรี",
        "last_name": "ใจดี",
        "id_type": "thai_id",
        "id_number": "1-1017-00230-70-8",
        "birth_year": 2490,
        "phone": "081-234-5678",
    },
    "reporter": {"relationship": "neighbour"},
    "location": {"province_code": "10", "district_code": "1001"},
    "consent": {"data_collection": "given", "share_with_agencies": True},
}


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    user_id: str


def sign_in(base: str, accounts: list[Account], password: str) -> list[Caller]:
    """A fresh access token for every account (`POST /api/v1/auth/token`), one at a time:
    each sign-in hashes a password with Argon2id, which holds 64 MiB while it runs, and
    sign-ins side by side would raise the workers' peak memory by as much each."""
    callers = []
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        for account in accounts:
            answer = client.post(
                "/api/v1/auth/token", data={"username": account.username, "password": password}
            )
            _expect(answer, 200, f"sign-in of {account.username}")
            callers.append(Caller(account.role, account.user_id, answer.json()["access_token"]))
    return callers


def preflight(base: str, limit_base: str, callers: list[Caller], samples: Samples) -> None:
    token = {c.role: c.token for c in callers}
    if not samples.open_cases:
        raise BenchError("no open case among the sampled ones: seed more cases")
    case_id = samples.open_cases[0]
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        staff = {"Authorization": f"Bearer {token['caseworker']}"}
        detail = client.get(f"/api/v1/cases/{case_id}", headers=staff)
        _expect(detail, 200, "detail of a seeded case")
        timeline = client.get(f"/api/v1/cases/{case_id}/timeline", headers=staff)
        _expect(timeline, 200, "timeline of a seeded case")
        types = [event["type"] for event in timeline.json()["items"]]
        if types[:1] != ["created"]:
            raise BenchError(f"a seeded case's history starts with {types[:1]}, not `created`")
        change = client.patch(
            f"/api/v1/cases/{case_id}",
            headers={**staff, "If-Match": detail.headers.get("ETag", "")},
            json={"summary": "ตรวจสอบก่อนทดสอบโหลด"},
        )
        _expect(change, 200, "PATCH of a seeded case")
        note = client.post(
            f"/api/v1/cases/{case_id}/notes", headers=staff, json={"body": "ตรวจสอบก่อนทดสอบ"}
        )
        _expect(note, 201, "note on a seeded case")
        intake = client.post(
            "/api/v1/cases",
            headers={
                "Authorization": f"Bearer {token['volunteer']}",
                "Idempotency-Key": str(uuid.uuid4()),
            },
            json={**PREFLIGHT_INTAKE, "client_reference": str(uuid.uuid4())},
        )
        _expect(intake, 201, "intake")
    with httpx.Client(base_url=limit_base, timeout=TIMEOUT) as client:
        answer = client.post(
            "/cases",
            headers={"Authorization": f"Bearer {token['limit']}"},
            json={"summary": "check", "category": "older_person", "province": "10"},
        )
        _expect(answer, 201, "limit app intake")


def _expect(answer: httpx.Response, status: int, what: str) -> None:
    if answer.status_code != status:
        raise BenchError(
            f"{what}: HTTP {answer.status_code} instead of {status}: {answer.text[:500]}"
        )
