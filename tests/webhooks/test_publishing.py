"""After commit, each batch's activity goes out on the bus in seq order; a bus that is down costs
no webhook its 200, and subscribers read what it missed from the log.

Each test serves the webhook routes of a gateway of its own (its own writer and bus) so that it
can subscribe on that bus, and, for the outage, point it at a Redis it can stop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.events.processes import redis_server
from tests.support.servers import serve_asgi
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.activity import (
    activity_channel_name,
    activity_publisher,
    activity_stream,
    notice_of,
    notice_seq,
)
from trunkline.events import RESYNC, RedisBus
from trunkline.gateway import Gateway
from trunkline.ingestion.writer import IngestionWriter
from trunkline.models import ActivityEvent, Message
from trunkline.settings import Settings
from trunkline.webhooks import twilio_webhook_router


@dataclasses.dataclass
class OwnGateway:
    gateway: Gateway
    writer: IngestionWriter
    tenant: TwilioTenant  # the test's tenant, posting to this gateway

    def channel(self) -> str:
        return activity_channel_name(self.gateway.settings.bus_prefix, self.tenant.tenant_id)


@asynccontextmanager
async def own_gateway(
    settings: Settings, tenant: TwilioTenant, **changes: Any
) -> AsyncIterator[OwnGateway]:
    gateway = Gateway.from_settings(settings.model_copy(update=changes))
    await gateway.bus.start()
    if isinstance(gateway.bus, RedisBus):
        await asyncio.wait_for(gateway.bus.connected.wait(), 5)
    writer = IngestionWriter(
        publish=activity_publisher(gateway.bus, prefix=gateway.settings.bus_prefix)
    )
    app = FastAPI()
    app.include_router(twilio_webhook_router(gateway.accounts, writer, gateway.health))
    try:
        async with serve_asgi(app) as url, httpx.AsyncClient(base_url=url, timeout=10) as http:
            # Still signed over the public URL, as Twilio signs; delivered to this gateway.
            yield OwnGateway(gateway, writer, dataclasses.replace(tenant, http=http))
    finally:
        await writer.stop()
        await gateway.aclose()


async def test_concurrent_webhooks_reach_a_bus_subscriber_once_each_in_seq_order(
    settings: Settings, twilio_tenant: TwilioTenant
) -> None:
    sids = [message_sid() for _ in range(20)]
    async with own_gateway(settings, twilio_tenant) as own:
        subscription = own.gateway.bus.subscribe(own.channel(), sequence=notice_seq)
        await asyncio.wait_for(own.gateway.bus.listening(own.channel()), 5)
        if isinstance(own.gateway.bus, RedisBus):  # its channel's confirmation, before any notice
            assert await asyncio.wait_for(subscription.get(), 5) is RESYNC
        responses = await asyncio.gather(
            *(own.tenant.post(MESSAGING, inbound(own.tenant, sid)) for sid in sids)
        )
        received = [await asyncio.wait_for(subscription.get(), 5) for _ in sids]
        await own.writer.stop()  # every batch published: nothing more may arrive
        left_over = subscription.pending()
        subscription.close()

    assert [r.status_code for r in responses] == [200] * 20
    notices = [notice_of(item) for item in received]  # type: ignore[arg-type]
    sid_of = {n.seq: n.snapshot.sid for n in notices}  # type: ignore[union-attr]
    assert [n.seq for n in notices] == list(range(1, 21))
    assert sorted(sid_of.values()) == sorted(sids)
    # Each notice, and its row in the log, names the message stored under the notice's sid.
    ids = dict(await Message.filter(sid__in=sids).values_list("sid", "id"))
    logged = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).values_list(
        "seq", "entity_id"
    )
    assert [n.entity_id for n in notices] == [ids[sid_of[n.seq]] for n in notices]
    assert dict(logged) == {n.seq: ids[sid_of[n.seq]] for n in notices}
    assert left_over == 0


async def test_with_redis_down_after_commit_the_webhook_answers_200_and_the_subscriber_backfills(
    settings: Settings, twilio_tenant: TwilioTenant, caplog: pytest.LogCaptureFixture
) -> None:
    sids = [message_sid() for _ in range(3)]
    prefix = f"outage-{uuid.uuid4().hex[:8]}"
    async with (
        redis_server() as redis,
        own_gateway(settings, twilio_tenant, redis_url=redis.url, bus_prefix=prefix) as own,
    ):
        stream = activity_stream(
            bus=own.gateway.bus,
            prefix=prefix,
            tenant_id=twilio_tenant.tenant_id,
            after_seq=0,
            expires_at=datetime.now(UTC) + timedelta(minutes=5),
        )
        first = await own.tenant.post(MESSAGING, inbound(own.tenant, sids[0]))
        before = await asyncio.wait_for(anext(stream), 5)

        await redis.stop()
        during = await own.tenant.post(MESSAGING, inbound(own.tenant, sids[1]))
        # Stopping the writer waits for its publish to have been tried (and failed).
        await own.writer.stop()
        not_published = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        await own.writer.start()
        await redis.start()

        backfilled = await asyncio.wait_for(anext(stream), 15)
        last = await own.tenant.post(MESSAGING, inbound(own.tenant, sids[2]))
        live = await asyncio.wait_for(anext(stream), 5)
        await stream.aclose()

    assert [r.status_code for r in (first, during, last)] == [200] * 3
    assert await Message.filter(sid__in=sids).count() == 3
    assert any(
        message.startswith(f"1 activity notices not published ({twilio_tenant.tenant_id}/2 ..")
        for message in not_published
    )
    notices = [notice_of(n) for n in (before, backfilled, live)]
    assert [(n.seq, n.snapshot.sid) for n in notices] == [  # type: ignore[union-attr]
        (1, sids[0]),
        (2, sids[1]),
        (3, sids[2]),
    ]
