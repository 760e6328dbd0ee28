"""The README's walk-through, run as written against a live demo server: a report, screening,
suggestions, an offer accepted, a referral sharing contact and summary, the agency's read and
answers, resolving and closing, and the timeline of every step."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import LiveServer

README = Path(__file__).resolve().parents[3] / "README.md"
BASH = shutil.which("bash") or "/bin/bash"
HEADING = "## Walk-through: from a report to a closed case, through a referral"


def walkthrough_script() -> str:
    """The shell block of the README's referral walk-through."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(HEADING) :]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found is not None
    return found.group(1)


def test_the_readme_walkthrough_runs_end_to_end(demo_server: LiveServer) -> None:
    done = subprocess.run(
        [BASH, "-c", walkthrough_script()],
        env={**os.environ, "API": demo_server.base_url + "/api/v1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert "Demo Volunteer" in lines[0], lines[0]
    assert lines[1:3] == ["accepted", "referred"]
    assert lines[4] == "shared: case_reference contact groups referral_id summary"
    assert lines[5] == "the case itself: 404"
    assert lines[6:8] == ["accepted", "completed"]
    assert lines[8] == (
        "timeline: created screened offered offer_accepted referred referral_answered "
        "referral_answered status_changed status_changed"
    )
