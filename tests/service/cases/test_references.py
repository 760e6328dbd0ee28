"""Reference numbers: `OS-<Buddhist Era year>-<6 digits>`, one sequence per Thai year."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from service.cases.references import format_reference, next_reference
from service.thai.dates import buddhist_year

REFERENCE = re.compile(r"^OS-(\d{4})-(\d{6})$")


@pytest.mark.parametrize(
    ("moment", "year"),
    [
        (datetime(2026, 6, 15, 12, 0, tzinfo=UTC), 2569),
        # 23:59 on 31 December in Bangkok: still 2569.
        (datetime(2026, 12, 31, 16, 59, tzinfo=UTC), 2569),
        # 00:00 on 1 January in Bangkok while it is still 2026 in UTC.
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), 2570),
        (datetime(2026, 12, 31, 17, 30, tzinfo=UTC), 2570),
        # The same instant written in another offset gives the same year.
        (datetime(2026, 12, 31, 9, 30, tzinfo=timezone(timedelta(hours=-8))), 2570),
        (datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=7))), 2570),
    ],
)
def test_buddhist_year_follows_bangkok(moment: datetime, year: int) -> None:
    assert buddhist_year(moment) == year


def test_format_reference_pads_to_six_digits() -> None:
    assert format_reference(2569, 1) == "OS-2569-000001"
    assert format_reference(2569, 42) == "OS-2569-000042"
    assert format_reference(2570, 999_999) == "OS-2570-999999"


async def test_next_reference_counts_up_within_a_year(session) -> None:
    now = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
    first = await next_reference(session, now=now)
    second = await next_reference(session, now=now)
    one, two = REFERENCE.match(first), REFERENCE.match(second)
    assert one is not None and two is not None
    assert one.group(1) == two.group(1) == "2569"
    # Numbers may skip (one taken by an intake that failed is not reused) but never repeat.
    assert int(two.group(2)) > int(one.group(2)) >= 1


async def test_each_year_has_its_own_sequence(session) -> None:
    # Years no other test uses, so their sequences start here.
    early = datetime(2090, 12, 31, 16, 0, tzinfo=UTC)
    late = datetime(2090, 12, 31, 18, 0, tzinfo=UTC)
    assert await next_reference(session, now=early) == "OS-2633-000001"
    assert await next_reference(session, now=late) == "OS-2634-000001"
    again = REFERENCE.match(await next_reference(session, now=early))
    assert again is not None
    assert again.group(1) == "2633" and int(again.group(2)) > 1
