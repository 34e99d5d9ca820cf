"""The sandbox's step clock: how fast simulated statuses advance."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


class StepClock:
    """Paces every status transition and every TwiML verb by one step.

    Args:
        step_seconds: wall-clock seconds per step; ``0`` advances as fast as the event loop allows
            (tests), ``1.0`` feels like a real carrier to a developer watching a UI.
    """

    def __init__(self, step_seconds: float) -> None:
        if step_seconds < 0:
            raise ValueError("step_seconds must be >= 0")
        self.step_seconds = step_seconds
        # How far the sandbox's calendar runs ahead of the wall clock (``advance``).
        self.offset = timedelta()

    def advance(self, by: timedelta) -> None:
        """Move the calendar ahead (a day passes for WhatsApp's window without waiting it)."""
        self.offset += by

    async def step(self) -> None:
        """Wait one step (always yields to the loop, even at speed 0, so others run in between)."""
        await asyncio.sleep(self.step_seconds)

    async def wait_seconds(self, seconds: float) -> None:
        """Wait ``seconds`` of wall-clock time, whatever the pace: what takes real time even in a
        fast sandbox (a callee left ringing until the caller hangs up)."""
        await asyncio.sleep(seconds)

    def now(self) -> datetime:
        """The current time in UTC, to the second, as Twilio's timestamps are."""
        return (datetime.now(UTC) + self.offset).replace(microsecond=0)
