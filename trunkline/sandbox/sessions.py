"""A call in flight: what the simulation tracks beside the stored record (a leaf module: the
runtime keeps these, and the call flows that run them import the runtime)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from trunkline.sandbox.records import Recording


@dataclass
class CallSession:
    """A call in flight.

    Attributes:
        call_sid: the call.
        events: the progress events its status callback asked for.
        sequence: the next callback's SequenceNumber.
        elapsed: simulated seconds since the call was answered.
        task: the background task running the call, once started.
        recordings: the recordings made during it, announced when it ends.
    """

    call_sid: str
    events: frozenset[str]
    sequence: int = 0
    elapsed: int = 0
    task: asyncio.Task[None] | None = None
    recordings: list[Recording] = field(default_factory=list)
