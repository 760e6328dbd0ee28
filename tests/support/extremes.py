"""Hypothesis strategies for extreme request values, and a deterministic way to draw them.

Values are plain Python data (what `json.loads` could give) plus two markers: `ABSENT` (leave
the field, parameter or header out) and `RawJSON` (text spliced into a JSON body verbatim, for
what Python's `json.dumps` will not write: a 5,000-digit number, a lone surrogate escape,
nesting deeper than the parser's recursion limit).
"""

from __future__ import annotations

import base64
import json
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from jose import jwt

from service.platform.pagination import encode_cursor


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class RawJSON:
    """JSON text sent as it is."""

    text: str

    def __repr__(self) -> str:
        shown = self.text if len(self.text) <= 60 else self.text[:40] + f"...({len(self.text)})"
        return f"RawJSON({shown!r})"


# Letters that grow when case-folded or normalised (ß → ss, ﬃ → ffi, İ → i̇, ŉ → ʼn, ΐ → ΐ),
# then right-to-left text, combining marks, emoji, astral characters, controls and formats.
GROWING = ["ß", "ﬃ", "İ", "ŉ", "ΐ", "ﷺ"]
SHARP_CHARACTERS = [
    *GROWING,
    "\u0301",  # combining acute
    "\u0e49",  # Thai tone mark
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u200d",  # zero-width joiner
    "\ufeff",  # byte-order mark
    "\u05d0",  # Hebrew alef
    "\u0627",  # Arabic alef
    "\U0001f469\u200d\U0001f467",  # emoji sequence
    "\U0001f600",
    "\U00010348",  # Gothic hwair (astral)
    "\U0010fffd",  # last private-use plane
    "\x00",
    "\x01",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufffd",
    "๙",  # Thai digit nine
    "٣",  # Arabic-Indic digit
    "９",  # fullwidth digit
    " ",
    "\t",
    "\n",
    "%",
    "'",
    '"',
    "\\",
    "/",
    ",",
    ";",
    "*",
]
LENGTHS = [1, 2, 4, 13, 20, 32, 33, 36, 37, 50, 64, 65, 100, 101, 200, 255, 256, 4000, 4001]
INTS = [
    0,
    -1,
    1,
    2**31 - 1,
    2**31,
    -(2**31),
    -(2**31) - 1,
    2**53 + 1,
    2**63 - 1,
    2**63,
    -(2**63),
    -(2**63) - 1,
    2**64,
    10**30,
    1880,
    2400,
    2700,
    2701,
    9999,
    10000,
]
FLOATS = [-0.0, 0.5, 1e308, -1e308, 5e-324, 1.7976931348623157e308, 90.0000001, -180.5]
RAW_JSON = [
    RawJSON("NaN"),
    RawJSON("Infinity"),
    RawJSON("-Infinity"),
    RawJSON("1e999"),
    RawJSON("-1e999"),
    RawJSON("1" + "0" * 5000),
    RawJSON('"\\ud800"'),
    RawJSON('"\\udfff\\ud800"'),
    RawJSON("[" * 5000 + "]" * 5000),
    RawJSON('{"a":' * 2000 + "1" + "}" * 2000),
]
YEARS = [0, 1, 2, 999, 1582, 1879, 1900, 1969, 1970, 2024, 2038, 2399, 2400]
YEARS += [2543, 2567, 2568, 2569, 2570, 9455, 9456, 9999, 10000]
MONTH_DAYS = ["01-01", "02-28", "02-29", "02-30", "04-31", "12-31", "00-00", "13-01", "1-1"]
TIMES = [
    "00:00:00",
    "23:59:59",
    "23:59:59.999999",
    "24:00:00",
    "23:59:60",
    "00:00",
    "12:00:00.1234567",
]
OFFSETS = ["", "Z", "z", "+00:00", "-00:00", "+07:00", "+14:00", "-14:00", "+23:59", "-23:59"]
OFFSETS += ["+24:00", "+0700", "+07", "+23:59:59", "+07:00[Asia/Bangkok]"]
NAMED_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:30:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59-23:59",
    "2567-02-29T00:00:00+07:00",
    "2024-02-29T00:00:00",
    "2024-02-29T00:00:00+23:59",
    "0000-00-00T00:00:00Z",
]

