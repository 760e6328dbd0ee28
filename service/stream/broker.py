"""One process's fan-out: every open stream of the process subscribes here, and the feed
(`service.stream.feeds`) publishes each message once per process.

Queues are bounded: a stream that falls `QUEUE_SIZE` messages behind is emptied and ended
(`too_slow`), so a slow client costs the server no more than that; it reconnects and resumes
from the log.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field

from service.platform.errors import TooManyRequests
from service.stream.audience import Viewer, may_receive
from service.stream.messages import End, Message

QUEUE_SIZE = 256
"""Messages a stream may hold unsent before it is told to reload."""
MAX_STREAMS_PER_USER = 5
"""Open streams one account may hold on one server process (tabs, devices)."""


class TooManyStreams(TooManyRequests):
    def __init__(self) -> None:
        super().__init__(
            f"At most {MAX_STREAMS_PER_USER} streams may be open at once; close one first.",
            headers={"Retry-After": "10"},
        )


@dataclass(eq=False)
class Subscription:
    """One open stream: what it may receive and what waits to be sent."""

    viewer: Viewer
    queue: asyncio.Queue[Message | End] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))
    closed: bool = False

    def offer(self, item: Message | End) -> None:
        """Queue `item`; a full queue is replaced by the `too_slow` end."""
        if self.closed:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.close(End.too_slow)

    def close(self, reason: End) -> None:
        """Drop what is queued and leave only the reason the stream ends."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(reason)
        self.closed = True


class Broker:
    """The open streams of this process."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self._per_user: Counter[uuid.UUID] = Counter()

    def check_room(self, viewer: Viewer) -> None:
        """`TooManyStreams` (429) when `viewer` already holds the most streams allowed."""
        if self._per_user[viewer.user_id] >= MAX_STREAMS_PER_USER:
            raise TooManyStreams()

    def subscribe(self, viewer: Viewer) -> Subscription:
        """Start receiving for `viewer` (its room was checked when the request came in)."""
        subscription = Subscription(viewer)
        self._subscriptions.add(subscription)
        self._per_user[viewer.user_id] += 1
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.discard(subscription)
            self._per_user[subscription.viewer.user_id] -= 1
            if self._per_user[subscription.viewer.user_id] <= 0:
                del self._per_user[subscription.viewer.user_id]

    @property
    def open_streams(self) -> int:
        return len(self._subscriptions)

    def publish(self, message: Message) -> None:
        """Hand `message` to every open stream allowed to receive it."""
        for subscription in list(self._subscriptions):
            if may_receive(subscription.viewer, message):
                subscription.offer(message)

    def interrupt(self) -> None:
        """The feed was lost for a moment: every stream ends, and its client resumes from the
        log with `Last-Event-ID`."""
        for subscription in list(self._subscriptions):
            subscription.close(End.interrupted)
