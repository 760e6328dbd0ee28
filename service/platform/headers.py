"""Headers every answer carries, whichever route (or error handler) made it.

- `X-Content-Type-Options: nosniff` on every answer: a browser never guesses a type.
- `Cache-Control: no-store` on every answer under the API prefix, errors included, since nearly
  all of them carry personal data and a cache (browser, proxy, shared phone) must keep none.
  A route opts out by setting its own `Cache-Control` on its successful answers: reference data
  under `/api/v1/meta` is `private, max-age=3600` (the same for every caller, no personal data,
  changes only with a release). An error answer is `no-store` whatever the route set.
- No `Server` header: uvicorn's is switched off where the server is started (`onestop serve`).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NO_STORE = "no-store"


class SecurityHeadersMiddleware:
    """Adds `nosniff` to every answer and `no-store` to the API's (see the module text)."""

    def __init__(self, app: ASGIApp, *, api_prefix: str) -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        in_api = path == self.api_prefix or path.startswith(self.api_prefix + "/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if in_api and (message["status"] >= 400 or "cache-control" not in headers):
                    headers["Cache-Control"] = NO_STORE
            await send(message)

        await self.app(scope, receive, send_with_headers)
