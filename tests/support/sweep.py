"""Valid requests, their leaves, and one-leaf mutations of them, for the input sweep."""

from __future__ import annotations

import copy
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from tests.support.extremes import ABSENT, RawJSON, json_text

SWEPT_HEADERS = ("Authorization", "Content-Type", "If-Match", "Idempotency-Key", "Accept-Language")
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ValidRequest:
    """A request the operation accepts (2xx) from the caller it names."""

    method: str
    path: str  # the OpenAPI template, e.g. /api/v1/cases/{case_id}
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = ABSENT
    form: dict[str, str] | None = None


@dataclass(frozen=True)
class Leaf:
    """One place of a request: ("body", ("client", "phone")), ("query", "cursor")..."""

    where: str
    name: str | tuple[Any, ...]

    def __str__(self) -> str:
        if self.where == "body":
            return "body:/" + "/".join(str(part) for part in self.name)
        return f"{self.where}:{self.name}"


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The schema behind `$ref`s, with `anyOf: [X, null]` narrowed to X."""
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[1]]
            continue
        options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
        if len(options) == 1:
            schema = {**schema, **options[0]}
            del schema["anyOf"]
            continue
        return schema


def schema_leaves(
    schema: dict[str, Any], components: dict[str, Any], prefix: tuple[Any, ...] = ()
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Every place in a body the schema describes (arrays by their first item), with its
    resolved schema."""
    schema = _resolve(schema, components)
    found = {prefix: schema}
    for name, child in schema.get("properties", {}).items():
        found.update(schema_leaves(child, components, (*prefix, name)))
    if "items" in schema:
        found.update(schema_leaves(schema["items"], components, (*prefix, 0)))
    return found


def value_leaves(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every node of a JSON document, containers and the root included."""
    yield prefix
    if isinstance(value, dict):
        for name, child in value.items():
            yield from value_leaves(child, (*prefix, name))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from value_leaves(child, (*prefix, index))


def body_leaves(
    request: ValidRequest, operation: dict[str, Any], components: dict[str, Any]
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The body's nodes (of the valid body and of its schema), each with its schema."""
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return {}
    schema = next(iter(content.values()))["schema"]
    described = schema_leaves(schema, components)
    document = request.form if request.form is not None else request.json
    places = dict(described)
    for place in value_leaves(document):
        generic = tuple(0 if isinstance(part, int) else part for part in place)
        places.setdefault(place, described.get(generic, {}))
    return places


def value_at(document: Any, place: tuple[Any, ...]) -> Any:
    for part in place:
        try:
            document = document[part]
        except (KeyError, IndexError, TypeError):
            return ABSENT
    return document


def replaced(document: Any, place: tuple[Any, ...], value: Any) -> Any:
    """A copy of `document` with the node at `place` replaced (created when missing)."""
    if not place:
        return value
    result = copy.deepcopy(document)
    node = result
    for part in place[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(part, {})
        elif isinstance(node, list) and isinstance(part, int):
            while len(node) <= part:
                node.append({})
            node = node[part]
    last = place[-1]
    if isinstance(node, dict):
        if value is ABSENT:
            node.pop(last, None)
        else:
            node[last] = value
    elif isinstance(node, list) and isinstance(last, int):
        if value is ABSENT:
            if last < len(node):
                del node[last]
        elif last < len(node):
            node[last] = value
        else:
            node.append(value)
    return result


def as_text(value: Any) -> str:
    """How a value travels in a path, a query string or a header."""
    if isinstance(value, str):
        return value
    if isinstance(value, RawJSON):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return ",".join(as_text(item) for item in value)
    return json_text(value)


def header_bytes(value: Any) -> bytes:
    """A header value as it can arrive over HTTP/1.1: bytes with no CR, LF, NUL or other
    control characters (servers refuse those before the app sees them), no outer spaces."""
    raw = as_text(value).encode("utf-8")
    kept = bytes(b for b in raw if b == 0x09 or 0x20 <= b != 0x7F)
    return kept.strip(b" \t")


@dataclass
class Sent:
    method: str
    url: str
    headers: list[tuple[str, bytes]]
    content: bytes | None


def build(request: ValidRequest, leaf: Leaf | None = None, value: Any = ABSENT) -> Sent:
    """The HTTP request for `request` with `leaf` replaced by `value` (or as it is)."""
    path_params = dict(request.path_params)
    query = dict(request.query)
    headers: dict[str, Any] = dict(request.headers)
    document = request.form if request.form is not None else request.json
    if leaf is not None:
        if leaf.where == "path":
            path_params[str(leaf.name)] = value
        elif leaf.where == "query":
            query[str(leaf.name)] = value
        elif leaf.where == "header":
            headers[str(leaf.name)] = value
        else:
            assert isinstance(leaf.name, tuple)
            document = replaced(document, leaf.name, value)
    path = request.path
    for name, raw in path_params.items():
        text = "" if raw is ABSENT else as_text(raw)
        path = path.replace("{" + name + "}", quote(text, safe=""))
    pairs: list[tuple[str, str]] = []
    for name, raw in query.items():
        if raw is ABSENT:
            continue
        for item in raw if isinstance(raw, list) else [raw]:
            pairs.append((name, as_text(item)))
    url = path + ("?" + urlencode(pairs) if pairs else "")
    content: bytes | None = None
    if request.form is not None and document is not ABSENT:
        content = _form_bytes(document)
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif request.form is None and document is not ABSENT:
        content = json_text(document).encode("utf-8", "surrogatepass")
        headers.setdefault("Content-Type", "application/json")
    sent_headers = [(name, header_bytes(raw)) for name, raw in headers.items() if raw is not ABSENT]
    return Sent(request.method, url, sent_headers, content)


def _form_bytes(document: Any) -> bytes | None:
    if document is ABSENT:
        return None
    if isinstance(document, dict):
        pairs = [
            (str(name), as_text(item))
            for name, raw in document.items()
            if raw is not ABSENT
            for item in (raw if isinstance(raw, list) else [raw])
        ]
        return urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode()
    return json_text(document).encode("utf-8", "surrogatepass")


@dataclass
class Outcome:
    status: int | None
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None or (self.status is not None and self.status >= 500)


async def send(client: httpx.AsyncClient, sent: Sent) -> Outcome:
    """Send through a client whose transport raises the app's exceptions."""
    try:
        response = await client.request(
            sent.method, sent.url, headers=sent.headers, content=sent.content
        )
    except Exception as error:
        return Outcome(None, describe(error))
    return Outcome(response.status_code)


def describe(error: BaseException) -> str:
    """The exception, the innermost frame of this project it passed through and, when
    different, the innermost frame of all (often in a library)."""
    if isinstance(error, BaseExceptionGroup) and error.exceptions:
        return describe(error.exceptions[0])
    frames = traceback.extract_tb(error.__traceback__)
    ours = [
        frame
        for frame in frames
        if frame.filename.startswith(str(ROOT))
        and not frame.filename.startswith((str(ROOT / "tests"), str(ROOT / ".venv")))
    ]
    places = [_place(frame) for frame in (ours[-1:] + frames[-1:])]
    message = str(error).splitlines()[0][:100] if str(error) else ""
    return f"{type(error).__name__}({message!r}) at " + " ... ".join(dict.fromkeys(places))


def _place(frame: traceback.FrameSummary) -> str:
    path = Path(frame.filename)
    shown_path = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return f"{shown_path}:{frame.lineno} ({frame.name})"


def shown(value: Any, limit: int = 160) -> str:
    text = repr(value)
    if len(text) > limit:
        return text[: limit - 20] + f"...(len {len(text)})"
    return text
