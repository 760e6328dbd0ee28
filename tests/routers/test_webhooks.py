"""The webhook routes: who manages which endpoint, the secret shown once, the delivery log's
pages and filters, and the errors."""

from __future__ import annotations

import base64

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from models.enums import Role
from models.webhooks import WebhookEndpoint
from tests.conftest import MakeActor
from tests.support.referrals import case_in_progress, make_agency, refer
from tests.support.webhooks import WEBHOOKS, hooked_agency, new_secret

URL = "https://hooks.example.org/onestop"


async def test_a_secret_is_made_the_standard_way_shown_once_and_sealed(
    client: httpx.AsyncClient, session: AsyncSession, make_actor: MakeActor
) -> None:
    agency, secret = await hooked_agency(client, session, make_actor, name="มูลนิธิ", url=URL)
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    sealed = await session.scalar(sa.select(WebhookEndpoint.secret_sealed))
    assert sealed is not None
    assert secret.encode() not in sealed
    assert base64.b64decode(secret.removeprefix("whsec_")) not in sealed

    listed = await client.get(f"{WEBHOOKS}/endpoints", headers=agency.staff.headers)
    assert listed.status_code == 200
    (endpoint,) = listed.json()["items"]
    assert endpoint["url"] == URL
    assert endpoint["enabled"] is True
    assert secret not in listed.text

    again = await new_secret(client, agency.staff.headers, agency.service.id)
    assert again.status_code == 200
    assert again.json()["secret"] != secret
    assert again.headers["cache-control"] == "no-store"


async def test_who_manages_which_endpoint(
    client: httpx.AsyncClient, session: AsyncSession, make_actor: MakeActor
) -> None:
    ours, _ = await hooked_agency(client, session, make_actor, name="ของเรา", url=URL)
    theirs, _ = await hooked_agency(client, session, make_actor, name="ของเขา", url=URL)
    mine = await client.get(f"{WEBHOOKS}/endpoints", headers=ours.staff.headers)
    assert [e["service_id"] for e in mine.json()["items"]] == [str(ours.service.id)]
    admin = await make_actor(Role.admin)
    everyone = await client.get(f"{WEBHOOKS}/endpoints", headers=admin.headers)
    assert {e["service_id"] for e in everyone.json()["items"]} == {
        str(ours.service.id),
        str(theirs.service.id),
    }
    paged = await client.get(f"{WEBHOOKS}/endpoints", params={"limit": 1}, headers=admin.headers)
    rest = await client.get(
        f"{WEBHOOKS}/endpoints",
        params={"limit": 1, "cursor": paged.json()["next_cursor"]},
        headers=admin.headers,
    )
    assert len(paged.json()["items"] + rest.json()["items"]) == 2
    assert rest.json()["next_cursor"] is None

    for path in ("secret", "enable"):
        refused = await client.post(
            f"{WEBHOOKS}/endpoints/{theirs.service.id}/{path}", headers=ours.staff.headers
        )
        assert refused.status_code == 404, path
    assert (await new_secret(client, admin.headers, theirs.service.id)).status_code == 200

    caseworker = await make_actor(Role.caseworker)
    for method, path in (
        ("GET", "/endpoints"),
        ("GET", "/deliveries"),
        ("POST", f"/endpoints/{ours.service.id}/secret"),
    ):
        forbidden = await client.request(method, WEBHOOKS + path, headers=caseworker.headers)
        assert forbidden.status_code == 403
        assert (await client.request(method, WEBHOOKS + path)).status_code == 401


async def test_a_secret_needs_an_http_webhook_url(
    client: httpx.AsyncClient, session: AsyncSession, make_actor: MakeActor
) -> None:
    admin = await make_actor(Role.admin)
    none = await make_agency(session, make_actor, name="ไม่มี URL")
    ftp = await make_agency(session, make_actor, name="FTP", webhook_url="ftp://example.org/in")
    assert (await new_secret(client, admin.headers, none.service.id)).status_code == 409
    assert (await new_secret(client, admin.headers, ftp.service.id)).status_code == 409
    unknown = await new_secret(client, admin.headers, "7b0c1a52-0000-4000-8000-000000000000")
    assert unknown.status_code == 404
    # No secret yet: no endpoint to enable or disable.
    missing = await client.post(
        f"{WEBHOOKS}/endpoints/{none.service.id}/enable", headers=admin.headers
    )
    assert missing.status_code == 404
    no_reason = await client.post(
        f"{WEBHOOKS}/endpoints/{none.service.id}/disable", json={}, headers=admin.headers
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["pointer"] == "/reason"


async def test_the_delivery_log_pages_filters_and_hides_other_agencies(
    client: httpx.AsyncClient, session: AsyncSession, make_actor: MakeActor
) -> None:
    ours, _ = await hooked_agency(client, session, make_actor, name="ของเรา", url=URL)
    theirs, _ = await hooked_agency(client, session, make_actor, name="ของเขา", url=URL)
    caseworker = (await make_actor(Role.caseworker)).headers
    for agency in (ours, ours, ours, theirs):
        case = await case_in_progress(client, caseworker)
        assert (await refer(client, caseworker, case["id"], agency.service.id)).status_code == 201

    first = await client.get(
        f"{WEBHOOKS}/deliveries", params={"limit": 2}, headers=ours.staff.headers
    )
    assert first.status_code == 200, first.text
    second = await client.get(
        f"{WEBHOOKS}/deliveries",
        params={"limit": 2, "cursor": first.json()["next_cursor"]},
        headers=ours.staff.headers,
    )
    items = first.json()["items"] + second.json()["items"]
    assert len(items) == 3
    assert second.json()["next_cursor"] is None
    assert {i["service_id"] for i in items} == {str(ours.service.id)}
    assert [i["created_at"] for i in items] == sorted(
        (i["created_at"] for i in items), reverse=True
    )

    admin = await make_actor(Role.admin)
    filtered = await client.get(
        f"{WEBHOOKS}/deliveries",
        params={"service_id": str(theirs.service.id), "status": "pending"},
        headers=admin.headers,
    )
    (their_delivery,) = filtered.json()["items"]
    assert their_delivery["event_type"] == "referral.created"
    hidden = await client.post(
        f"{WEBHOOKS}/deliveries/{their_delivery['id']}/replay", headers=ours.staff.headers
    )
    assert hidden.status_code == 404
    bad = await client.get(
        f"{WEBHOOKS}/deliveries", params={"cursor": "not-ours"}, headers=admin.headers
    )
    assert bad.status_code == 422