SOME_ID = "3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5d"
SHARP_TIMES = [
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-14:00",
    "2567-02-29T00:00:00+07:00",
    "2024-02-29T00:00:00",
]
SHARP_DATES = ["0001-01-01", "9999-12-31", "2567-02-29", "2400-02-29", "0000-01-01"]
SHARP_NUMBERS = [2**31, 2**63, 1e308, RawJSON("NaN")]
SHARP_PATH_VALUES = ["ß" * 36, "\x00", "00000000-0000-0000-0000-000000000000", "๑๐"]
SHARP_CLAIMS = [("exp", 2**40), ("exp", 2**63), ("iat", -(2**63)), ("iat", -1e308)]
SHARP_CURSORS = [
    *(encode_cursor([at, SOME_ID]) for at in SHARP_TIMES),
    encode_cursor([2**31]),
    encode_cursor([2**63]),
    encode_cursor([-1]),
    encode_cursor(["a\x00"]),
    encode_cursor(["ß" * 300]),
    base64.urlsafe_b64encode(b'["\\ud800"]').decode().rstrip("="),
]


def sharp_for(schema: dict[str, Any], valid: Any) -> list[Any]:
    """The few values always sent to a leaf of this schema: letters that grow when folded at
    the column's length, NUL, dates at the calendar's edges, numbers past int32 and int64."""
    kind = schema.get("type") or type(valid).__name__
    if schema.get("format") == "date-time":
        return SHARP_TIMES
    if "\\d{4}-" in str(schema.get("pattern", "")):
        return SHARP_DATES
    if kind in ("integer", "number", "int", "float"):
        return SHARP_NUMBERS
    if kind in ("string", "str") and "enum" not in schema:
        length = schema.get("maxLength") or 5000
        return [letter * length for letter in GROWING[:3]] + ["a\x00", RawJSON('"a\\ud800"')]
    if kind in ("string", "str"):
        return ["a\x00", str(valid).upper()]
    return []


class Forged(str):
    """A token signed with the right key whose claims were altered; shown by what changed."""

    note: str

    def __new__(cls, text: str, note: str) -> Forged:
        made = super().__new__(cls, text)
        made.note = note
        return made

    def __repr__(self) -> str:
        return f"<token signed with the right key, {self.note}>"


def forge(secret: str, claims: dict[str, Any], name: str, value: Any, prefix: str = "") -> Forged:
    """A token signed with `secret` whose claim `name` is `value` (ABSENT: removed)."""
    body = {k: v for k, v in claims.items() if k != name}
    if value is not ABSENT:
        body[name] = value
    token = jwt.encode(body, secret, algorithm="HS256")
    return Forged(prefix + token, f"{name}={value!r}")


atoms = st.one_of(
    st.sampled_from(INTS),
    st.sampled_from(FLOATS),
    st.booleans(),
    st.none(),
    st.just(""),
)


@st.composite
def long_strings(draw: st.DrawFn, max_length: int | None = None) -> str:
    """A sharp character repeated to a column's edge, or far past it."""
    lengths = [*LENGTHS, 65536]
    if max_length is not None:
        lengths += [max_length, max_length + 1]
    character = draw(st.sampled_from(SHARP_CHARACTERS))
    return character * draw(st.sampled_from(lengths))


every_category_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40
)
mixed_text = st.lists(st.sampled_from(SHARP_CHARACTERS), min_size=1, max_size=12).map("".join)


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    """A date or date-time at a calendar edge, in one of the ISO 8601 shapes people write."""
    if draw(st.booleans()):
        return draw(st.sampled_from(NAMED_TIMES))
    year = draw(st.sampled_from(YEARS))
    text = f"{year:04d}-{draw(st.sampled_from(MONTH_DAYS))}"
    if draw(st.integers(0, 3)) == 0:
        return text
    separator = draw(st.sampled_from(["T", " ", "t"]))
    return text + separator + draw(st.sampled_from(TIMES)) + draw(st.sampled_from(OFFSETS))


uuid_texts = st.sampled_from(
    [
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
        "{3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5d}",
        "urn:uuid:3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5d",
        "3f1c2a8e4a3b4bb09d4c9d1f2a3b4c5d",
        "3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5",
        "me",
        "none",
    ]
) | st.uuids().map(str)


def texts(max_length: int | None = None) -> st.SearchStrategy[str]:
    return st.one_of(
        long_strings(max_length),
        every_category_text,
        mixed_text,
        date_texts(),
        uuid_texts,
        st.sampled_from(["null", "true", "0", "-0", "1e308", "NaN", "Infinity", "[]", "{}"]),
    )


