"""uvicorn's HTTP protocols, answering a request they cannot parse with problem JSON.

uvicorn parses HTTP itself (httptools, or h11) and answers what it cannot parse (a control
character in a header, a malformed request line) with a plain-text 400 before the app sees
anything. These subclasses write the same 400 as problem JSON instead. The request's own
`Accept-Language` is unreadable at that point, so the words are in the default language.
uvicorn takes them by import path: `uvicorn.run(..., http=PROBLEM_HTTP_PROTOCOL)`.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.platform.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from service.platform.messages import PROBLEMS
from service.reference_data.labels import DEFAULT_LANGUAGE

# httptools comes with uvicorn[standard] and is what uvicorn picks when it is installed.
PROBLEM_HTTP_PROTOCOL = "service.platform.http_protocols:ProblemHttpToolsProtocol"


def unparsable_request_answer(default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """The whole HTTP/1.1 400 answer, problem JSON, after which the connection closes."""
    text = PROBLEMS["bad-request"]
    body = json.dumps(
        {
            "type": PROBLEM_BASE + "bad-request",
            "title": text.title.in_language(DEFAULT_LANGUAGE),
            "status": 400,
            "detail": text.detail.in_language(DEFAULT_LANGUAGE),
        },
        ensure_ascii=False,
    ).encode()
    headers = [
        *default_headers,
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-language", DEFAULT_LANGUAGE.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    return b"HTTP/1.1 400 Bad Request\r\n" + head + b"\r\n" + body


class ProblemH11Protocol(H11Protocol):
    """uvicorn's h11 protocol; an unparsable request gets a problem JSON 400."""

    def send_400_response(self, msg: str) -> None:
        self.transport.write(unparsable_request_answer(self.server_state.default_headers))
        self.transport.close()


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol; an unparsable request gets a problem JSON 400."""

    def send_400_response(self, msg: str) -> None:
        self.transport.write(unparsable_request_answer(self.server_state.default_headers))
        self.transport.close()
