"""Every route refuses query parameters it does not declare: `?stauts=new` is a 422 naming
`stauts`, never a silently unfiltered list. The routes are walked, so none is forgotten."""

from __future__ import annotations

import string
import uuid

import pytest

from models.enums import Role
from service.platform.request_rules import route_inputs
from tests.support.routes import app_routes

KNOWN_VALUES = {"code": "10", "name": "swagger-ui.css", "relative": "js/main.js"}


def _path(path_format: str) -> str:
    """The route's path with a value for each parameter (a new id for any `*_id`)."""
    names = [field for _, field, _, _ in string.Formatter().parse(path_format) if field]
    return path_format.format(**{n: KNOWN_VALUES.get(n, uuid.uuid4()) for n in names})


async def test_every_route_refuses_unknown_query_parameters(app, client) -> None:
    routes = app_routes(app)
    assert len(routes) >= 35
    for route in routes:
        for method in route.methods:
            response = await client.request(
                method, _path(route.path_format) + "?stauts=new&limit=5&x-y=1"
            )
            assert response.status_code == 422, (method, route.path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            errors = response.json()["errors"]
            expected = (
                ["stauts", "x-y"]
                if "limit" in route_inputs(route).query_names
                else [
                    "stauts",
                    "limit",
                    "x-y",
                ]
            )
            assert [(e["parameter"], e["in"], e["type"]) for e in errors] == [
                (name, "query", "unknown_parameter") for name in expected
            ], (method, route.path)


async def test_declared_parameters_are_never_called_unknown(app, client, actors) -> None:
    """Each route's own parameters (by their public names) pass the check."""
    headers = actors[Role.supervisor].headers
    for route in app_routes(app):
        names = route_inputs(route).query_names
        if not names:
            continue
        query = "&".join(f"{name}=1" for name in sorted(names))
        for method in route.methods:
            response = await client.request(
                method, f"{_path(route.path_format)}?{query}", headers=headers
            )
            kinds = {e.get("type") for e in response.json().get("errors", [])}
            assert "unknown_parameter" not in kinds, (method, route.path)


@pytest.mark.parametrize("query", ["stauts=new", "status=new&Status=new", "q=a&q[]=b"])
async def test_a_misspelt_case_filter_is_not_an_unfiltered_list(client, actors, query) -> None:
    response = await client.get(f"/api/v1/cases?{query}", headers=actors[Role.caseworker].headers)
    assert response.status_code == 422
    assert all(e["in"] == "query" for e in response.json()["errors"])


async def test_the_real_filter_still_filters(client, actors) -> None:
    response = await client.get(
        "/api/v1/cases?status=new&status=screened&limit=5", headers=actors[Role.caseworker].headers
    )
    assert response.status_code == 200
