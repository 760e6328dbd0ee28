"""Deny by default: every route of the app declares who may call it."""

from __future__ import annotations

from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from auth.dependencies import ACCESS_RULE_ATTRIBUTE
from service.app import _routers

FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect"}


def _rules(dependant: Dependant) -> list[Any]:
    found = []
    if dependant.call is not None and hasattr(dependant.call, ACCESS_RULE_ATTRIBUTE):
        found.append(getattr(dependant.call, ACCESS_RULE_ATTRIBUTE))
    for child in dependant.dependencies:
        found += _rules(child)
    return found


def _api_routes() -> list[APIRoute]:
    return [
        route for router in _routers() for route in router.routes if isinstance(route, APIRoute)
    ]


def test_every_route_declares_exactly_one_role_rule() -> None:
    routes = _api_routes()
    assert len(routes) >= 10
    missing = [f"{sorted(r.methods)} {r.path}" for r in routes if not _rules(r.dependant)]
    assert missing == [], f"routes without a role rule: {missing}"
    several = [r.path for r in routes if len(_rules(r.dependant)) > 1]
    assert several == [], f"routes with more than one role rule: {several}"


def test_every_served_route_is_known(app) -> None:
    """No route reaches the app except through the routers checked above or the docs."""
    known = {route.path_format for route in _api_routes()}
    assert set(app.openapi()["paths"]) == known
    plain = {getattr(r, "path", None) for r in app.routes if type(r).__name__ == "Route"}
    assert plain <= FRAMEWORK_ROUTES


def test_public_routes_are_the_expected_few() -> None:
    public = sorted(r.path for r in _api_routes() if "public" in _rules(r.dependant))
    assert public == [
        "/api/v1/auth/refresh",
        "/api/v1/auth/token",
        "/healthz",
        "/metrics",
        "/readyz",
    ]


def test_routing_routes_declare_their_roles() -> None:
    """Routing (SPEC §2): staff route; whoever may be offered a case answers; helpers keep
    their own profile and supervisors everyone's."""
    from models.enums import Role

    staff = frozenset({Role.caseworker, Role.supervisor})
    takers = frozenset({Role.volunteer, Role.caseworker, Role.supervisor})
    helpers = frozenset({Role.volunteer, Role.caseworker})
    supervisors = frozenset({Role.supervisor})
    expected = {
        ("GET", "/api/v1/cases/{case_id}/suggestions"): staff,
        ("POST", "/api/v1/cases/{case_id}/offers"): staff,
        ("GET", "/api/v1/cases/{case_id}/decisions"): staff,
        ("POST", "/api/v1/offers/{offer_id}/accept"): takers,
        ("POST", "/api/v1/offers/{offer_id}/decline"): takers,
        ("GET", "/api/v1/me/offers"): takers,
        ("GET", "/api/v1/users/me/profile"): helpers,
        ("PATCH", "/api/v1/users/me/profile"): helpers,
        ("GET", "/api/v1/helpers"): supervisors,
        ("GET", "/api/v1/helpers/{user_id}"): supervisors,
        ("PATCH", "/api/v1/helpers/{user_id}"): supervisors,
    }
    declared = {
        (method, route.path): _rules(route.dependant)[0]
        for route in _api_routes()
        for method in route.methods or ()
        if (method, route.path) in expected
    }
    assert declared == expected
