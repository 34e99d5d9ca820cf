"""Announcing committed activity: each batch's notices on their tenants' bus channels."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from trunkline.activity.notices import ActivityNotice, activity_channel_name
from trunkline.events import Bus, BusUnavailable

logger = logging.getLogger(__name__)

PublishNotices = Callable[[Sequence[ActivityNotice]], Awaitable[None]]


def activity_publisher(bus: Bus, *, prefix: str) -> PublishNotices:
    """Publish a committed batch's notices on ``bus``: one round trip for the whole batch.

    A bus that is down is logged, not raised: the notices are stored, and subscribers backfill
    from the log when it is back.
    """

    async def publish(notices: Sequence[ActivityNotice]) -> None:
        try:
            await bus.publish_many(
                [(activity_channel_name(prefix, n.tenant_id), n.to_wire()) for n in notices]
            )
        except BusUnavailable as exc:
            first, last = notices[0], notices[-1]
            logger.warning(
                "%d activity notices not published (%s/%s .. %s/%s): %s",
                len(notices),
                first.tenant_id,
                first.seq,
                last.tenant_id,
                last.seq,
                exc,
            )

    return publish
