"""Webhooks arriving together are committed together, and each is still answered on its own."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from tortoise.transactions import in_transaction

from tests.conftest import BACKEND
from tests.events.processes import gateway_process
from tests.events.test_processes import at
from tests.support.servers import serve_asgi
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.gateway import Gateway
from trunkline.ingestion.writer import IngestionWriter
from trunkline.models import ActivityEvent, Message, WebhookReceipt
from trunkline.settings import Settings
from trunkline.webhooks import twilio_webhook_router


async def test_concurrent_webhooks_with_redeliveries_are_each_answered_and_stored_once(
    twilio_tenant: TwilioTenant,
) -> None:
    sids = [message_sid() for _ in range(30)]
    posts = [
        twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid), idempotency_token=sid)
        for sid in sids
    ]
    redeliveries = [
        twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid), idempotency_token=sid)
        for sid in sids[::3]
    ]

    responses = await asyncio.gather(*posts, *redeliveries)

    assert [r.status_code for r in responses] == [200] * 40
    assert await Message.filter(sid__in=sids).count() == 30
    assert await WebhookReceipt.filter(tenant_id=twilio_tenant.tenant_id).count() == 30
    seqs = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).values_list(
        "seq", flat=True
    )
    assert sorted(seqs) == list(range(1, 31))


async def test_a_bad_webhook_among_concurrent_ones_fails_alone(
    twilio_tenant: TwilioTenant,
) -> None:
    sids = [message_sid() for _ in range(10)]
    bad = sids[4]
    params = {sid: inbound(twilio_tenant, sid) for sid in sids}
    params[bad] = inbound(twilio_tenant, bad, From="+1" + "5" * 400)  # over 320: refused at once

    responses = await asyncio.gather(*(twilio_tenant.post(MESSAGING, params[sid]) for sid in sids))

    assert [r.status_code for r in responses] == [400 if sid == bad else 200 for sid in sids]
    stored = await Message.filter(sid__in=sids).values_list("sid", flat=True)
    assert sorted(stored) == sorted(sid for sid in sids if sid != bad)
    assert await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).count() == 9


@pytest.fixture
async def full_gateway(settings: Settings) -> AsyncIterator[str]:
    """The webhook routes over a writer that has no room: every delivery finds it full."""
    gateway = Gateway.from_settings(settings)
    app = FastAPI()
    app.include_router(
        twilio_webhook_router(gateway.accounts, IngestionWriter(capacity=0), gateway.health)
    )
    async with serve_asgi(app) as url:
        yield url
    await gateway.aclose()


async def test_a_full_writer_answers_503_never_429_and_stores_nothing(
    twilio_tenant: TwilioTenant, full_gateway: str
) -> None:
    sid = message_sid()
    async with httpx.AsyncClient(base_url=full_gateway, timeout=10.0) as http:
        # Signed over the public URL, as Twilio signs; delivered to the full gateway.
        tenant = dataclasses.replace(twilio_tenant, http=http)
        response = await tenant.post(MESSAGING, inbound(tenant, sid))

    assert (response.status_code, response.json()) == (503, {"detail": "temporarily unavailable"})
    assert not await Message.exists(sid=sid)
    assert await WebhookReceipt.filter(tenant_id=twilio_tenant.tenant_id).count() == 0


@pytest.mark.skipif(
    BACKEND != "services", reason="two processes share a database only on PostgreSQL"
)
async def test_the_same_webhooks_taken_by_two_processes_at_once_are_stored_once(
    settings: Settings, twilio_tenant: TwilioTenant
) -> None:
    sids = [message_sid() for _ in range(20)]
    async with gateway_process(settings) as other_url:
        other = at(twilio_tenant, other_url)
        # Every delivery goes to both processes at once, as a retry racing its original would.
        responses = await asyncio.gather(
            *(
                tenant.post(MESSAGING, inbound(tenant, sid), idempotency_token=sid)
                for sid in sids
                for tenant in (twilio_tenant, other)
            )
        )
        await other.http.aclose()

    assert [r.status_code for r in responses] == [200] * 40
    assert await Message.filter(sid__in=sids).count() == 20
    assert await WebhookReceipt.filter(tenant_id=twilio_tenant.tenant_id).count() == 20
    seqs = await ActivityEvent.filter(tenant_id=twilio_tenant.tenant_id).values_list(
        "seq", flat=True
    )
    assert sorted(seqs) == list(range(1, 21))


@pytest.mark.skipif(BACKEND != "services", reason="SQLite has one writer: nothing runs beside it")
async def test_a_webhook_is_stored_while_another_transaction_inserts_for_the_tenant(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = message_sid()
    async with in_transaction() as connection:
        # An insert referencing the tenant (a mutation recording a sent message, say) holds a
        # KEY SHARE lock on its row until commit; ingestion must not wait for it.
        await Message.create(
            tenant_id=twilio_tenant.tenant_id,
            sid=message_sid(),
            channel="sms",
            direction="outbound",
            from_address=twilio_tenant.number.phone_number,
            to_address="+14155550123",
            counterpart="+14155550123",
            status="queued",
            using_db=connection,
        )
        response = await asyncio.wait_for(
            twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid)), timeout=5
        )

    assert response.status_code == 200
    assert await Message.exists(sid=sid)
