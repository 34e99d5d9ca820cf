"""A tenant's activity as one ordered stream: replay after a cursor, then live, no gap, no repeat.

The subscription to the bus is taken first, then the log is read after the cursor, then live
messages are drained, skipping every ``seq`` already seen. A live ``seq`` that jumps ahead (a
message lost by the bus, or published out of order by another instance) and ``RESYNC`` (the
listener reconnected) are both answered by reading the log again after the last ``seq`` seen:
a tenant's activity commits in ``seq`` order, so the log holds everything up to what arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from trunkline.events.bus import Bus
from trunkline.events.fanout import RESYNC, Subscription
from trunkline.services.activity import (
    ActivityNotice,
    activity_after,
    activity_channel_name,
    latest_seq,
)


class StreamExpired(Exception):
    """The subscriber's credentials expired: the stream ends."""


async def activity_stream(
    *,
    bus: Bus,
    prefix: str,
    tenant_id: int,
    after_seq: int | None,
    expires_at: datetime,
    accepts: Callable[[ActivityNotice], bool] = lambda notice: True,
    on_subscribed: Callable[[Subscription], None] | None = None,
) -> AsyncIterator[ActivityNotice]:
    """The tenant's activity after ``after_seq`` (None: from now), as far as ``accepts`` allows.

    Raises:
        StreamExpired: at ``expires_at``.
        SubscriberDropped: when the subscriber fell too far behind the bus.
    """
    subscription = bus.subscribe(activity_channel_name(prefix, tenant_id))
    if on_subscribed is not None:
        on_subscribed(subscription)
    try:
        last = after_seq if after_seq is not None else await latest_seq(tenant_id=tenant_id)
        while True:
            # Backfill: everything committed after `last`, page by page.
            while True:
                page = await activity_after(tenant_id=tenant_id, after_seq=last)
                for notice in page:
                    last = notice.seq
                    if accepts(notice):
                        yield notice
                if not page:
                    break
            # Live, until the next gap.
            while True:
                item = await _next(subscription, expires_at)
                if item is RESYNC:
                    break
                assert isinstance(item, dict)
                notice = ActivityNotice.from_wire(item)
                if notice.seq <= last:
                    continue
                if notice.seq > last + 1:
                    break
                last = notice.seq
                if accepts(notice):
                    yield notice
    finally:
        subscription.close()


async def _next(subscription: Subscription, expires_at: datetime) -> object:
    remaining = (expires_at - datetime.now(UTC)).total_seconds()
    if remaining <= 0:
        raise StreamExpired
    if subscription.pending():
        return await subscription.get()  # ready: no timer needed (the common case under load)
    try:
        async with asyncio.timeout(remaining):
            return await subscription.get()
    except TimeoutError:
        raise StreamExpired from None
