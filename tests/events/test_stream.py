"""The activity stream: a bus message out of order or missing is filled from the log, once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.events import InProcessBus
from trunkline.events.stream import StreamExpired, activity_stream
from trunkline.services.activity import activity_after, activity_channel_name

PREFIX = "stream-test"


async def test_a_seq_that_jumps_ahead_is_filled_from_the_log_and_the_late_one_skipped(
    twilio_tenant: TwilioTenant,
) -> None:
    bus = InProcessBus()
    channel = activity_channel_name(PREFIX, twilio_tenant.tenant_id)
    subscribed = asyncio.Event()
    stream = activity_stream(
        bus=bus,
        prefix=PREFIX,
        tenant_id=twilio_tenant.tenant_id,
        after_seq=0,
        expires_at=datetime.now(UTC) + timedelta(minutes=1),
        on_subscribed=lambda subscription: subscribed.set(),
    )
    first = asyncio.ensure_future(anext(stream))  # subscribes, reads the (empty) log, waits
    await subscribed.wait()
    sids = [message_sid() for _ in range(3)]
    for sid in sids[:2]:
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid))
    one, two = await activity_after(tenant_id=twilio_tenant.tenant_id, after_seq=0)

    await bus.publish(channel, two.to_wire())  # seq 2 arrives first: 1 is read from the log
    yielded = [await first, await anext(stream)]
    await bus.publish(channel, one.to_wire())  # the late seq 1: already delivered, skipped
    await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sids[2]))
    [*_, three] = await activity_after(tenant_id=twilio_tenant.tenant_id, after_seq=0)
    await bus.publish(channel, three.to_wire())
    yielded.append(await anext(stream))
    await stream.aclose()

    assert [n.notice.seq for n in yielded] == [1, 2, 3]
    assert [n.notice.payload["sid"] for n in yielded] == sids
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
