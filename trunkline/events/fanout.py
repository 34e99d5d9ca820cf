"""Fan-out inside one process: bounded per-subscriber queues fed by one bus listener.

A subscriber that stops reading is dropped when its queue is full: its queue is emptied, it is
told why, and no other subscriber waits for it. ``RESYNC`` tells every subscriber the bus may
have lost messages (the listener reconnected): each backfills from the activity log. A channel's
messages are put back in order before they are queued (:mod:`trunkline.events.ordering`), and
every subscriber's queue holds the same :class:`SharedMessage`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Final

from trunkline import metrics
from trunkline.events.ordering import ChannelOrder, Sequencer, unordered
from trunkline.events.shared import SharedMessage

logger = logging.getLogger(__name__)


class _Resync:
    def __repr__(self) -> str:
        return "RESYNC"


RESYNC: Final = _Resync()
BusItem = SharedMessage | _Resync


class SubscriberDropped(Exception):
    """The subscriber fell behind by more than its queue holds."""


class StreamExpired(Exception):
    """The subscriber's credentials expired: the stream ends."""


class Subscription:
    """One subscriber's bounded queue on one channel. Iterate with :meth:`get`.

    Thousands sit idle per process, so an idle one is kept small: slots, no queue until
    something is queued (an empty deque is 600 bytes), and a future only while someone waits
    (an Event carries a deque of its own).
    """

    __slots__ = (
        "_expiry",
        "_fanout",
        "_items",
        "_waiter",
        "channel",
        "dropped",
        "expired",
        "maxsize",
        "on_drop",
    )

    def __init__(self, fanout: Fanout, channel: str, maxsize: int) -> None:
        self.channel = channel
        self.maxsize = maxsize
        self.dropped = False
        self.on_drop: Callable[[], None] | None = None
        self.expired = False
        self._fanout = fanout
        self._items: deque[BusItem] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._expiry: asyncio.TimerHandle | None = None

    def expire_after(self, seconds: float) -> None:
        """End the subscription (:meth:`get` raises :class:`StreamExpired`) in ``seconds``.

        One timer for the subscription's life, rather than a timeout around every wait.
        """
        if seconds <= 0:
            self._expire()
        else:
            self._expiry = asyncio.get_running_loop().call_later(seconds, self._expire)

    def _expire(self) -> None:
        self.expired = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def offer(self, item: BusItem) -> None:
        """Queue ``item`` without waiting; a full queue drops the subscriber."""
        if self.dropped:
            return
        items = self._items
        if items is None:
            items = self._items = deque()
        if isinstance(item, _Resync):
            # One pending resync says it all: nothing queued before it needs reading either.
            items.clear()
        elif len(items) >= self.maxsize:
            self._drop()
            return
        items.append(item)
        self._wake()

    def _drop(self) -> None:
        self.dropped = True
        self._items = None
        self._wake()
        self._fanout.remove(self)
        logger.warning("dropped a subscriber on %s: %d messages behind", self.channel, self.maxsize)
        metrics.BUS_DROPPED_SUBSCRIBERS.inc()
        if self.on_drop is not None:
            self.on_drop()

    async def get(self) -> BusItem:
        """The next message or ``RESYNC``.

        Raises:
            StreamExpired: once the subscription expired (before anything still queued).
            SubscriberDropped: when it fell too far behind.
        """
        while True:
            if self.expired:
                raise StreamExpired
            items = self._items
            if items:
                item = items.popleft()
                if not items:
                    self._items = None  # back to idle size
                return item
            if self.dropped:
                raise SubscriberDropped(self.channel)
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def pending(self) -> int:
        return len(self._items) if self._items else 0

    def close(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        self._fanout.remove(self)


class Fanout:
    """Channel name -> its local subscribers, and the order its messages are released in."""

    def __init__(
        self, queue_size: int, on_channels_changed: Callable[[], None] | None = None
    ) -> None:
        self.queue_size = queue_size
        # Told when a channel gains its first subscriber or loses its last (the Redis bus
        # subscribes to just those channels).
        self.on_channels_changed = on_channels_changed
        self._channels: dict[str, set[Subscription]] = {}
        self._orders: dict[str, ChannelOrder] = {}

    @property
    def channels(self) -> set[str]:
        """The channels somebody here subscribes to."""
        return set(self._channels)

    def subscribe(self, channel: str, sequence: Sequencer | None = None) -> Subscription:
        """A new subscriber of ``channel``; ``sequence`` orders the channel's messages.

        A channel has one order for all its subscribers: the first ``sequence`` named sets it,
        None leaves it as it is, and naming another one is a mistake (``ValueError``).
        """
        subscribers = self._channels.get(channel)
        if subscribers is None:
            subscribers = self._channels[channel] = set()
            self._orders[channel] = ChannelOrder(
                lambda message: self._offer_all(subscribers, message)
            )
            if self.on_channels_changed is not None:
                self.on_channels_changed()
        if sequence is not None:
            order = self._orders[channel]
            if order.sequence is unordered:
                order.sequence = sequence
            elif order.sequence is not sequence:
                raise ValueError(f"{channel} is ordered otherwise by its other subscribers")
        subscription = Subscription(self, channel, self.queue_size)
        subscribers.add(subscription)
        return subscription

    def remove(self, subscription: Subscription) -> None:
        subscribers = self._channels.get(subscription.channel)
        if subscribers is None:
            return
        subscribers.discard(subscription)
        if not subscribers:
            del self._channels[subscription.channel]
            self._orders.pop(subscription.channel).reset()
            if self.on_channels_changed is not None:
                self.on_channels_changed()

    def deliver(self, channel: str, message: SharedMessage) -> None:
        """Queue ``message`` for the channel's subscribers: one object for all, parsed once."""
        order = self._orders.get(channel)
        if order is not None:  # nobody here listens to that channel
            order.admit(message)

    @staticmethod
    def _offer_all(subscribers: set[Subscription], message: SharedMessage) -> None:
        # A copy of the set: a subscriber dropped mid-loop removes itself.
        for subscription in list(subscribers):
            subscription.offer(message)

    def resync_all(self) -> None:
        for channel in list(self._channels):
            self.resync(channel)

    def resync(self, channel: str) -> None:
        """Tell ``channel``'s subscribers to backfill: the bus may have missed some of it."""
        order = self._orders.get(channel)
        if order is not None:
            order.reset()
        for subscription in list(self._channels.get(channel, ())):
            subscription.offer(RESYNC)

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._channels.values())
