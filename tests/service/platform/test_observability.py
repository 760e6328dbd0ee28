"""JSON log lines: error records keep the exception's type and frames, never its message."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

from service.platform.observability import JsonFormatter
from tests.conftest import ROOT

MARKER = "zq-refused-value-5521"
FRAME = re.compile(r"^.+\.py:\d+ in [\w<>]+$")


def _record(message: str, error: BaseException) -> logging.LogRecord:
    return logging.LogRecord(
        "asyncio",
        logging.ERROR,
        __file__,
        1,
        message,
        None,
        (type(error), error, error.__traceback__),
    )


def _database_error() -> BaseException:
    def quote_the_value() -> None:
        raise ValueError(f"invalid input for query argument $2: '{MARKER}'")

    try:
        try:
            quote_the_value()
        except ValueError as cause:
            raise RuntimeError(f"statement failed: {cause}") from cause
    except RuntimeError as error:
        return error
    raise AssertionError("unreachable")


def test_an_error_line_has_type_causes_and_frames_but_no_message() -> None:
    error = _database_error()
    # asyncio, for one, writes the exception into the message itself.
    line = JsonFormatter().format(_record(f"Task exception was never retrieved: {error!r}", error))
    entry = json.loads(line)
    assert MARKER not in line
    assert entry["error"] == "RuntimeError"
    assert entry["causes"] == ["ValueError"]
    assert entry["message"].startswith("Task exception was never retrieved: ")
    assert entry["stack"] and all(FRAME.match(frame) for frame in entry["stack"])
    assert any(frame.endswith(" in _database_error") for frame in entry["stack"])


def test_a_library_error_is_named_with_its_module() -> None:
    error = json.JSONDecodeError(f"bad {MARKER}", MARKER, 0)
    line = JsonFormatter().format(_record("decoding failed", error))
    assert MARKER not in line
    assert json.loads(line)["error"] == "json.decoder.JSONDecodeError"


def test_the_logging_configuration_makes_every_line_json() -> None:
    script = f"""
import logging, logging.config
from service.platform.observability import logging_config
logging.config.dictConfig(logging_config("info"))
logging.getLogger("uvicorn.error").info("Started server process [%d]", 1)
logging.getLogger("uvicorn.access").info("GET /api/v1/cases?q={MARKER} 200")
logging.getLogger("alembic.runtime.migration").info("Running upgrade")
try:
    raise KeyError("{MARKER}")
except KeyError:
    logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines = result.stderr.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["message"] for e in entries] == [
        "Started server process [1]",
        "Exception in ASGI application",
    ]
    assert entries[1]["error"] == "KeyError"
    assert MARKER not in result.stderr
