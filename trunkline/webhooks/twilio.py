"""Twilio's webhooks: verified, idempotent, stored in one transaction, then announced.

Each route verifies first (tenant from ``AccountSid``, else the Messaging Service, else the
receiving number; X-Twilio-Signature with that tenant's auth token over the URL Twilio called),
then parses the delivery into an :class:`Ingestion` and hands it to the process's ingestion
writer, which commits it with whatever else is waiting (group commit) before the request is
answered; the writer then publishes each committed batch's activity on the bus in one round trip
(a bus that is down is logged: subscribers backfill from the log). ``GET`` on each route is a
health check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.types import Scope
from tortoise.exceptions import BaseORMException
from tortoise.models import Model

from trunkline.events import BusUnavailable
from trunkline.gateway import Gateway
from trunkline.models import Call, Direction, Message, PhoneNumber, Recording
from trunkline.services import calls, inbound_messages, messages
from trunkline.services.activity import ActivityNotice, activity_channel_name, tenant_number
from trunkline.services.credentials import (
    TwilioAccount,
    twilio_account_by_messaging_service,
    twilio_account_by_number,
    twilio_account_by_sid,
)
from trunkline.services.ingestion import Ingestion
from trunkline.services.ingestion_writer import IngestionBusy, IngestionWriter, PublishNotices
from trunkline.webhooks.asgi import Answer, WebhookEndpoint
from trunkline.webhooks.requests import WebhookRejected, WebhookRequest, bare_address, read_webhook
from trunkline.webhooks.twiml import EMPTY, VOICE_PLACEHOLDER

logger = logging.getLogger(__name__)

MAX_MEDIA = 10


def _stored_length(model: type[Model], field: str) -> int:
    """The longest value ``model.field`` holds: a longer one is a 400, not a failed write."""
    length = model._meta.fields_map[field].max_length  # type: ignore[attr-defined]
    assert isinstance(length, int)
    return length


MESSAGE_SID = _stored_length(Message, "sid")
MESSAGE_ADDRESS = _stored_length(Message, "from_address")
MESSAGE_STATUS = _stored_length(Message, "status")
CALL_SID = _stored_length(Call, "sid")
CALL_ADDRESS = _stored_length(Call, "from_address")
CALL_STATUS = _stored_length(Call, "status")
RECORDING_SID = _stored_length(Recording, "sid")
RECORDING_STATUS = _stored_length(Recording, "status")
RECORDING_URL = _stored_length(Recording, "media_url")


@dataclass(frozen=True)
class Delivery:
    """A verified webhook: whose it is, and the number it concerns when we hold it."""

    webhook: WebhookRequest
    account: TwilioAccount
    number: PhoneNumber | None

    @property
    def tenant_id(self) -> int:
        return self.account.tenant_id

    def idempotency_key(self, route: str, fallback: str) -> str:
        token = self.webhook.idempotency_token
        return f"{route}:token:{token}" if token else f"{route}:{fallback}"


# What a delivery asks to store; parsing it may answer 400 (WebhookRejected).
Handler = Callable[[Delivery], Ingestion]


@dataclass(frozen=True)
class Route:
    path: str
    handle: Handler
    # The parameter naming our number; for inbound traffic the tenant must hold it.
    receiving_field: str
    inbound: bool
    answer: str | None = None


def _inbound_message(delivery: Delivery) -> Ingestion:
    webhook = delivery.webhook
    sid = webhook.require_any("MessageSid", "SmsMessageSid", "SmsSid", max_length=MESSAGE_SID)
    sender = webhook.require("From", max_length=MESSAGE_ADDRESS)
    recipient = webhook.require("To", max_length=MESSAGE_ADDRESS)
    count = webhook.integer("NumMedia") or 0
    if not 0 <= count <= MAX_MEDIA:
        raise WebhookRejected(400, f"field NumMedia must be between 0 and {MAX_MEDIA}")
    media = [
        inbound_messages.MediaItem(
            url=webhook.require(f"MediaUrl{index}"),
            content_type=webhook.get(f"MediaContentType{index}") or "application/octet-stream",
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
            body=webhook.get("Body") or "",
            media=media,
            num_segments=webhook.integer("NumSegments"),
        ),
        idempotency_key=delivery.idempotency_key("messaging", sid),
    )


def _message_status(delivery: Delivery) -> Ingestion:
    webhook = delivery.webhook
    sid = webhook.require_any("MessageSid", "SmsSid", max_length=MESSAGE_SID)
    status = webhook.require_any("MessageStatus", "SmsStatus", max_length=MESSAGE_STATUS)
    update = messages.MessageStatusUpdate(
        sid=sid,
        status=status.lower(),
        from_address=webhook.get("From", max_length=MESSAGE_ADDRESS) or "",
        to_address=webhook.get("To", max_length=MESSAGE_ADDRESS) or "",
        error_code=webhook.integer("ErrorCode"),
    )
    return messages.MessageStatusIngestion(
        tenant_id=delivery.tenant_id,
        number=delivery.number,
        update=update,
        idempotency_key=delivery.idempotency_key("message-status", f"{sid}:{update.status}"),
    )


def _call_update(webhook: WebhookRequest, *, default_status: str | None) -> calls.CallUpdate:
    sid = webhook.require("CallSid", max_length=CALL_SID)
    status = (
        webhook.get("CallStatus", max_length=CALL_STATUS)
        or default_status
        or webhook.require("CallStatus")
    )
    direction = webhook.get("Direction") or "inbound"
    return calls.CallUpdate(
        sid=sid,
        status=status.lower(),
        from_address=webhook.get("From", max_length=CALL_ADDRESS) or "",
        to_address=webhook.get("To", max_length=CALL_ADDRESS) or "",
        direction=Direction.INBOUND if direction == "inbound" else Direction.OUTBOUND,
        sequence=webhook.integer("SequenceNumber"),
        duration=webhook.integer("CallDuration"),
    )


def _inbound_call(delivery: Delivery) -> Ingestion:
    delivery.webhook.require("From")
    delivery.webhook.require("To")
    update = _call_update(delivery.webhook, default_status="ringing")
    return calls.CallIngestion(
        tenant_id=delivery.tenant_id,
        number=delivery.number,
        update=update,
        idempotency_key=delivery.idempotency_key("voice", update.sid),
        inbound=True,
    )


def _call_status(delivery: Delivery) -> Ingestion:
    update = _call_update(delivery.webhook, default_status=None)
    fallback = f"{update.sid}:{update.status}:{update.sequence}"
    return calls.CallIngestion(
        tenant_id=delivery.tenant_id,
        number=delivery.number,
        update=update,
        idempotency_key=delivery.idempotency_key("call-status", fallback),
    )


def _recording_status(delivery: Delivery) -> Ingestion:
    webhook = delivery.webhook
    update = calls.RecordingUpdate(
        sid=webhook.require("RecordingSid", max_length=RECORDING_SID),
        call_sid=webhook.require("CallSid", max_length=CALL_SID),
        status=webhook.require("RecordingStatus", max_length=RECORDING_STATUS).lower(),
        duration=webhook.integer("RecordingDuration"),
        channels=webhook.integer("RecordingChannels"),
        media_url=webhook.get("RecordingUrl", max_length=RECORDING_URL),
    )
    return calls.RecordingIngestion(
        tenant_id=delivery.tenant_id,
        update=update,
        idempotency_key=delivery.idempotency_key(
            "recording-status", f"{update.sid}:{update.status}"
        ),
    )


CONVERSATION_FIELDS = (
    "EventType",
    "ConversationSid",
    "MessageSid",
    "ParticipantSid",
    "Author",
    "Body",
    "Source",
)


def _conversation_event(delivery: Delivery) -> Ingestion:
    webhook = delivery.webhook
    event_type = webhook.require("EventType")
    event = {name: webhook.get(name) or "" for name in CONVERSATION_FIELDS}
    fallback = ":".join(
        [event_type, event["ConversationSid"], event["MessageSid"], event["ParticipantSid"]]
    )
    return messages.ConversationEventIngestion(
        tenant_id=delivery.tenant_id,
        event=event,
        idempotency_key=delivery.idempotency_key("conversations", fallback),
    )


ROUTES = (
    Route("/messaging", _inbound_message, receiving_field="To", inbound=True),
    Route("/message-status", _message_status, receiving_field="From", inbound=False),
    Route("/voice", _inbound_call, receiving_field="To", inbound=True, answer=VOICE_PLACEHOLDER),
    Route("/call-status", _call_status, receiving_field="To", inbound=False),
    Route("/recording-status", _recording_status, receiving_field="To", inbound=False),
    Route("/conversations", _conversation_event, receiving_field="To", inbound=False),
)


def _tenant_of(account: TwilioAccount) -> int:
    return account.tenant_id


async def _account_for(
    webhook: WebhookRequest, gateway: Gateway, receiving: str | None, *, fresh: bool
) -> TwilioAccount | None:
    box = gateway.secrets
    recent = gateway.lookups
    account_sid = webhook.get("AccountSid")
    if account_sid:
        found = await recent.get(
            ("sid", account_sid),
            lambda: twilio_account_by_sid(account_sid=account_sid, box=box),
            tenant_of=_tenant_of,
            fresh=fresh,
        )
        if found is not None:
            return found
    service_sid = webhook.get("MessagingServiceSid")
    if service_sid:
        found = await recent.get(
            ("service", service_sid),
            lambda: twilio_account_by_messaging_service(messaging_service_sid=service_sid, box=box),
            tenant_of=_tenant_of,
            fresh=fresh,
        )
        if found is not None:
            return found
    if receiving:
        return await recent.get(
            ("number", receiving),
            lambda: twilio_account_by_number(phone_number=receiving, box=box),
            tenant_of=_tenant_of,
            phone_number=receiving,
            fresh=fresh,
        )
    return None


async def _verify(route: Route, webhook: WebhookRequest, gateway: Gateway) -> Delivery:
    field = route.receiving_field
    if field == "To" and not route.inbound and webhook.get("Direction", "inbound") != "inbound":
        field = "From"  # an outbound call's number is its caller
    raw_receiving = webhook.get(field)
    receiving = bare_address(raw_receiving) if raw_receiving else None
    account = await _account_for(webhook, gateway, receiving, fresh=False)
    if account is not None and not webhook.signed_by(account.auth_token):
        # Perhaps the token was rotated on an instance whose revocation has not reached us
        # (the bus was down): ask the database.
        account = await _account_for(webhook, gateway, receiving, fresh=True)
        if account is not None and not webhook.signed_by(account.auth_token):
            raise WebhookRejected(403, "bad signature")
    if account is None:
        raise WebhookRejected(403, "unknown account")
    tenant_id = account.tenant_id
    number = (
        await gateway.lookups.get(
            ("tenant-number", tenant_id, receiving),
            lambda: tenant_number(tenant_id=tenant_id, phone_number=receiving),
            tenant_of=lambda _: tenant_id,
            phone_number=receiving,
        )
        if receiving
        else None
    )
    if route.inbound and number is None:
        if not receiving:
            raise WebhookRejected(400, f"missing required field {field}")
        raise WebhookRejected(403, "the receiving number is not the tenant's")
    return Delivery(webhook=webhook, account=account, number=number)


UNAVAILABLE = Answer.detail(503, "temporarily unavailable")


def activity_publisher(gateway: Gateway) -> PublishNotices:
    """Publish a committed batch's notices on the bus: one round trip for the whole batch."""
    prefix = gateway.settings.bus_prefix

    async def publish(notices: Sequence[ActivityNotice]) -> None:
        try:
            await gateway.bus.publish_many(
                [(activity_channel_name(prefix, n.tenant_id), n.to_wire()) for n in notices]
            )
        except BusUnavailable as exc:
            # Stored and committed: subscribers backfill from the log when the bus is back.
            first, last = notices[0], notices[-1]
            logger.warning(
                "%d activity notices not published (%s/%s .. %s/%s): %s",
                len(notices),
                first.tenant_id,
                first.seq,
                last.tenant_id,
                last.seq,
                exc,
            )

    return publish


