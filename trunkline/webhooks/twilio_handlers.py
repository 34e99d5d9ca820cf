"""What each Twilio callback asks to store: a verified delivery parsed into an :class:`Ingestion`.

One handler per callback; each reads the parameters it needs (through the fields of
:mod:`trunkline.webhooks.twilio_fields`, which know where each value lands) and ignores the rest.
A missing or malformed field is a 400 naming it (:class:`WebhookRejected`).
"""

from __future__ import annotations

from collections.abc import Callable

from trunkline.ingestion import calls, conversations, inbound_messages
from trunkline.ingestion import message_status as statuses
from trunkline.ingestion.kind import Ingestion
from trunkline.models import Direction
from trunkline.webhooks import twilio_fields as fields
from trunkline.webhooks.requests import WebhookRequest
from trunkline.webhooks.verification import Delivery

# What a delivery asks to store; parsing it may answer 400 (WebhookRejected).
Handler = Callable[[Delivery], Ingestion]


def inbound_message(delivery: Delivery) -> Ingestion:
    webhook = delivery.webhook
    sid = webhook.require(fields.MESSAGE_SID)
    sender = webhook.require(fields.MESSAGE_FROM)
    recipient = webhook.require(fields.MESSAGE_TO)
    count = webhook.read(fields.NUM_MEDIA) or 0
    media = [
        inbound_messages.MediaItem(
            url=webhook.require(fields.MEDIA_URL.at(index)),
            content_type=webhook.read(fields.MEDIA_CONTENT_TYPE.at(index))
            or "application/octet-stream",
        )
        for index in range(count)
    ]
    assert delivery.number is not None  # inbound routes always resolve the receiving number
    return inbound_messages.InboundMessageIngestion(
        tenant_id=delivery.tenant_id,
        number=delivery.number,
        message=inbound_messages.InboundMessage(
            sid=sid,
            from_address=sender,
            to_address=recipient,
            body=webhook.read(fields.BODY) or "",
            media=media,
            num_segments=webhook.read(fields.NUM_SEGMENTS),
        ),
        idempotency_key=delivery.idempotency_key("messaging", sid),
    )


def message_status(delivery: Delivery) -> Ingestion:
    webhook = delivery.webhook
    sid = webhook.require(fields.STATUS_MESSAGE_SID)
    update = statuses.MessageStatusUpdate(
        sid=sid,
        status=webhook.require(fields.MESSAGE_STATUS),
        from_address=webhook.read(fields.MESSAGE_FROM) or "",
        to_address=webhook.read(fields.MESSAGE_TO) or "",
        error_code=webhook.read(fields.ERROR_CODE),
    )
    return statuses.MessageStatusIngestion(
        tenant_id=delivery.tenant_id,
        number=delivery.number,
        update=update,
        idempotency_key=delivery.idempotency_key("message-status", sid, update.status),
    )


def _call_update(webhook: WebhookRequest, *, default_status: str | None) -> calls.CallUpdate:
    sid = webhook.require(fields.CALL_SID)
    status = (
        webhook.read(fields.CALL_STATUS) or default_status or webhook.require(fields.CALL_STATUS)
    )
    direction = webhook.read(fields.DIRECTION) or "inbound"
    return calls.CallUpdate(
        sid=sid,
        status=status,
        from_address=webhook.read(fields.CALL_FROM) or "",
        to_address=webhook.read(fields.CALL_TO) or "",
        direction=Direction.INBOUND if direction == "inbound" else Direction.OUTBOUND,
        sequence=webhook.read(fields.SEQUENCE_NUMBER),
        duration=webhook.read(fields.CALL_DURATION),
        price=webhook.read(fields.CALL_PRICE),
        price_unit=webhook.read(fields.CALL_PRICE_UNIT),
        timestamp=webhook.read(fields.TIMESTAMP),
        start_time=webhook.read(fields.START_TIME),
        end_time=webhook.read(fields.END_TIME),
    )


def call_status(delivery: Delivery) -> Ingestion:
    update = _call_update(delivery.webhook, default_status=None)
    return calls.CallIngestion(
        tenant_id=delivery.tenant_id,
        number=delivery.number,
        update=update,
        idempotency_key=delivery.idempotency_key(
            "call-status", update.sid, update.status, str(update.sequence)
        ),
    )


def recording_status(delivery: Delivery) -> Ingestion:
    webhook = delivery.webhook
    update = calls.RecordingUpdate(
        sid=webhook.require(fields.RECORDING_SID),
        call_sid=webhook.require(fields.CALL_SID),
        status=webhook.require(fields.RECORDING_STATUS),
        duration=webhook.read(fields.RECORDING_DURATION),
        channels=webhook.read(fields.RECORDING_CHANNELS),
        media_url=webhook.read(fields.RECORDING_URL),
    )
    return calls.RecordingIngestion(
        tenant_id=delivery.tenant_id,
        update=update,
        idempotency_key=delivery.idempotency_key("recording-status", update.sid, update.status),
    )


def conversation_event(delivery: Delivery) -> Ingestion:
    webhook = delivery.webhook
    webhook.require(fields.EVENT_TYPE)
    event = {field.name: webhook.read(field) or "" for field in fields.CONVERSATION_FIELDS}
    return conversations.ConversationEventIngestion(
        tenant_id=delivery.tenant_id,
        event=event,
        idempotency_key=delivery.idempotency_key(
            "conversations",
            *(
                event[name]
                for name in ("EventType", "ConversationSid", "MessageSid", "ParticipantSid")
            ),
        ),
    )
