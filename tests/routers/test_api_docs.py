"""The API documents itself: `/docs` works offline, every route has a written summary, every
error answer has an example, and every request example in the OpenAPI succeeds."""

from __future__ import annotations

import re
from typing import Any

from models.base import utcnow
from models.enums import Role
from models.problem import Problem
from service.demo.agencies import DIRECTORY_FILE
from service.routing.hsds import import_directory
from tests.support.routes import app_routes

URL_ATTRIBUTE = re.compile(r"""(?:src|href)=["']([^"']+)["']|url:\s*["']([^"']+)["']""")


def _generated_summary(name: str) -> str:
    """What FastAPI writes when a route has no summary of its own."""
    return name.replace("_", " ").title()


async def test_docs_load_only_same_origin_assets_and_they_are_served(client) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "http://" not in html and "https://" not in html
    urls = [a or b for a, b in URL_ATTRIBUTE.findall(html)]
    assert len(urls) >= 4  # css, favicon, script, OpenAPI document
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 500, url
    script = next(u for u in urls if u.endswith(".js"))
    assert "SwaggerUIBundle" in (await client.get(script)).text


async def test_only_the_listed_docs_assets_are_served(client) -> None:
    for name in ("index.html", "swagger-initializer.js", "..%2F__init__.py", "nothing"):
        response = await client.get(f"/docs/assets/{name}")
        assert response.status_code == 404, name
        assert response.headers["content-type"] == "application/problem+json"


async def test_every_route_has_a_written_summary(app) -> None:
    routes = [r for r in app_routes(app)]
    assert len(routes) >= 35
    for route in routes:
        assert route.summary, route.path
        assert route.summary != _generated_summary(route.name), route.path
        assert route.description, route.path  # the handler's docstring
    schema = app.openapi()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            generated = _generated_summary(operation["operationId"].split("_api_")[0])
            assert operation["summary"] != generated, (method, path)


def _problem_responses(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (f"{method} {path}", status, response)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for status, response in operation["responses"].items()
        if status[0] in "45" and "application/problem+json" in response.get("content", {})
    ]


async def test_every_problem_answer_has_a_valid_example(app) -> None:
    answers = _problem_responses(app.openapi())
    assert len(answers) > 100
    for where, status, response in answers:
        examples = response["content"]["application/problem+json"].get("examples", {})
        assert examples, (where, status)
        for example in examples.values():
            problem = Problem.model_validate(example["value"])
            assert problem.status == int(status), (where, status)
            assert problem.detail and problem.title, (where, status)


async def test_every_request_body_example_succeeds(app, client, actors, session) -> None:
    # The directory's examples name a demo organization; only admins manage the directory.
    await import_directory(session, text=DIRECTORY_FILE.read_text(encoding="utf-8"), now=utcnow())
    await session.commit()
    sent = 0
    for path, item in app.openapi()["paths"].items():
        role = Role.admin if path.startswith("/api/v1/directory") else Role.caseworker
        headers = actors[role].headers
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media_type, media in content.items():
                examples = list(media.get("examples", {}).values())
                if "example" in media:
                    examples.append({"value": media["example"]})
                for example in examples:
                    response = await client.request(
                        method,
                        path,
                        json=example["value"],
                        headers={**headers, "content-type": media_type},
                    )
                    assert 200 <= response.status_code < 300, (path, response.text)
                    sent += 1
    assert sent >= 1  # at least the intake


async def test_errors_every_operation_can_give_are_documented(app) -> None:
    schema = app.openapi()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert {"413", "422", "500"} <= set(responses), (method, path)
            if "requestBody" in operation:
                assert {"400", "415"} <= set(responses), (method, path)


async def test_if_match_is_documented_required_where_a_missing_one_is_refused(app, client) -> None:
    schema = app.openapi()
    required = {
        (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "If-Match" and parameter["required"]
    }
    assert required == {
        ("patch", "/api/v1/cases/{case_id}"),
        ("post", "/api/v1/cases/{case_id}/transitions"),
        ("post", "/api/v1/cases/{case_id}/duplicates/{link_id}/confirm"),
        ("put", "/api/v1/directory/organizations/{organization_id}"),
        ("patch", "/api/v1/directory/organizations/{organization_id}"),
        ("put", "/api/v1/directory/services/{service_id}"),
    }
    for method, path in required:
        assert {"412", "428"} <= set(schema["paths"][path][method]["responses"]), path


async def test_intake_links_to_the_case_operations_with_its_etag(app) -> None:
    paths = app.openapi()["paths"]
    operation_ids = {
        operation["operationId"]: (method, path)
        for path, item in paths.items()
        for method, operation in item.items()
    }
    links = paths["/api/v1/cases"]["post"]["responses"]["201"]["links"]
    targets = {operation_ids[link["operationId"]]: link["parameters"] for link in links.values()}
    case = "/api/v1/cases/{case_id}"
    for target in (
        ("get", case),
        ("patch", case),
        ("post", case + "/transitions"),
        ("get", case + "/timeline"),
        ("post", case + "/notes"),
    ):
        assert targets[target]["case_id"] == "$response.body#/id", target
    assert targets[("patch", case)]["header.If-Match"] == "$response.header.ETag"
    listed = paths["/api/v1/cases"]["get"]["responses"]["200"]["links"]["ReadListedCase"]
    assert operation_ids[listed["operationId"]] == ("get", case)
