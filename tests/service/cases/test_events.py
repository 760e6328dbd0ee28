"""The hash chain of case events: `chain_hash`, `append_event`, `verify_chain` and
`verify_anchor` (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.case import Case
from models.enums import CaseEventType
from models.events import CaseEvent
from service.cases.events import (
    ChainProblem,
    append_event,
    chain_hash,
    event_payload,
    summarise,
    verify_anchor,
    verify_chain,
)
from service.platform.crypto import AuditKey, DataKey, audit_key
from service.thai.dates import BANGKOK

SECRET = "test-data-key-" + "y" * 32
KEY = audit_key(SECRET)
START = datetime(2025, 3, 1, 8, 30, 0, 123456, tzinfo=UTC)
TYPES = [
    CaseEventType.created,
    CaseEventType.viewed,
    CaseEventType.screened,
    CaseEventType.note_added,
    CaseEventType.status_changed,
]


class _Collector:
    """Stands in for the session: `append_event` only adds the event to it."""

    def __init__(self) -> None:
        self.added: list[Any] = []

    def add(self, item: Any) -> None:
        self.added.append(item)


async def _append(
    case: Case,
    count: int,
    *,
    secret: str = SECRET,
    start: int = 0,
    first: CaseEventType | None = None,
) -> list[CaseEvent]:
    collector = _Collector()
    actor = uuid.uuid4()
    for index in range(start, start + count):
        await append_event(
            collector,  # type: ignore[arg-type]
            secret=secret,
            case=case,
            type_=first if first and index == start else TYPES[index % len(TYPES)],
            actor_id=actor if index % 2 == 0 else None,
            now=START + timedelta(minutes=index),
            changes={"status": ["new", "screened"]} if index == 2 else {},
            data={"note_id": str(uuid.uuid4()), "n": index},
        )
    return list(collector.added)


async def _chain(length: int = 5) -> tuple[Case, list[CaseEvent]]:
    case = Case(id=uuid.uuid4(), event_count=0, last_event_hash=None)
    return case, await _append(case, length)


def _verify(case: Case, events: list[CaseEvent], key: AuditKey = KEY) -> list[ChainProblem]:
    """What `verify-audit` checks of one case: its events and its row's anchor."""
    return verify_chain(
        key,
        case_id=case.id,
        events=events,
        anchor_count=case.event_count,
        anchor_hash=case.last_event_hash,
    ) + verify_anchor(
        key,
        case_id=case.id,
        count=case.event_count,
        last_hash=case.last_event_hash,
        anchor=case.chain_anchor,
    )


def _copy(event: CaseEvent, **changes: Any) -> CaseEvent:
    values = event.model_dump()
    values.update(changes)
    return CaseEvent(**values)


def _payload(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "case_id": uuid.UUID(int=1),
        "seq": 1,
        "type_": CaseEventType.created,
        "actor_id": uuid.UUID(int=2),
        "occurred_at": START,
        "changes": {"status": [None, "new"]},
        "data": {"reference": "OS-2568-000001"},
    }
    values.update(changes)
    return event_payload(**values)


def test_chain_hash_is_a_keyed_hash_of_the_link_and_the_content() -> None:
    digest = chain_hash(KEY, None, _payload())
    assert digest.startswith("k1:") and len(digest) == 67 and int(digest[3:], 16) >= 0
    assert chain_hash(KEY, None, _payload()) == digest
    assert chain_hash(audit_key("another-key-" + "z" * 32), None, _payload()) != digest
    assert chain_hash(KEY, "0" * 64, _payload()) != digest
    assert chain_hash(KEY, None, _payload(seq=2)) != digest
    assert chain_hash(KEY, None, _payload(type_=CaseEventType.viewed)) != digest
    assert chain_hash(KEY, None, _payload(actor_id=None)) != digest
    assert chain_hash(KEY, None, _payload(data={"reference": "OS-2568-000002"})) != digest
    assert chain_hash(KEY, None, _payload(changes={})) != digest
    assert chain_hash(KEY, None, _payload(occurred_at=START + timedelta(microseconds=1))) != digest


def test_chain_hash_does_not_depend_on_key_order() -> None:
    payload = _payload(data={"a": 1, "b": [1, 2], "c": {"y": 1, "x": 2}})
    shuffled = dict(reversed(list(payload.items())))
    shuffled["data"] = {"c": {"x": 2, "y": 1}, "b": [1, 2], "a": 1}
    assert chain_hash(KEY, None, shuffled) == chain_hash(KEY, None, payload)


