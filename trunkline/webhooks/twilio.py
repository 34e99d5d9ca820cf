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

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.types import Scope
from tortoise.exceptions import BaseORMException

from trunkline.events import BusUnavailable
from trunkline.gateway import Gateway
from trunkline.models import Direction, PhoneNumber
from trunkline.services import calls, inbound_messages, messages
from trunkline.services.accounts import TwilioAccount
from trunkline.services.activity import ActivityNotice, activity_channel_name, tenant_number
from trunkline.services.ingestion import Ingestion
from trunkline.services.ingestion_writer import IngestionBusy, IngestionWriter, PublishNotices
from trunkline.webhooks import twilio_fields as fields
from trunkline.webhooks.asgi import Answer, WebhookEndpoint
from trunkline.webhooks.requests import WebhookRejected, WebhookRequest, bare_address, read_webhook
from trunkline.webhooks.twiml import EMPTY, VOICE_PLACEHOLDER

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """A verified webhook: whose it is, and the number it concerns when we hold it."""

    webhook: WebhookRequest
    account: TwilioAccount
    number: PhoneNumber | None

    @property
    def tenant_id(self) -> int:
        return self.account.tenant_id

    def idempotency_key(self, route: str, *identity: str) -> str:
        """What makes this delivery the same as another of the tenant's: its route, what it is
        about (``identity``: the sid, the status ...) and, when Twilio sends one, its token.

        The token is not covered by the signature: whoever replays a signed request can set it.
        Bound to the signed ``identity`` as well, it can merge a redelivery with its original
        but never two different deliveries. (The receipt is the key's digest, per tenant.)
        """
        return json.dumps([route, self.webhook.idempotency_token, *identity])


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


def _message_status(delivery: Delivery) -> Ingestion:
    webhook = delivery.webhook
    sid = webhook.require(fields.STATUS_MESSAGE_SID)
    update = messages.MessageStatusUpdate(
        sid=sid,
        status=webhook.require(fields.MESSAGE_STATUS),
        from_address=webhook.read(fields.MESSAGE_FROM) or "",
        to_address=webhook.read(fields.MESSAGE_TO) or "",
        error_code=webhook.read(fields.ERROR_CODE),
    )
    return messages.MessageStatusIngestion(
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
    )


def _inbound_call(delivery: Delivery) -> Ingestion:
    delivery.webhook.require(fields.CALL_FROM)
    delivery.webhook.require(fields.CALL_TO)
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
    return calls.CallIngestion(
        tenant_id=delivery.tenant_id,
        number=delivery.number,
        update=update,
        idempotency_key=delivery.idempotency_key(
            "call-status", update.sid, update.status, str(update.sequence)
        ),
    )


def _recording_status(delivery: Delivery) -> Ingestion:
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


def _conversation_event(delivery: Delivery) -> Ingestion:
    webhook = delivery.webhook
    webhook.require(fields.EVENT_TYPE)
    event = {field.name: webhook.read(field) or "" for field in fields.CONVERSATION_FIELDS}
    return messages.ConversationEventIngestion(
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


ROUTES = (
    Route("/messaging", _inbound_message, receiving_field="To", inbound=True),
    Route("/message-status", _message_status, receiving_field="From", inbound=False),
    Route("/voice", _inbound_call, receiving_field="To", inbound=True, answer=VOICE_PLACEHOLDER),
    Route("/call-status", _call_status, receiving_field="To", inbound=False),
    Route("/recording-status", _recording_status, receiving_field="To", inbound=False),
    Route("/conversations", _conversation_event, receiving_field="To", inbound=False),
)


async def _account_for(
    webhook: WebhookRequest, gateway: Gateway, receiving: str | None, *, fresh: bool
) -> TwilioAccount | None:
    accounts = gateway.accounts
    account_sid = webhook.read(fields.ACCOUNT_SID)
    if account_sid:
        found = await accounts.by_sid(account_sid, fresh=fresh)
        if found is not None:
            return found
    service_sid = webhook.read(fields.MESSAGING_SERVICE_SID)
    if service_sid:
        found = await accounts.by_messaging_service(service_sid, fresh=fresh)
        if found is not None:
            return found
    if receiving:
        return await accounts.by_number(receiving, fresh=fresh)
    return None


def _receiving_number(route: Route, webhook: WebhookRequest) -> tuple[str, str | None]:
    """The field naming our number, and that number as the numbers table holds it, if sent.

    On an inbound route it must be a number we could hold (400 naming the field otherwise). A
    status callback's may be something else (a browser caller's ``client:...`` identity): it is
    then no number of ours, and the field is checked against the column it is stored in.
    """
    name = route.receiving_field
    if (
        name == "To"
        and not route.inbound
        and (webhook.read(fields.DIRECTION) or "inbound") != "inbound"
    ):
        name = "From"  # an outbound call's number is its caller
    raw = webhook.params.get(name)
    if not raw:
        return name, None
    number = fields.receiving_number(name)
    bare = bare_address(raw)
    if not route.inbound and number.max_length is not None and len(bare) > number.max_length:
        return name, None
    return name, number.parse(name, bare)


async def _verify(route: Route, webhook: WebhookRequest, gateway: Gateway) -> Delivery:
    field, receiving = _receiving_number(route, webhook)
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
        await gateway.accounts.lookups.get(
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
