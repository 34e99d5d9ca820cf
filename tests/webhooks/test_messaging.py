"""Messaging webhooks: inbound SMS/MMS/WhatsApp and status callbacks, stored once, in order."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.webhooks.fixtures import TwilioTenant
from trunkline.models import ActivityEvent, Message, PhoneNumber, WebhookReceipt

MESSAGING = "/webhooks/twilio/messaging"
STATUS = "/webhooks/twilio/message-status"
SENDER = "+14155550123"


def message_sid() -> str:
    return "SM" + uuid.uuid4().hex


def inbound(tenant: TwilioTenant, sid: str, **extra: str) -> list[tuple[str, str]]:
    params = {
        "AccountSid": tenant.account_sid,
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "From": SENDER,
        "To": tenant.number.phone_number,
        "Body": "hello",
        "NumMedia": "0",
        **extra,
    }
    return list(params.items())


def status(tenant: TwilioTenant, sid: str, value: str, **extra: str) -> list[tuple[str, str]]:
    params = {
        "AccountSid": tenant.account_sid,
        "MessageSid": sid,
        "MessageStatus": value,
        "From": tenant.number.phone_number,
        "To": SENDER,
        **extra,
    }
    return list(params.items())


async def activity_kinds(tenant: TwilioTenant) -> list[str]:
    rows = await ActivityEvent.filter(tenant_id=tenant.tenant_id).order_by("seq")
    return [row.kind for row in rows]


async def test_signed_inbound_sms_is_stored_with_its_activity(twilio_tenant: TwilioTenant) -> None:
    sid = message_sid()

    response = await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    message = await Message.get(sid=sid)
    assert (message.tenant_id, message.channel, message.direction) == (  # type: ignore[attr-defined]
        twilio_tenant.tenant_id,
        "sms",
        "inbound",
    )
    assert (message.from_address, message.body, message.status) == (SENDER, "hello", "received")
    assert message.number_id == twilio_tenant.number.id  # type: ignore[attr-defined]
    event = await ActivityEvent.get(tenant_id=twilio_tenant.tenant_id)
    assert (event.seq, event.kind, event.entity_id) == (1, "MESSAGE_RECEIVED", message.id)


async def test_inbound_mms_keeps_every_media_url_and_type(twilio_tenant: TwilioTenant) -> None:
    sid = message_sid()
    media = {
        "NumMedia": "2",
        "MediaUrl0": "https://media.example/a.jpg",
        "MediaContentType0": "image/jpeg",
        "MediaUrl1": "https://media.example/b.png",
        "MediaContentType1": "image/png",
    }

    response = await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid, **media))

    assert response.status_code == 200
    message = await Message.get(sid=sid)
    assert message.channel == "mms"
    assert message.media == [
        {"url": "https://media.example/a.jpg", "content_type": "image/jpeg"},
        {"url": "https://media.example/b.png", "content_type": "image/png"},
    ]


async def test_inbound_whatsapp_is_stored_on_the_whatsapp_channel(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = message_sid()
    params = inbound(
        twilio_tenant,
        sid,
        From=f"whatsapp:{SENDER}",
        To=f"whatsapp:{twilio_tenant.number.phone_number}",
    )

    response = await twilio_tenant.post(MESSAGING, params)

    assert response.status_code == 200
    message = await Message.get(sid=sid)
    assert (message.channel, message.from_address) == ("whatsapp", f"whatsapp:{SENDER}")


async def test_sequential_duplicate_answers_200_and_stores_nothing_new(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = message_sid()
    first = await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid), idempotency_token="t1")

    again = await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid), idempotency_token="t1")
    retried_without_token_reuse = await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, sid))

    assert (first.status_code, again.status_code, retried_without_token_reuse.status_code) == (
        200,
        200,
        200,
    )
    assert await Message.filter(sid=sid).count() == 1
    assert await activity_kinds(twilio_tenant) == ["MESSAGE_RECEIVED"]


async def test_concurrent_duplicates_store_one_message_and_one_activity(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = message_sid()
    params = inbound(twilio_tenant, sid)

    responses = await asyncio.gather(
        *(twilio_tenant.post(MESSAGING, params, idempotency_token="same") for _ in range(8))
    )

    assert [r.status_code for r in responses] == [200] * 8
    assert await Message.filter(sid=sid).count() == 1
    assert await WebhookReceipt.filter(tenant_id=twilio_tenant.tenant_id).count() == 1
    assert await activity_kinds(twilio_tenant) == ["MESSAGE_RECEIVED"]


async def test_status_callbacks_move_the_message_forward_and_keep_history(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = message_sid()

    for value in ("queued", "sent", "delivered"):
        response = await twilio_tenant.post(STATUS, status(twilio_tenant, sid, value))
        assert response.status_code == 200

    message = await Message.get(sid=sid)
    assert message.status == "delivered"
    assert [entry["status"] for entry in message.status_history] == ["queued", "sent", "delivered"]
    assert await activity_kinds(twilio_tenant) == ["MESSAGE_STATUS"] * 3


async def test_late_sent_callback_does_not_undo_delivered(twilio_tenant: TwilioTenant) -> None:
    sid = message_sid()
    await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "delivered"))

    response = await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "sent"))

    assert response.status_code == 200
    message = await Message.get(sid=sid)
    assert message.status == "delivered"
    assert [(e["status"], e["applied"]) for e in message.status_history] == [
        ("delivered", True),
        ("sent", False),
    ]
    assert await activity_kinds(twilio_tenant) == ["MESSAGE_STATUS"]


# Statuses in the order they arrive, each with whether it moved the message forward
# (queued < sent < delivered < read): the history keeps them all, in arrival order.
SHUFFLED_STATUSES = {
    "in order": [("queued", True), ("sent", True), ("delivered", True), ("read", True)],
    "read early": [("queued", True), ("read", True), ("delivered", False), ("sent", False)],
    "sent first": [("sent", True), ("read", True), ("queued", False), ("delivered", False)],
    "delivered first": [("delivered", True), ("sent", False), ("read", True), ("queued", False)],
    "read first": [("read", True), ("sent", False), ("queued", False), ("delivered", False)],
}


@pytest.mark.parametrize("case", list(SHUFFLED_STATUSES))
async def test_shuffled_statuses_reach_the_same_final_state(
    twilio_tenant: TwilioTenant, case: str
) -> None:
    sid = message_sid()
    arrivals = SHUFFLED_STATUSES[case]

    responses = [
        await twilio_tenant.post(STATUS, status(twilio_tenant, sid, value)) for value, _ in arrivals
    ]

    assert [r.status_code for r in responses] == [200] * 4
    message = await Message.get(sid=sid)
    assert message.status == "read"
    assert [(e["status"], e["applied"]) for e in message.status_history] == arrivals
    applied = sum(moved for _, moved in arrivals)
    assert await activity_kinds(twilio_tenant) == ["MESSAGE_STATUS"] * applied


async def test_failed_is_terminal_and_keeps_its_error_code(twilio_tenant: TwilioTenant) -> None:
    sid = message_sid()
    await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "sent"))
    await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "failed", ErrorCode="30008"))

    await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "delivered"))

    message = await Message.get(sid=sid)
    assert (message.status, message.error_code) == ("failed", 30008)


async def test_unknown_status_is_kept_in_history_without_a_crash(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = message_sid()
    await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "sent"))

    response = await twilio_tenant.post(STATUS, status(twilio_tenant, sid, "teleported"))

    assert response.status_code == 200
    message = await Message.get(sid=sid)
    assert message.status == "sent"
    assert [e["status"] for e in message.status_history] == ["sent", "teleported"]


async def test_messaging_service_sid_resolves_the_tenant_for_sender_pools(
    twilio_tenant: TwilioTenant,
) -> None:
    from trunkline.models import TwilioSettings

    await TwilioSettings.filter(tenant_id=twilio_tenant.tenant_id).update(
        messaging_service_sid="MG" + "1" * 32
    )
    sid = message_sid()
    params = [
        ("AccountSid", "AC" + "0" * 32),
        *[(k, v) for k, v in status(twilio_tenant, sid, "sent") if k != "AccountSid"],
        ("MessagingServiceSid", "MG" + "1" * 32),
    ]

    response = await twilio_tenant.post(STATUS, params)

    assert response.status_code == 200
    assert (await Message.get(sid=sid)).tenant_id == twilio_tenant.tenant_id  # type: ignore[attr-defined]


async def test_receiving_number_resolves_the_tenant_without_an_account_sid(
    twilio_tenant: TwilioTenant,
) -> None:
    # A number no other test's tenant holds (sandboxes share one catalogue of numbers).
    unique = f"+1555{uuid.uuid4().int % 10**7:07d}"
    await PhoneNumber.create(
        tenant_id=twilio_tenant.tenant_id, sid="PN" + uuid.uuid4().hex, phone_number=unique
    )
    sid = message_sid()
    params = [(k, v) for k, v in inbound(twilio_tenant, sid, To=unique) if k != "AccountSid"]

    response = await twilio_tenant.post(MESSAGING, params)

    assert response.status_code == 200
    assert (await Message.get(sid=sid)).tenant_id == twilio_tenant.tenant_id  # type: ignore[attr-defined]


async def test_concurrent_status_callbacks_of_a_new_message_reach_the_final_state(
    twilio_tenant: TwilioTenant,
) -> None:
    sid = message_sid()
    order = ["read", "sent", "queued", "delivered"]

    responses = await asyncio.gather(
        *(twilio_tenant.post(STATUS, status(twilio_tenant, sid, value)) for value in order)
    )

    assert [r.status_code for r in responses] == [200] * 4
    message = await Message.get(sid=sid)
    assert message.status == "read"
    assert sorted(e["status"] for e in message.status_history) == sorted(order)
