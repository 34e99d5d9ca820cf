"""Several gateway processes on one PostgreSQL and Redis; Redis restarted under a live stream.

These need what only the services backend has: a database two processes share.
"""

from __future__ import annotations

import contextlib

import httpx
import pytest

from tests.conftest import BACKEND
from tests.events.processes import gateway_process, redis_server, serve_process
from tests.subscriptions.client import subscribe
from tests.subscriptions.test_activity import ACTIVITY, admin_token
from tests.support.identity import IdentityProvider
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.settings import Settings

pytestmark = pytest.mark.skipif(
    BACKEND != "services", reason="two processes share a database only on PostgreSQL"
)


def at(tenant: TwilioTenant, url: str) -> TwilioTenant:
    """The same tenant, posting its webhooks to another gateway process."""
    return TwilioTenant(
        **{**tenant.__dict__, "gateway": url, "http": httpx.AsyncClient(base_url=url)}
    )


async def test_a_webhook_taken_by_one_process_reaches_subscribers_on_another(
    gateway: str, settings: Settings, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    first, second = message_sid(), message_sid()
    async with gateway_process(settings) as other_url:
        other = at(twilio_tenant, other_url)
        async with subscribe(
            gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "0"}
        ) as subscriber:
            await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, first))
            here = (await subscriber.next())["activity"]
            response = await other.post(MESSAGING, inbound(other, second))
            there = (await subscriber.next())["activity"]
        await other.http.aclose()

    assert response.status_code == 200
    assert [(e["cursor"], e["message"]["sid"]) for e in (here, there)] == [
        ("1", first),
        ("2", second),
    ]


async def test_redis_restarted_mid_stream_loses_nothing_that_was_committed(
    settings: Settings, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    sids = [message_sid() for _ in range(3)]
    async with (
        redis_server() as redis,
        gateway_process(settings, TRUNKLINE_REDIS_URL=redis.url) as url,
    ):
        tenant = at(twilio_tenant, url)
        async with subscribe(
            url, admin_token(identity, tenant), ACTIVITY, {"after": "0"}
        ) as subscriber:
            await tenant.post(MESSAGING, inbound(tenant, sids[0]))
            before = (await subscriber.next())["activity"]
            await redis.stop()
            during = await tenant.post(MESSAGING, inbound(tenant, sids[1]))
            await redis.start()
            backfilled = (await subscriber.next())["activity"]
            await tenant.post(MESSAGING, inbound(tenant, sids[2]))
            live = (await subscriber.next())["activity"]
        await tenant.http.aclose()

    assert during.status_code == 200
    assert [(e["cursor"], e["message"]["sid"]) for e in (before, backfilled, live)] == [
        ("1", sids[0]),
        ("2", sids[1]),
        ("3", sids[2]),
    ]


async def test_serve_with_two_workers_delivers_each_webhook_to_every_subscriber(
    settings: Settings, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    sid = message_sid()
    async with serve_process(settings, "--workers", "2") as served:
        tenant = at(twilio_tenant, served.url)
        token = admin_token(identity, tenant)
        async with contextlib.AsyncExitStack() as stack:
            # Connections land on either worker; whichever takes the webhook, the bus reaches all.
            subscribers = [
                await stack.enter_async_context(
                    subscribe(served.url, token, ACTIVITY, {"after": "0"})
                )
                for _ in range(6)
            ]
            response = await tenant.post(MESSAGING, inbound(tenant, sid))
            events = [(await subscriber.next())["activity"] for subscriber in subscribers]
        workers = served.worker_pids()
        await tenant.http.aclose()

    assert len(workers) == 2
    assert response.status_code == 200
    assert {(event["cursor"], event["message"]["sid"]) for event in events} == {("1", sid)}
