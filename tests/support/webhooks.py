"""A real webhook receiver on loopback for the delivery tests, and an agency whose service has
a webhook endpoint with a secret made through the API."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.support.referrals import Agency, make_agency

WEBHOOKS = "/api/v1/webhooks"
Answer = tuple[int, dict[str, str]]


@dataclass
class Received:
    webhook_id: str
    verified: bool
    status: int
    payload: dict[str, Any] | None


@dataclass
class Receiver:
    """An HTTP server in a thread: verifies each request with the standard's package and
    answers from `script` (per `webhook-id`, in order; 200 once the script is used up)."""

    script: list[Answer] = field(default_factory=list)
    secret: str | None = None
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {key.lower(): value for key, value in self.headers.items()}
                receiver.answer(self, body, headers)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, handler: BaseHTTPRequestHandler, body: bytes, headers: dict[str, str]) -> None:
        webhook_id = headers.get("webhook-id", "")
        payload = None
        try:
            assert self.secret is not None
            payload = Webhook(self.secret).verify(body, headers)
            verified = True
        except (WebhookVerificationError, AssertionError, ValueError):
            verified = False
        seen = sum(1 for r in self.received if r.webhook_id == webhook_id)
        status, extra = self.script[seen] if seen < len(self.script) else (200, {})
        if not verified:
            status, extra = 400, {}
        self.received.append(Received(webhook_id, verified, status, payload))
        handler.send_response(status)
        for name, value in extra.items():
            handler.send_header(name, value)
        handler.send_header("content-length", "0")
        handler.end_headers()

    def accepted(self) -> Counter[str]:
        """How many times each `webhook-id` was answered 2xx."""
        return Counter(r.webhook_id for r in self.received if 200 <= r.status < 300)


async def new_secret(
    client: httpx.AsyncClient, headers: dict[str, str], service_id: Any
) -> httpx.Response:
    return await client.post(f"{WEBHOOKS}/endpoints/{service_id}/secret", headers=headers)


async def hooked_agency(
    client: httpx.AsyncClient, session: Any, make_actor: Any, *, name: str, url: str
) -> tuple[Agency, str]:
    """An agency whose service sends webhooks to `url`, and the secret its staff made."""
    agency = await make_agency(session, make_actor, name=name, webhook_url=url)
    made = await new_secret(client, agency.staff.headers, agency.service.id)
    assert made.status_code == 200, made.text
    return agency, str(made.json()["secret"])
