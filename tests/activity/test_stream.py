"""The activity stream: a bus message out of order or missing is filled from the log, once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.activity import activity_after, activity_channel_name, activity_stream, notice_of
from trunkline.events import InProcessBus, StreamExpired, Subscription

PREFIX = "stream-test"


async def taken(subscription: Subscription) -> None:
    """Return once the stream has read everything queued for it: it waits for more."""
    async with asyncio.timeout(5):
        while subscription.pending():  # noqa: ASYNC110 - nothing announces a read: poll the queue
            await asyncio.sleep(0.001)


async def test_a_seq_the_log_delivered_is_skipped_and_one_that_jumps_ahead_is_filled_from_the_log(
    twilio_tenant: TwilioTenant,
) -> None:
    # Given: a stream that has read seq 1 from the log.
    bus = InProcessBus()
    channel = activity_channel_name(PREFIX, twilio_tenant.tenant_id)
    sids = [message_sid() for _ in range(3)]
    await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sids[0]))
    (one,) = await activity_after(tenant_id=twilio_tenant.tenant_id, after_seq=0)
    subscriptions: list[Subscription] = []
    stream = activity_stream(
        bus=bus,
        prefix=PREFIX,
        tenant_id=twilio_tenant.tenant_id,
        after_seq=0,
        expires_at=datetime.now(UTC) + timedelta(minutes=1),
        on_subscribed=subscriptions.append,
    )
    yielded = [await anext(stream)]
    (subscription,) = subscriptions

    # When: seq 1 arrives live as well (late), and then seq 3 before seq 2.
    following = asyncio.ensure_future(anext(stream))  # nothing more in the log: it goes live
    await bus.publish(channel, one.to_wire())
    await taken(subscription)  # read live, after the log: the check that skips it has run
    for sid in sids[1:]:
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid))
    *_, three = await activity_after(tenant_id=twilio_tenant.tenant_id, after_seq=0)
    await bus.publish(channel, three.to_wire())
    yielded += [await asyncio.wait_for(following, 5), await asyncio.wait_for(anext(stream), 5)]
    left_unread = subscription.pending()
    await stream.aclose()

    # Then: each seq once, in order: 2 and 3 were read from the log when 3 arrived ahead of 2.
    notices = [notice_of(n) for n in yielded]
    assert [n.seq for n in notices] == [1, 2, 3]
    assert [n.snapshot.sid for n in notices] == sids  # type: ignore[union-attr]
    assert left_unread == 0
    assert bus.subscriber_count == 0


async def test_the_stream_ends_when_its_credentials_expire(twilio_tenant: TwilioTenant) -> None:
    stream = activity_stream(
        bus=InProcessBus(),
        prefix=PREFIX,
        tenant_id=twilio_tenant.tenant_id,
        after_seq=0,
        expires_at=datetime.now(UTC) + timedelta(milliseconds=200),
    )

    try:
        await anext(stream)
        raised = None
    except StreamExpired as expired:
        raised = expired

    assert isinstance(raised, StreamExpired)
