"""A tenant's activity as one ordered stream: replay after a cursor, then live, no gap, no repeat.

The subscription to the bus is taken first, then the log is read after the cursor, then live
messages are drained, skipping every ``seq`` already seen. A live ``seq`` that jumps ahead (a
message lost by the bus, or published out of order by another instance) and ``RESYNC`` (the
listener reconnected) are both answered by reading the log again after the last ``seq`` seen:
a tenant's activity commits in ``seq`` order, so the log holds everything up to what arrived.

Live messages are yielded as the :class:`SharedMessage` every local subscriber received, so what
subscribers derive from one is derived once (its notice: :func:`notice_of`); a backfilled row gets
a wrapper of its own. The channel is ordered by seq once per process, before its subscribers
see it (``notice_seq``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

from trunkline.activity.log import activity_after, latest_seq
from trunkline.activity.notices import activity_channel_name, notice_of, notice_seq, shared_notice
from trunkline.events import RESYNC, Bus, SharedMessage, StreamExpired, Subscription

__all__ = ["StreamExpired", "activity_stream"]

logger = logging.getLogger(__name__)


async def activity_stream(
    *,
    bus: Bus,
    prefix: str,
    tenant_id: int,
    after_seq: int | None,
    expires_at: datetime,
    on_subscribed: Callable[[Subscription], None] | None = None,
) -> AsyncIterator[SharedMessage]:
    """The tenant's activity after ``after_seq`` (None: from now).

    Raises:
        StreamExpired: at ``expires_at``.
        SubscriberDropped: when the subscriber fell too far behind the bus.
        ActivityPruned: events after ``after_seq`` (or after the last one yielded) are no
            longer in the log: retention deleted them before they could be replayed.
    """
    subscription = bus.subscribe(activity_channel_name(prefix, tenant_id), sequence=notice_seq)
    subscription.expire_after((expires_at - datetime.now(UTC)).total_seconds())
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
                    yield shared_notice(notice)
                if not page:
                    break
            # Live, until the next gap.
            while True:
                item = await subscription.get()
                if item is RESYNC:
                    break
                assert isinstance(item, SharedMessage)
                try:
                    seq = notice_of(item).seq
                except (KeyError, ValueError, TypeError):
                    logger.warning("ignored a bus message that is not an activity notice")
                    continue
                if seq <= last:
                    continue
                if seq > last + 1:
                    break
                last = seq
                yield item
    finally:
        subscription.close()
