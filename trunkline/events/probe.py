"""Bus lag, measured by a probe: every few seconds a process publishes a message to itself.

What is measured is the time from PUBLISH to the message reaching a subscriber here: Redis's
round trip, then the listener reading it behind whatever else the connection carries, then the
fan-out. Stamping every real message with its publish time would measure each one, but costs
every message bytes on the wire and a clock read per listener, and across hosts it would
measure clock skew too; one probe per process per interval costs nothing per event. On the
in-process bus the figure is the fan-out's alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid

from trunkline import metrics
from trunkline.events.bus import Bus, BusUnavailable
from trunkline.events.fanout import StreamExpired, SubscriberDropped, Subscription
from trunkline.events.shared import SharedMessage

logger = logging.getLogger(__name__)

# A probe not back by then is not counted (the bus is down or stalled; reconnects say so).
PROBE_TIMEOUT_SECONDS = 5.0


class BusLagProbe:
    """Publishes a probe on a channel of this process's own every ``interval`` seconds and
    observes its delivery time in ``trunkline_bus_lag_seconds``; owned by the Gateway."""

    def __init__(self, bus: Bus, *, prefix: str, interval: float) -> None:
        self.bus = bus
        self.interval = interval
        self.channel = f"{prefix}:lag-probe:{uuid.uuid4().hex}"
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.interval > 0 and self._task is None:
            self._task = asyncio.create_task(self._run(), name="bus lag probe")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        subscription = self.bus.subscribe(self.channel)
        try:
            await self.bus.listening(self.channel)
            sequence = 0
            while True:
                sequence += 1
                if subscription.dropped:  # (it cannot fall behind, but it must not stay dropped)
                    subscription.close()
                    subscription = self.bus.subscribe(self.channel)
                lag = await self.measure(subscription, sequence)
                if lag is not None:
                    metrics.BUS_LAG.observe(lag)
                await asyncio.sleep(self.interval)
        finally:
            subscription.close()

    async def measure(self, subscription: Subscription, sequence: int) -> float | None:
        """One probe's publish-to-delivery seconds; None when it did not come back in time."""
        started = time.perf_counter()
        try:
            await self.bus.publish(self.channel, {"probe": sequence})
            async with asyncio.timeout(PROBE_TIMEOUT_SECONDS):
                while True:
                    item = await subscription.get()
                    # Skip a resync marker, and an older probe that came back late.
                    if isinstance(item, SharedMessage) and item.data.get("probe") == sequence:
                        return time.perf_counter() - started
        except (BusUnavailable, TimeoutError, SubscriberDropped, StreamExpired) as exc:
            logger.debug("bus lag probe %d not measured: %r", sequence, exc)
            return None
