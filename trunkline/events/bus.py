"""The event bus: what every bus offers, and the in-process one for the embedded default.

Both implementations (this module's :class:`InProcessBus`, and
:class:`~trunkline.events.redis_bus.RedisBus` across instances) implement :class:`Bus`. Each
process has one listener feeding a :class:`Fanout` of bounded per-subscriber queues, so a
process's connections to the bus stay constant however many subscribers it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from trunkline.events.fanout import Fanout, Subscription
from trunkline.events.ordering import Sequencer
from trunkline.events.shared import SharedMessage

DEFAULT_QUEUE_SIZE = 256


class BusUnavailable(Exception):
    """The bus cannot be reached right now."""


class Bus(Protocol):
    name: str

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise :class:`BusUnavailable` when the bus cannot carry messages."""

    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    async def publish_many(self, messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Publish each ``(channel, message)`` in order, in one round trip where the bus has any.

        Raises :class:`BusUnavailable` when the bus cannot be reached; some of the messages may
        have been published then.
        """

    async def publish_to_all(
        self, channel: str, message: dict[str, Any], *, wait_seconds: float
    ) -> int:
        """Publish ``message`` and return once every process listening on ``channel`` has
        handled it (called :meth:`acknowledge`), or ``wait_seconds`` have passed.

        Returns how many listening processes did not acknowledge in time (0: all did). Raises
        :class:`BusUnavailable` when the bus cannot be reached.
        """

    async def acknowledge(self, message: dict[str, Any]) -> None:
        """Tell the publisher of ``message`` (if it waits) that this process has handled it."""

    def subscribe(self, channel: str, *, sequence: Sequencer | None = None) -> Subscription:
        """A bounded queue of what is published on ``channel`` from now on.

        The bus may take a moment to carry the channel; what is published meanwhile is not
        queued, but ``RESYNC`` is once it does (subscribers read the log for it). ``sequence``
        says where a message falls in the channel's order: messages are then queued in that
        order (see :mod:`trunkline.events.ordering`).
        """

    async def listening(self, channel: str) -> None:
        """Return once what is published on ``channel`` reaches its subscribers (tests)."""

    def subscription_epoch(self, channel: str) -> int | None:
        """A number that changes whenever the bus starts carrying ``channel`` anew.

        None while what is published on ``channel`` may not reach this process (not subscribed,
        not yet confirmed, reconnecting). A caller that saw another number since may have missed
        messages in between.
        """

    @property
    def subscriber_count(self) -> int: ...


class InProcessBus:
    """Everything in one process: nothing to reach, nothing to fail."""

    name = "in-process"

    def __init__(self, *, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self._fanout = Fanout(queue_size)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self._fanout.deliver(channel, SharedMessage(message))

    async def publish_many(self, messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        for channel, message in messages:
            self._fanout.deliver(channel, SharedMessage(message))

    async def publish_to_all(
        self, channel: str, message: dict[str, Any], *, wait_seconds: float
    ) -> int:
        # One process: the publisher is the only one it concerns, and has handled it already.
        await self.publish(channel, message)
        return 0

    async def acknowledge(self, message: dict[str, Any]) -> None:
        return None

    def subscribe(self, channel: str, *, sequence: Sequencer | None = None) -> Subscription:
        return self._fanout.subscribe(channel, sequence)

    async def listening(self, channel: str) -> None:
        return None

    def subscription_epoch(self, channel: str) -> int | None:
        return 0  # one process: nothing published can pass it by

    @property
    def subscriber_count(self) -> int:
        return self._fanout.subscriber_count
