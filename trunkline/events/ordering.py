"""A channel's messages put in sequence order once per process, before any subscriber sees them.

Concurrent publishers (the webhooks of one committed batch, other gateway processes) reach the bus
slightly out of order. A subscriber that sees ``seq`` jump ahead reads the log to fill the gap:
correct, but with a thousand subscribers that is a thousand queries and a thousand executions of
events nobody shares. So the fan-out holds a notice that arrives ahead for a moment; the missing
one almost always follows within milliseconds. One still missing after ``REORDER_SECONDS`` (lost
by the bus, or never published) is given up on: what was held goes out in order, and each
subscriber fills the gap from the log as before.

Where a message falls in its channel's order is the subscriber's knowledge, not the transport's:
the first subscription of a channel names a :data:`Sequencer` (for the activity channels,
``trunkline.activity.notice_seq``); a channel subscribed without one is not reordered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from trunkline.events.shared import SharedMessage

REORDER_SECONDS = 0.1
MAX_HELD = 512  # a burst this far ahead: stop waiting, the log has it all

# Where a message falls in its channel's order: consecutive integers; None for a message that
# has no place in it (released at once).
Sequencer = Callable[[SharedMessage], int | None]


def unordered(message: SharedMessage) -> int | None:
    """The :data:`Sequencer` of a channel whose messages need no order."""
    return None


class ChannelOrder:
    """Releases one channel's messages in ``sequence`` order (see the module's docstring)."""

    __slots__ = ("_held", "_next", "_release", "_timer", "sequence")

    def __init__(
        self, release: Callable[[SharedMessage], None], sequence: Sequencer = unordered
    ) -> None:
        self._release = release
        self.sequence = sequence
        self._next: int | None = None  # the seq expected next; None until one is seen
        self._held: dict[int, SharedMessage] = {}
        self._timer: asyncio.TimerHandle | None = None

    def admit(self, message: SharedMessage) -> None:
        seq = self.sequence(message)
        expected = self._next
        if seq is None or expected is None or seq == expected:
            if seq is not None:
                self._next = seq + 1
            self._release(message)
            if self._held:
                self._release_held()
        elif seq < expected:
            self._release(message)  # a repeat or a straggler: every subscriber skips what it saw
        else:
            self._held[seq] = message
            if len(self._held) >= MAX_HELD:
                self.flush()
            elif self._timer is None:
                self._timer = asyncio.get_running_loop().call_later(REORDER_SECONDS, self.flush)

    def _release_held(self) -> None:
        # Releasing may drop the channel's last subscriber, which resets this order: every step
        # re-reads the state, and moves past a message before it is released.
        while self._next is not None and (message := self._held.pop(self._next, None)) is not None:
            self._next += 1
            self._release(message)
        if not self._held:
            self._cancel_timer()

    def flush(self) -> None:
        """Stop waiting for the gap: release everything held, in order."""
        self._cancel_timer()
        held = sorted(self._held.items())
        self._held.clear()
        for seq, message in held:
            self._next = seq + 1
            self._release(message)

    def reset(self) -> None:
        """Forget the expected seq (the bus reconnected: subscribers read the log)."""
        self._cancel_timer()
        self._held.clear()
        self._next = None

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
