"""One process's fan-out: filtered per stream, bounded, capped per account."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from models.enums import CaseEventType, Role, Urgency
from service.stream.audience import Viewer
from service.stream.broker import MAX_STREAMS_PER_USER, QUEUE_SIZE, Broker, TooManyStreams
from service.stream.messages import End, Message


def _message(id_: int, reporter: uuid.UUID) -> Message:
    return Message(
        id=id_,
        type=CaseEventType.created,
        case_id=uuid.uuid4(),
        case_reference=f"OS-2569-{id_:06d}",
        urgency=Urgency.high,
        occurred_at=datetime(2026, 11, 30, tzinfo=UTC),
        reported_by_id=reporter,
        lead_id=None,
        offered_to_id=None,
        offer_id=None,
        referral_id=None,
        organization_id=None,
    )


def test_each_stream_gets_only_what_its_holder_may_read() -> None:
    broker = Broker()
    reporter, other = uuid.uuid4(), uuid.uuid4()
    own = broker.subscribe(Viewer(reporter, Role.volunteer, None))
    stranger = broker.subscribe(Viewer(other, Role.volunteer, None))
    staff = broker.subscribe(Viewer(uuid.uuid4(), Role.supervisor, None))
    broker.publish(_message(1, reporter))
    assert own.queue.get_nowait().id == 1  # type: ignore[union-attr]
    assert staff.queue.qsize() == 1
    assert stranger.queue.empty()


def test_a_stream_that_falls_behind_is_emptied_and_ended() -> None:
    broker = Broker()
    slow = broker.subscribe(Viewer(uuid.uuid4(), Role.caseworker, None))
    for id_ in range(1, QUEUE_SIZE + 2):
        broker.publish(_message(id_, uuid.uuid4()))
    assert slow.queue.qsize() == 1
    assert slow.queue.get_nowait() is End.too_slow
    broker.publish(_message(QUEUE_SIZE + 2, uuid.uuid4()))
    assert slow.queue.empty()


def test_an_account_holds_a_bounded_number_of_streams() -> None:
    broker = Broker()
    viewer = Viewer(uuid.uuid4(), Role.caseworker, None)
    streams = []
    for _ in range(MAX_STREAMS_PER_USER):
        broker.check_room(viewer)
        streams.append(broker.subscribe(viewer))
    with pytest.raises(TooManyStreams):
        broker.check_room(viewer)
    broker.unsubscribe(streams[0])
    broker.unsubscribe(streams[0])  # twice is harmless
    broker.check_room(viewer)
    assert broker.open_streams == MAX_STREAMS_PER_USER - 1


def test_losing_the_feed_ends_every_stream() -> None:
    broker = Broker()
    streams = [broker.subscribe(Viewer(uuid.uuid4(), Role.caseworker, None)) for _ in range(3)]
    broker.publish(_message(1, uuid.uuid4()))
    broker.interrupt()
    assert all(s.queue.get_nowait() is End.interrupted and s.queue.empty() for s in streams)
