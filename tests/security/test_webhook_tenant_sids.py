"""Entity SIDs are the tenant's own: another tenant's message, call or recording with the same SID
is stored for that tenant too.

A SID is only as trustworthy as the account that signed the webhook naming it. Unique across all
tenants, a SID another tenant had stored made an inbound message a "duplicate" (200, never
stored), and a callback creating a message, call or recording failed the unique index (503 on
every retry, so Twilio retried forever).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from tortoise.models import Model

from tests.security.test_webhook_receipts import PostBoth, one_after_the_other, together
from tests.security.webhook_bodies import PREFIX, stored_rows, valid_body
from tests.webhooks.fixtures import Carrier, TwilioTenant, create_twilio_tenant
from trunkline.models import ActivityEvent, Call, Message, Recording
from trunkline.settings import Settings


@dataclass(frozen=True)
class Delivery:
    """A route, the entity its webhook stores (found by ``sid_field``) and what it announces."""

    path: str
    model: type[Model]
    sid_field: str
    kind: str
    rows: dict[str, int]


MESSAGE_ROWS = {"receipts": 1, "messages": 1, "calls": 0, "recordings": 0, "activity": 1}
CALL_ROWS = {"receipts": 1, "messages": 0, "calls": 1, "recordings": 0, "activity": 1}
DELIVERIES = {
    "inbound message": Delivery(
        PREFIX + "/messaging", Message, "MessageSid", "MESSAGE_RECEIVED", MESSAGE_ROWS
    ),
    "message status creating its message": Delivery(
        PREFIX + "/message-status", Message, "MessageSid", "MESSAGE_STATUS", MESSAGE_ROWS
    ),
    "inbound call": Delivery(PREFIX + "/voice", Call, "CallSid", "CALL_RECEIVED", CALL_ROWS),
    "call status creating its call": Delivery(
        PREFIX + "/call-status", Call, "CallSid", "CALL_STATUS", CALL_ROWS
    ),
    "recording status creating its recording and call": Delivery(
        PREFIX + "/recording-status",
        Recording,
        "RecordingSid",
        "RECORDING_READY",
        # The recording's call was never announced: it is kept, unannounced, for the recording.
        {"receipts": 1, "messages": 0, "calls": 1, "recordings": 1, "activity": 1},
    ),
}


def shared_sids() -> dict[str, str]:
    """Fresh message, call and recording SIDs (fresh: no other test's rows share them)."""
    message_sid = "SM" + uuid.uuid4().hex
    return {
        "MessageSid": message_sid,
        "SmsMessageSid": message_sid,
        "CallSid": "CA" + uuid.uuid4().hex,
        "RecordingSid": "RE" + uuid.uuid4().hex,
    }


def body_naming(tenant: TwilioTenant, sids: dict[str, str]) -> list[tuple[str, str]]:
    """The tenant's valid body, naming ``sids`` whichever tenant sends it."""
    return list({**valid_body(tenant), **sids}.items())


async def announced(tenant: TwilioTenant) -> list[tuple[str, int, str]]:
    """The tenant's activity log: kind, entity id and the entity's sid, in order."""
    events = await ActivityEvent.filter(tenant_id=tenant.tenant_id).order_by("seq")
    return [(event.kind, event.entity_id, event.payload["sid"]) for event in events]


@pytest.fixture
async def second_tenant(
    sandbox_carrier: Carrier, gateway: str, settings: Settings, twilio_tenant: TwilioTenant
) -> TwilioTenant:
    return await create_twilio_tenant(
        carrier=sandbox_carrier, gateway=gateway, settings=settings, http=twilio_tenant.http
    )


@pytest.mark.parametrize("delivery", DELIVERIES.values(), ids=DELIVERIES.keys())
@pytest.mark.parametrize("post_both", [one_after_the_other, together])
async def test_two_tenants_delivering_the_same_sid_each_have_it_stored_and_announced(
    twilio_tenant: TwilioTenant,
    second_tenant: TwilioTenant,
    delivery: Delivery,
    post_both: PostBoth,
) -> None:
    tenants = (twilio_tenant, second_tenant)
    sids = shared_sids()

    responses = await post_both(
        *(tenant.post(delivery.path, body_naming(tenant, sids)) for tenant in tenants)
    )

    assert [r.status_code for r in responses] == [200, 200]  # type: ignore[attr-defined]
    sid = sids[delivery.sid_field]
    ids = []
    for tenant in tenants:
        entity = await delivery.model.get(tenant_id=tenant.tenant_id, sid=sid)
        ids.append(entity.pk)
        assert await stored_rows(tenant) == delivery.rows
        assert await announced(tenant) == [(delivery.kind, entity.pk, sid)]
    assert ids[0] != ids[1]


@pytest.mark.parametrize("delivery", DELIVERIES.values(), ids=DELIVERIES.keys())
async def test_a_redelivery_to_the_same_tenant_is_still_a_duplicate_under_a_new_token(
    twilio_tenant: TwilioTenant, second_tenant: TwilioTenant, delivery: Delivery
) -> None:
    """A new idempotency token makes a new receipt; the entity and its announcement stay one."""
    sids = shared_sids()
    body = body_naming(twilio_tenant, sids)
    other = await second_tenant.post(delivery.path, body_naming(second_tenant, sids))
    first = await twilio_tenant.post(delivery.path, body)
    before = await announced(twilio_tenant)

    again = await twilio_tenant.post(delivery.path, body, idempotency_token=str(uuid.uuid4()))

    assert (other.status_code, first.status_code, again.status_code) == (200, 200, 200)
    assert await stored_rows(twilio_tenant) == {
        **delivery.rows,
        "receipts": 2,
    }
    assert await announced(twilio_tenant) == before
    assert len(before) == 1
    assert await stored_rows(second_tenant) == delivery.rows