def test_the_same_instant_hashes_alike_whatever_its_offset() -> None:
    assert _payload(occurred_at=START.astimezone(BANGKOK)) == _payload(occurred_at=START)


async def test_append_event_links_each_event_to_the_last_and_anchors_the_case() -> None:
    case, events = await _chain(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash is None
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert (case.event_count, case.last_event_hash) == (3, events[-1].hash)


async def test_an_untouched_chain_verifies() -> None:
    case, events = await _chain()
    assert _verify(case, events) == []


def test_a_case_without_events_or_anchor_is_a_problem() -> None:
    # Every case has at least its `created` event, so an empty history was emptied.
    case = Case(id=uuid.uuid4(), event_count=0, last_event_hash=None)
    assert _verify(case, []) == [
        ChainProblem(case.id, None, "the case has no events"),
        ChainProblem(case.id, None, "the case has no anchor"),
    ]


async def test_another_key_fails_every_event() -> None:
    case, events = await _chain(3)
    problems = _verify(case, events, key=audit_key("another-key-" + "z" * 32))
    assert [(p.seq, p.problem) for p in problems] == [
        *((seq, "content does not match its hash") for seq in (1, 2, 3)),
        (None, "the anchor does not match the case's count and last hash"),
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"data": {"note_id": "forged", "n": 2}},
        {"changes": {"status": ["new", "closed"]}},
        {"type": CaseEventType.exported},
        {"actor_id": uuid.uuid4()},
        {"occurred_at": START + timedelta(days=1)},
    ],
    ids=["data", "changes", "type", "actor", "time"],
)
async def test_an_edited_event_is_named(change: dict[str, Any]) -> None:
    case, events = await _chain()
    events[2] = _copy(events[2], **change)
    problems = _verify(case, events)
    assert problems == [ChainProblem(case.id, 3, "content does not match its hash")]


async def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link() -> None:
    case, events = await _chain()
    forged = _copy(events[1], data={"forged": True})
    payload = event_payload(
        case_id=forged.case_id,
        seq=forged.seq,
        type_=forged.type,
        actor_id=forged.actor_id,
        occurred_at=forged.occurred_at,
        changes=forged.changes,
        data=forged.data,
    )
    # Without the key the forger cannot recompute the hash; with a wrong key the next link breaks.
    forged.hash = chain_hash(audit_key("guessed-key-" + "g" * 32), forged.prev_hash, payload)
    events[1] = forged
    problems = _verify(case, events)
    assert ChainProblem(case.id, 2, "content does not match its hash") in problems
    assert ChainProblem(case.id, 3, "link to the previous event is broken") in problems


async def test_a_deleted_middle_event_is_found() -> None:
    case, events = await _chain()
    del events[2]
    problems = _verify(case, events)
    assert problems[0] == ChainProblem(case.id, 4, "expected event 3: missing or reordered")
    assert ChainProblem(case.id, 4, "link to the previous event is broken") in problems
    assert problems[-1].seq is None  # the chain is shorter than the case expects


async def test_a_deleted_last_event_is_found_through_the_case_anchor() -> None:
    case, events = await _chain()
    del events[-1]
    assert _verify(case, events) == [
        ChainProblem(case.id, None, "case expects 5 events; the chain ends early or late")
    ]


async def test_all_events_deleted_is_found() -> None:
    case, _ = await _chain(2)
    assert _verify(case, []) == [ChainProblem(case.id, None, "the case has no events")]


async def test_all_events_deleted_and_the_case_row_zeroed_is_found() -> None:
    case, _ = await _chain(2)
    case.event_count, case.last_event_hash = 0, None
    assert _verify(case, []) == [
        ChainProblem(case.id, None, "the case has no events"),
        ChainProblem(case.id, None, "the anchor does not match the case's count and last hash"),
    ]


async def test_a_deleted_tail_with_a_rewound_case_row_is_found_through_the_anchor() -> None:
    case, events = await _chain()
    del events[3:]
    case.event_count, case.last_event_hash = 3, events[-1].hash
    assert _verify(case, events) == [
        ChainProblem(case.id, None, "the anchor does not match the case's count and last hash")
    ]


