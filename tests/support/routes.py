"""The routes an app serves, as its routers declared them."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts


def app_routes(app: Any) -> list[APIRoute]:
    """Every API route of `app`, each once (included routers are walked)."""
    routes = [context.route for context in iter_route_contexts(app.routes)]
    return [route for route in routes if isinstance(route, APIRoute)]
