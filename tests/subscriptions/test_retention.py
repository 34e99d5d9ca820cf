"""Resuming `activity` after retention: a cursor before the oldest kept event must reload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.subscriptions.client import subscribe
from tests.subscriptions.test_activity import ACTIVITY, admin_token
from tests.support.identity import IdentityProvider
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.models import ActivityEvent, Tenant
from trunkline.services.retention import RetentionPolicy, prune

POLICY = RetentionPolicy(receipt_retention=timedelta(hours=72), activity_days=30, batch_size=100)


async def events_with_the_oldest_pruned(tenant: TwilioTenant, *, total: int, pruned: int) -> None:
    """``total`` inbound messages, then retention deletes the first ``pruned`` events."""
    for _ in range(total):
        assert (await tenant.post(MESSAGING, inbound(tenant, message_sid()))).status_code == 200
    long_ago = datetime.now(UTC) - timedelta(days=31)
    await Tenant.filter(id=tenant.tenant_id).update(created_at=long_ago)
    await ActivityEvent.filter(tenant_id=tenant.tenant_id, seq__lte=pruned).update(
        created_at=long_ago
    )
    await prune(POLICY, now=datetime.now(UTC))
    assert await ActivityEvent.filter(tenant_id=tenant.tenant_id, seq__lte=pruned).count() == 0


def errors_of(reply: dict[str, Any]) -> list[dict[str, Any]]:
    assert reply["type"] in {"next", "error"}, reply
    errors: list[dict[str, Any]] = (
        reply["payload"]["errors"] if reply["type"] == "next" else reply["payload"]
    )
    return errors


async def test_resuming_from_a_pruned_cursor_is_cursor_expired_telling_the_client_to_reload(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    # Given: events 1..3, of which 1 and 2 were deleted by retention.
    await events_with_the_oldest_pruned(twilio_tenant, total=3, pruned=2)

    # When: a client resumes after event 1 (it never saw event 2).
    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "1"}
    ) as subscriber:
        reply = await subscriber.message()

    # Then: no event 3 as if nothing was missing, but a typed error saying to reload.
    errors = errors_of(reply)
    assert [error["extensions"]["code"] for error in errors] == ["CURSOR_EXPIRED"]
    assert "reload" in errors[0]["message"]


async def test_resuming_from_the_last_pruned_event_replays_what_follows_it(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    await events_with_the_oldest_pruned(twilio_tenant, total=3, pruned=2)

    async with subscribe(
        gateway, admin_token(identity, twilio_tenant), ACTIVITY, {"after": "2"}
    ) as subscriber:
        event = (await subscriber.next())["activity"]

    assert event["cursor"] == "3"


async def test_resuming_when_every_event_was_pruned_goes_live_from_the_last_one(
    gateway: str, identity: IdentityProvider, twilio_tenant: TwilioTenant
) -> None:
    # Given: all of events 1..2 pruned; a client had seen both, another only the first.
    await events_with_the_oldest_pruned(twilio_tenant, total=2, pruned=2)
    token = admin_token(identity, twilio_tenant)

    async with subscribe(gateway, token, ACTIVITY, {"after": "1"}) as behind:
        refused = await behind.message()
    async with subscribe(gateway, token, ACTIVITY, {"after": "2"}) as caught_up:
        sid = message_sid()
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid))
        event = (await caught_up.next())["activity"]

    assert [error["extensions"]["code"] for error in errors_of(refused)] == ["CURSOR_EXPIRED"]
    assert (event["cursor"], event["message"]["sid"]) == ("3", sid)
