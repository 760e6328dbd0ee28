"""Valid requests of the webhook operations for the input sweep: an agency whose service has a
webhook endpoint, a referral to it, and a delivery of its message already delivered
(`tests/support/sweep_requests.py` imports this)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from models.enums import Role
from models.webhooks import DeliveryStatus, WebhookDelivery
from service.platform.pagination import encode_time_id_cursor
from tests.support.referrals import case_in_progress, refer
from tests.support.sweep import ValidRequest
from tests.support.sweep_requests import World, recipe
from tests.support.webhooks import WEBHOOKS, hooked_agency


async def _hooked(world: World) -> dict[str, Any]:
    """An agency with a webhook endpoint and one delivered delivery of a referral event."""
    if "webhooks" not in world.cache:
        agency, _ = await hooked_agency(
            world.client,
            world.session,
            world.make_actor,
            name="หน่วยรับเว็บฮุก",
            url="https://hooks.example.org/onestop",
        )
        caseworker = await world.headers(Role.caseworker)
        case = await case_in_progress(world.client, caseworker)
        made = await refer(world.client, caseworker, case["id"], agency.service.id)
        assert made.status_code == 201, made.text
        delivery = await world.session.scalar(
            sa.select(WebhookDelivery).where(col(WebhookDelivery.service_id) == agency.service.id)
        )
        assert delivery is not None
        delivery.status = DeliveryStatus.delivered
        await world.session.commit()
        world.cache["webhooks"] = {
            "agency": {**agency.staff.headers, "Accept-Language": "th"},
            "service_id": str(agency.service.id),
            "delivery_id": str(delivery.id),
            "cursor": encode_time_id_cursor(delivery.created_at, delivery.id),
        }
    found: dict[str, Any] = world.cache["webhooks"]
    return found


@recipe("GET /api/v1/webhooks/endpoints")
async def _list_endpoints(world: World) -> ValidRequest:
    found = await _hooked(world)
    return ValidRequest("GET", f"{WEBHOOKS}/endpoints", query={"limit": 5}, headers=found["agency"])


def _endpoint_recipe(suffix: str, body: Any = None) -> None:
    async def make(world: World) -> ValidRequest:
        found = await _hooked(world)
        extra = {} if body is None else {"json": body}
        return ValidRequest(
            "POST",
            f"{WEBHOOKS}/endpoints/{{service_id}}/{suffix}",
            path_params={"service_id": found["service_id"]},
            headers=await world.headers(Role.admin),
            **extra,
        )

    recipe(f"POST /api/v1/webhooks/endpoints/{{service_id}}/{suffix}")(make)


_endpoint_recipe("secret")
_endpoint_recipe("enable")
_endpoint_recipe("disable", {"reason": "ปิดปรับปรุงระบบ"})


@recipe("GET /api/v1/webhooks/deliveries")
async def _list_deliveries(world: World) -> ValidRequest:
    found = await _hooked(world)
    query = {
        "limit": 5,
        "status": "delivered",
        "service_id": found["service_id"],
        "cursor": found["cursor"],
    }
    return ValidRequest("GET", f"{WEBHOOKS}/deliveries", query=query, headers=found["agency"])


@recipe("POST /api/v1/webhooks/deliveries/{delivery_id}/replay")
async def _replay(world: World) -> ValidRequest:
    found = await _hooked(world)
    return ValidRequest(
        "POST",
        f"{WEBHOOKS}/deliveries/{{delivery_id}}/replay",
        path_params={"delivery_id": found["delivery_id"]},
        headers=found["agency"],
    )