def twilio_webhook_router(gateway: Gateway, writer: IngestionWriter) -> APIRouter:
    router = APIRouter(prefix="/webhooks/twilio")

    def register(route: Route) -> None:
        async def health() -> dict[str, str]:
            return {"status": "ok"}

        async def receive(scope: Scope, body: bytes) -> Answer:
            try:
                webhook = read_webhook(scope, body, public_url=gateway.settings.public_url)
                delivery = await _verify(route, webhook, gateway)
                await writer.ingest(route.handle(delivery))
            except WebhookRejected as rejected:
                logger.info("webhook %s rejected: %s", route.path, rejected.detail)
                return Answer.detail(rejected.status, rejected.detail)
            except IngestionBusy as exc:
                # Full (or shutting down): Twilio retries a 503 later; a 429 it would not.
                logger.warning("webhook %s not stored: %s", route.path, exc)
                return UNAVAILABLE
            except (BaseORMException, OSError) as exc:
                # Never a 2xx for what we did not store, never a 429: Twilio retries a 5xx.
                logger.error("webhook %s not stored: %r", route.path, exc)
                return UNAVAILABLE
            except Exception:
                # The driver's own errors (a refused or dropped connection) reach us untranslated;
                # whatever it was, the transaction rolled back: ask Twilio to retry.
                logger.exception("webhook %s not stored", route.path)
                return UNAVAILABLE
            return stored

        stored = Answer.xml(route.answer or EMPTY)
        name = route.path.strip("/").replace("-", "_")
        router.add_api_route(route.path, health, methods=["GET"], name=f"{name}_health")
        # A bare ASGI endpoint, not an API route (see trunkline.webhooks.asgi); Starlette's
        # add_route does not apply the router's prefix.
        endpoint = WebhookEndpoint(receive)
        router.add_route(router.prefix + route.path, endpoint, methods=["POST"], name=name)

    for route in ROUTES:
        register(route)
    return router
