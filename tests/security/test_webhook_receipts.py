"""Idempotency receipts are the tenant's own, and derived from the whole token.

``I-Twilio-Idempotency-Token`` is not covered by the signature. A receipt unique across tenants
let one tenant's token make another tenant's genuine delivery look like a redelivery (200, never
stored); a receipt truncated to its column merged two long tokens that differ only at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from tests.security.webhook_bodies import PREFIX, stored_rows, valid_body
from tests.subscriptions.client import Subscriber, subscribe
from tests.support.identity import IdentityProvider
from tests.webhooks.fixtures import Carrier, TwilioTenant, create_twilio_tenant
from trunkline.models import Message, WebhookReceipt
from trunkline.settings import Settings

ACTIVITY = """
subscription Activity { activity(after: "0") { cursor kind message { sid status } } }
"""
MESSAGING = PREFIX + "/messaging"
STATUS = PREFIX + "/message-status"
SHARED_TOKEN = "RCa1b2c3d4e5f60718293a4b5c6d7e8f9"
LONG_TOKEN = "RC" + "7" * 300


def admin_token(identity: IdentityProvider, tenant: TwilioTenant) -> str:
    return identity.token(org=tenant.org, sub="auth0|admin", roles=["admin"])


async def next_event(subscriber: Subscriber) -> tuple[str, str, str]:
    event = (await subscriber.next())["activity"]
    return event["cursor"], event["kind"], event["message"]["sid"]


PostBoth = Callable[[Awaitable[object], Awaitable[object]], Awaitable[object]]


async def one_after_the_other(first: Awaitable[object], second: Awaitable[object]) -> object:
    return [await first, await second]


async def together(first: Awaitable[object], second: Awaitable[object]) -> object:
    # Concurrent: usually one batch, whose receipts go in one statement.
    return await asyncio.gather(first, second)


@pytest.mark.parametrize(
    ("path", "kind"), [(MESSAGING, "MESSAGE_RECEIVED"), (STATUS, "MESSAGE_STATUS")]
)
@pytest.mark.parametrize("post_both", [one_after_the_other, together])
async def test_two_tenants_sending_the_same_token_both_have_their_delivery_stored_and_announced(
    gateway: str,
    identity: IdentityProvider,
    settings: Settings,
    sandbox_carrier: Carrier,
    twilio_tenant: TwilioTenant,
    path: str,
    kind: str,
    post_both: PostBoth,
) -> None:
    first = twilio_tenant
    second = await create_twilio_tenant(
        carrier=sandbox_carrier, gateway=gateway, settings=settings, http=first.http
    )
    bodies = [valid_body(tenant) for tenant in (first, second)]
    async with (
        subscribe(gateway, admin_token(identity, first), ACTIVITY) as first_view,
        subscribe(gateway, admin_token(identity, second), ACTIVITY) as second_view,
    ):
        responses = await post_both(
            first.post(path, list(bodies[0].items()), idempotency_token=SHARED_TOKEN),
            second.post(path, list(bodies[1].items()), idempotency_token=SHARED_TOKEN),
        )
        seen = [await next_event(first_view), await next_event(second_view)]

    assert [r.status_code for r in responses] == [200, 200]  # type: ignore[attr-defined]
    assert seen == [("1", kind, bodies[0]["MessageSid"]), ("1", kind, bodies[1]["MessageSid"])]
    for tenant, body in zip((first, second), bodies, strict=True):
        message = await Message.get(sid=body["MessageSid"])
        assert message.tenant_id == tenant.tenant_id  # type: ignore[attr-defined]
        assert await stored_rows(tenant) == {
            "receipts": 1,
            "messages": 1,
            "calls": 0,
            "recordings": 0,
            "activity": 1,
        }


@pytest.mark.parametrize("token", [SHARED_TOKEN, LONG_TOKEN])
async def test_the_same_tenants_redelivery_is_still_a_duplicate(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant, token: str
) -> None:
    body = list(valid_body(twilio_tenant).items())
    later = valid_body(twilio_tenant)
    async with subscribe(gateway, admin_token(identity, twilio_tenant), ACTIVITY) as view:
        delivered = await twilio_tenant.post(MESSAGING, body, idempotency_token=token)
        redelivered = await twilio_tenant.post(MESSAGING, body, idempotency_token=token)
        await twilio_tenant.post(MESSAGING, list(later.items()))
        # The redelivery announced nothing: the event after the first is the later message's.
        seen = [await next_event(view), await next_event(view)]

    assert (delivered.status_code, redelivered.status_code) == (200, 200)
    assert seen == [
        ("1", "MESSAGE_RECEIVED", dict(body)["MessageSid"]),
        ("2", "MESSAGE_RECEIVED", later["MessageSid"]),
    ]
    assert await stored_rows(twilio_tenant) == {
        "receipts": 2,
        "messages": 2,
        "calls": 0,
        "recordings": 0,
        "activity": 2,
    }


async def test_tokens_that_differ_only_past_the_column_length_are_not_merged(
    twilio_tenant: TwilioTenant,
) -> None:
    tokens = [LONG_TOKEN + "a", LONG_TOKEN + "b"]  # alike in their first 300 characters
    bodies = [valid_body(twilio_tenant) for _ in tokens]

    responses = [
        await twilio_tenant.post(MESSAGING, list(body.items()), idempotency_token=token)
        for body, token in zip(bodies, tokens, strict=True)
    ]

    assert [r.status_code for r in responses] == [200, 200]
    stored = await Message.filter(tenant_id=twilio_tenant.tenant_id).values_list("sid", flat=True)
    assert sorted(stored) == sorted(body["MessageSid"] for body in bodies)
    assert await WebhookReceipt.filter(tenant_id=twilio_tenant.tenant_id).count() == 2


async def test_a_token_reused_for_a_different_delivery_does_not_drop_it(
    twilio_tenant: TwilioTenant,
) -> None:
    """The token is unsigned: whoever replays a signed request may set it. Bound to what the
    signature covers, it can only ever merge a delivery with itself."""
    bodies = [valid_body(twilio_tenant) for _ in range(2)]

    responses = [
        await twilio_tenant.post(MESSAGING, list(body.items()), idempotency_token=SHARED_TOKEN)
        for body in bodies
    ]

    assert [r.status_code for r in responses] == [200, 200]
    assert await Message.filter(tenant_id=twilio_tenant.tenant_id).count() == 2