def values(max_length: int | None = None) -> st.SearchStrategy[Any]:
    """Any extreme value: strings, numbers at the edges, wrong JSON types, absence."""
    scalars = st.one_of(texts(max_length), atoms, st.sampled_from(RAW_JSON), st.just(ABSENT))
    containers = st.one_of(
        st.lists(st.one_of(atoms, texts()), max_size=3),
        st.dictionaries(st.sampled_from(["", "a", "$ref", "__proto__"]), atoms, max_size=2),
        st.lists(st.just("x"), min_size=1001, max_size=1001),
    )
    return st.one_of(scalars, scalars, scalars, containers)


def near(valid: Any, max_length: int | None = None) -> st.SearchStrategy[Any]:
    """Variants of a valid value: its digits in other scripts, sharp characters around it,
    repeated past its column, wrapped in a list or an object."""
    options: list[st.SearchStrategy[Any]] = [st.just([valid]), st.just({"value": valid})]
    if isinstance(valid, str) and valid:
        for digits in ("๐๑๒๓๔๕๖๗๘๙", "٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９"):
            options.append(st.just(valid.translate(str.maketrans("0123456789", digits))))
        options.append(st.sampled_from(SHARP_CHARACTERS).map(lambda c: valid + c))
        options.append(st.sampled_from(SHARP_CHARACTERS).map(lambda c: c + valid))
        options.append(st.just(valid.upper() if valid != valid.upper() else valid.lower()))
        if max_length:
            options.append(st.just((valid * (max_length // len(valid) + 2))[: max_length + 1]))
    return st.one_of(options)


def cursors() -> st.SearchStrategy[str]:
    """Cursors of every shape this service makes, holding extreme values, and garbage."""
    time_id = st.tuples(st.one_of(date_texts(), atoms), st.one_of(uuid_texts, atoms))
    shaped = st.one_of(
        time_id.map(list),
        st.lists(st.one_of(atoms, texts(), date_texts()), max_size=3),
        st.sampled_from(INTS).map(lambda n: [n]),
    ).map(encode_cursor)
    raw = st.sampled_from(
        [
            '["\\ud800","3f1c2a8e-4a3b-4bb0-9d4c-9d1f2a3b4c5d"]',
            '["a\\u0000b"]',
            "[NaN]",
            "[Infinity]",
            "[1e999]",
            "[" + "1" * 400 + "]",
            "[" * 300 + "]" * 300,
            '{"a":1}',
            '"x"',
            "null",
        ]
    ).map(lambda text: base64.urlsafe_b64encode(text.encode()).decode().rstrip("="))
    noise = st.binary(max_size=300).map(lambda b: base64.urlsafe_b64encode(b).decode())
    return st.one_of(shaped, shaped, raw, noise, texts(512))


def signed_tokens(
    secret: str, claims: dict[str, Any], prefix: str = ""
) -> st.SearchStrategy[Forged]:
    """Tokens signed with the right key whose claims are replaced, one at a time, by extremes
    (what a leaked or mis-issued token could hold)."""
    claim_values = st.one_of(atoms, st.sampled_from(FLOATS), texts(), uuid_texts, st.just(ABSENT))
    return st.builds(
        lambda name, value: forge(secret, claims, name, value, prefix),
        st.sampled_from(sorted(claims)),
        claim_values,
    )


def draw_examples(strategy: st.SearchStrategy[Any], count: int, label: str) -> list[Any]:
    """`count` values of `strategy`, the same on every run for the same `label`.

    Hypothesis drives a synchronous function that only records what it is given; nothing
    async runs inside it, so the event loop of the async tests is never entered from
    Hypothesis. The seed comes from `label`, so each leaf gets its own deterministic draw.
    """
    found: list[Any] = []

    @seed(zlib.crc32(label.encode()))
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def record(value: Any) -> None:
        found.append(value)

    record()
    unique: list[Any] = []
    seen: set[str] = set()
    for value in found:
        key = repr(value)
        if key not in seen:
            seen.add(key)
            unique.append(value)
    return unique[:count]


def json_text(value: Any) -> str:
    """`value` as JSON, with `RawJSON` parts spliced in verbatim and NaN written as NaN."""
    raws: dict[str, str] = {}

    def swap(item: Any) -> Any:
        if isinstance(item, RawJSON):
            marker = f"@@raw-{uuid.uuid4().hex}@@"
            raws[f'"{marker}"'] = item.text
            return marker
        if isinstance(item, dict):
            return {k: swap(v) for k, v in item.items() if v is not ABSENT}
        if isinstance(item, list):
            return [swap(v) for v in item if v is not ABSENT]
        return item

    text = json.dumps(swap(value), ensure_ascii=False)
    for marker, raw in raws.items():
        text = text.replace(marker, raw)
    return text