async def test_an_append_after_a_rewind_does_not_re_sign_the_anchor() -> None:
    case, events = await _chain()
    del events[3:]
    case.event_count, case.last_event_hash = 3, events[-1].hash
    events += await _append(case, 1, start=3)
    assert [p.problem for p in _verify(case, events)] == [
        "the anchor does not match the case's count and last hash"
    ]


async def test_a_history_restarted_after_emptying_is_found() -> None:
    case, _ = await _chain(3)
    case.event_count, case.last_event_hash, case.chain_anchor = 0, None, None
    events = await _append(case, 2, start=3)
    assert _verify(case, events) == [
        ChainProblem(case.id, 1, "the history does not begin with its creation")
    ]


async def test_a_changed_or_missing_anchor_is_found() -> None:
    case, events = await _chain(3)
    other, _ = await _chain(3)
    case.chain_anchor = other.chain_anchor
    assert [p.problem for p in _verify(case, events)] == [
        "the anchor does not match the case's count and last hash"
    ]
    case.chain_anchor = None
    assert [p.problem for p in _verify(case, events)] == ["the case has no anchor"]


async def test_events_keep_their_key_and_new_ones_use_the_current_key() -> None:
    case, events = await _chain(2)
    rotated = DataKey("rotated-key-" + "r" * 32, key_id="2", previous={"1": SECRET})
    events += await _append(case, 2, secret=rotated, start=2)
    assert [e.hash[:3] for e in events] == ["k1:", "k1:", "k2:", "k2:"]
    assert case.chain_anchor is not None and case.chain_anchor.startswith("k2:")
    assert _verify(case, events, key=audit_key(rotated)) == []
    without_key_1 = audit_key(DataKey(str(rotated), key_id="2"))
    assert _verify(case, events, key=without_key_1) == [
        ChainProblem(case.id, seq, "made with key 1, which is not configured") for seq in (1, 2)
    ]


async def test_an_anchor_made_with_a_key_no_longer_configured_is_named() -> None:
    case, _ = await _chain(2)
    only_key_2 = audit_key(DataKey("rotated-key-" + "r" * 32, key_id="2"))
    problems = verify_anchor(
        only_key_2,
        case_id=case.id,
        count=case.event_count,
        last_hash=case.last_event_hash,
        anchor=case.chain_anchor,
    )
    assert problems == [
        ChainProblem(case.id, None, "the anchor names a key that is not configured")
    ]


async def test_an_extra_event_is_found() -> None:
    case, events = await _chain(3)
    extra = _copy(events[-1], id=uuid.uuid4(), seq=4, prev_hash=events[-1].hash)
    problems = _verify(case, [*events, extra])
    assert ChainProblem(case.id, 4, "content does not match its hash") in problems
    assert (
        ChainProblem(case.id, None, "case expects 3 events; the chain ends early or late")
        in problems
    )


async def test_swapped_events_are_found() -> None:
    case, events = await _chain()
    second, third = events[1], events[2]
    events[1] = _copy(third, seq=2)
    events[2] = _copy(second, seq=3)
    problems = _verify(case, events)
    assert {p.seq for p in problems} >= {2, 3}
    assert ChainProblem(case.id, 2, "link to the previous event is broken") in problems
    assert ChainProblem(case.id, 2, "content does not match its hash") in problems


async def test_events_in_the_wrong_order_are_found() -> None:
    case, events = await _chain()
    events[1], events[2] = events[2], events[1]
    problems = _verify(case, events)
    assert ChainProblem(case.id, 3, "expected event 2: missing or reordered") in problems
    assert ChainProblem(case.id, 2, "expected event 3: missing or reordered") in problems


async def test_an_anchor_pointing_elsewhere_is_found() -> None:
    case, events = await _chain(3)
    case.last_event_hash = "k1:" + "f" * 64
    assert [p.seq for p in _verify(case, events)] == [None, None]


def test_summarise_gives_one_line_per_problem() -> None:
    case_id = uuid.UUID(int=7)
    lines = summarise(
        [
            ChainProblem(case_id, 4, "content does not match its hash"),
            ChainProblem(case_id, None, "x"),
        ]
    )
    assert lines == [
        f"case {case_id} event 4: content does not match its hash",
        f"case {case_id} event -: x",
    ]
