"""The API's own documentation: Swagger UI at `/docs` and the OpenAPI document's error answers.

Swagger UI's files come from the `swagger-ui-bundle-v2` package and are served by the app
(FastAPI's "self-hosting" recipe), so `/docs` works with no internet and loads nothing from
another origin. Its version 5 is the first that reads OpenAPI 3.1, which FastAPI writes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

from models.problem import Problem
from service.platform.errors import NotFound, problem_content

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
OPENAPI_PATH = "/openapi.json"
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}
# The files change only with the package's version, which is part of a release.
ASSET_CACHE_CONTROL = "public, max-age=86400"

docs_router = APIRouter(include_in_schema=False)


@docs_router.get(DOCS_PATH, summary="Interactive API documentation")
async def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI for this API, with every file it needs served from here."""
    root = request.scope.get("root_path", "").rstrip("/")
    return get_swagger_ui_html(
        openapi_url=root + OPENAPI_PATH,
        title="OneStop API",
        swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon-32x32.png",
        # The validator badge would fetch an image from swagger.io on every visit.
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
    )


@docs_router.get(ASSETS_PATH + "/{name}", summary="A file of Swagger UI")
async def swagger_ui_asset(name: str) -> FileResponse:
    """One of the few Swagger UI files `/docs` loads; anything else is 404."""
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFound()
    return FileResponse(
        swagger_ui_path / name,
        media_type=media_type,
        headers={"Cache-Control": ASSET_CACHE_CONTROL},
    )


def problem_json_everywhere(schema: dict[str, Any]) -> None:
    """Document every error answer as problem JSON with an example, as the handlers send it,
    including the answers every operation may give (400, 413, 415, 422, 500)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in problem_schema.pop("$defs", {}).items():
        components[name] = definition
    components["Problem"] = problem_schema
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            # Every operation refuses query parameters it does not declare, so any may be 422.
            responses.setdefault("422", {"description": "Validation error"})
            if operation.get("requestBody"):
                responses.setdefault(
                    "400",
                    {"description": 'The body could not be parsed; its pointer is `""`.'},
                )
                responses.setdefault(
                    "415", {"description": "The body is not in a media type this operation reads"}
                )
            responses.setdefault("413", {"description": "Request body too large"})
            responses.setdefault("500", {"description": "Internal server error"})
            for status, response in responses.items():
                if str(status).startswith(("4", "5")) and not (
                    status == "503" and "content" in response
                ):
                    response["content"] = problem_content(int(status))
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)


ETAG_PATTERN = '^"[0-9]+"$'
"""A case's strong ETag: its version in double quotes."""
IF_MATCH_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"}


def preconditions_documented(schema: dict[str, Any]) -> None:
    """Document `If-Match` as required where a missing one is refused, and the ETag's shape.

    The handlers declare the header optional so that its absence reaches the service, which
    answers 428 (RFC 6585), not FastAPI's 422; the document says what is enforced."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
                    if "428" not in responses:
                        continue
                    parameter["required"] = True
                    parameter["schema"] = dict(IF_MATCH_SCHEMA)
                    parameter["description"] = (
                        "The ETag of what is changed (a case, an organization, a service) from "
                        "its last read or change (or `*`): without it the answer is 428, with an "
                        "older one 412."
                    )
            for status, response in responses.items():
                etag = response.get("headers", {}).get("ETag")
                if etag is not None and str(status).startswith("2"):
                    etag["required"] = True
                    etag["schema"] = {"type": "string", "pattern": ETAG_PATTERN}


CASE_PATH = "/api/v1/cases/{case_id}"
CASE_FROM_BODY = {"case_id": "$response.body#/id"}
CASE_AND_VERSION = {**CASE_FROM_BODY, "header.If-Match": "$response.header.ETag"}
# (the operation answering, its status) -> the links of that answer: name -> (method, path,
# parameters). A case's answers lead to what can be done with it next, with its ETag.
CASE_LINKS: dict[str, tuple[str, str, dict[str, str]]] = {
    "ReadCase": ("get", CASE_PATH, CASE_FROM_BODY),
    "ChangeCase": ("patch", CASE_PATH, CASE_AND_VERSION),
    "MoveCase": ("post", CASE_PATH + "/transitions", CASE_AND_VERSION),
    "CaseTimeline": ("get", CASE_PATH + "/timeline", CASE_FROM_BODY),
    "AddNote": ("post", CASE_PATH + "/notes", CASE_FROM_BODY),
    "CaseNotes": ("get", CASE_PATH + "/notes", CASE_FROM_BODY),
}
DUPLICATE_LINKS: dict[str, tuple[str, str, dict[str, str]]] = {
    "ConfirmDuplicate": (
        "post",
        CASE_PATH + "/duplicates/{link_id}/confirm",
        {**CASE_AND_VERSION, "link_id": "$response.body#/possible_duplicates/0/id"},
    ),
    "DismissDuplicate": (
        "post",
        CASE_PATH + "/duplicates/{link_id}/dismiss",
        {**CASE_FROM_BODY, "link_id": "$response.body#/possible_duplicates/0/id"},
    ),
}
USER_PATH = "/api/v1/users/{user_id}"
USER_FROM_BODY = {"user_id": "$response.body#/id"}
USER_LINKS: dict[str, tuple[str, str, dict[str, str]]] = {
    "ChangeUser": ("patch", USER_PATH, USER_FROM_BODY),
    "DeactivateUser": ("post", USER_PATH + "/deactivate", USER_FROM_BODY),
    "SetPassword": ("post", USER_PATH + "/password", USER_FROM_BODY),
}
LINKS: dict[tuple[str, str, str], dict[str, tuple[str, str, dict[str, str]]]] = {
    ("post", "/api/v1/cases", "201"): {**CASE_LINKS, **DUPLICATE_LINKS},
    ("post", "/api/v1/cases", "200"): {**CASE_LINKS, **DUPLICATE_LINKS},
    ("get", "/api/v1/cases", "200"): {
        "ReadListedCase": ("get", CASE_PATH, {"case_id": "$response.body#/items/0/id"})
    },
    ("get", CASE_PATH, "200"): CASE_LINKS,
    ("patch", CASE_PATH, "200"): CASE_LINKS,
    ("post", CASE_PATH + "/transitions", "200"): CASE_LINKS,
    ("post", CASE_PATH + "/notes", "201"): {
        "CaseNotes": ("get", CASE_PATH + "/notes", {"case_id": "$response.body#/case_id"})
    },
    ("post", "/api/v1/users", "201"): USER_LINKS,
}


def links_declared(schema: dict[str, Any]) -> None:
    """Declare OpenAPI links from the answers that name a case (or an account) to the
    operations on it, so clients and stateful testers can follow them."""
    paths = schema.get("paths", {})
    for (method, path, status), links in LINKS.items():
        response = paths[path][method]["responses"][status]
        response["links"] = {
            name: {
                "operationId": paths[target_path][target_method]["operationId"],
                "parameters": dict(parameters),
            }
            for name, (target_method, target_path, parameters) in links.items()
        }
