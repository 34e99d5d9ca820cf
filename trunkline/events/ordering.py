"""A channel's notices put back in ``seq`` order once per process, before any subscriber sees them.

Concurrent publishers (the webhooks of one committed batch, other gateway processes) reach the bus
slightly out of order. A subscriber that sees ``seq`` jump ahead reads the log to fill the gap:
correct, but with a thousand subscribers that is a thousand queries and a thousand executions of
events nobody shares. So the fan-out holds a notice that arrives ahead for a moment; the missing
one almost always follows within milliseconds. One still missing after ``REORDER_SECONDS`` (lost
by the bus, or never published) is given up on: what was held goes out in order, and each
subscriber fills the gap from the log as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from trunkline.events.shared import SharedNotice

REORDER_SECONDS = 0.1
MAX_HELD = 512  # a burst this far ahead: stop waiting, the log has it all


def seq_of(message: SharedNotice) -> int | None:
    """The notice's seq; None for a message that is not an activity notice."""
    try:
        return message.notice.seq
    except (KeyError, ValueError, TypeError):
        return None


class ChannelOrder:
    """Releases one channel's notices in seq order (see the module's docstring)."""

    __slots__ = ("_held", "_next", "_release", "_timer")

    def __init__(self, release: Callable[[SharedNotice], None]) -> None:
        self._release = release
        self._next: int | None = None  # the seq expected next; None until one is seen
        self._held: dict[int, SharedNotice] = {}
        self._timer: asyncio.TimerHandle | None = None

    def admit(self, message: SharedNotice) -> None:
        seq = seq_of(message)
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
