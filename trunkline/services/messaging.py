"""Sending messages: who may send what from which number (``sendMessage``), and the test SMS.

Everything is checked before Twilio is called, and before an idempotency key is claimed (a
refused request uses up no key); the send itself is ``services.sending``'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from trunkline.activity import MessageSnapshot
from trunkline.auth.principal import Principal
from trunkline.models import (
    WHATSAPP_PREFIX,
    Channel,
    Message,
    NumberProvider,
    PhoneNumber,
    is_shared_sender,
)
from trunkline.services import idempotency, number_use, validation
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.callbacks import Callback
from trunkline.services.errors import InvalidInput
from trunkline.services.keys import parse_key
from trunkline.services.sending import Outgoing, Record, deliver

MAX_TEST_SMS_LENGTH = 320
MAX_BODY_LENGTH = 1600  # Twilio's limit for one message, all segments together
MAX_MEDIA = 10
MAX_MEDIA_URL_LENGTH = 2048
MAX_CONTENT_VARIABLES_BYTES = 16_384
SEND_MESSAGE = "sendMessage"  # the idempotency keys' operation
SENDABLE_CHANNELS = frozenset({Channel.SMS, Channel.MMS, Channel.WHATSAPP})


@dataclass(frozen=True, kw_only=True)
class SendMessageRequest:
    """``sendMessage``'s input as the client sent it (checked by :func:`send_message`)."""

    number_id: str
    to: str
    channel: Channel = Channel.SMS
    body: str | None = None
    media_urls: list[str] = field(default_factory=list)
    idempotency_key: str | None = None
    content_sid: str | None = None
    content_variables: Any = None


async def send_message(
    *,
    tenant_id: int,
    principal: Principal,
    request: SendMessageRequest,
    accounts: TwilioAccounts,
    record: Record,
) -> MessageSnapshot:
    """Send an SMS, MMS or WhatsApp message from one of the tenant's numbers; the message.

    Admins send from any of the tenant's numbers, agents from those assigned to them: any other
    is PHONE_NUMBER_NOT_FOUND, as a number that does not exist is, before the rest is checked.
    The same idempotency key from the same tenant sends once; every request with it answers the
    same message (or the same refusal).
    """
    number_id = parse_key(request.number_id, field="input.numberId")
    # First whether the caller may send from it: a number that is not theirs is not found,
    # whatever else the request says.
    number = await _sender(tenant_id=tenant_id, principal=principal, number_id=number_id)
    channel = request.channel
    if channel not in SENDABLE_CHANNELS:
        raise InvalidInput("input.channel", "input.channel must be SMS, MMS or WHATSAPP.")
    to = _recipient(request.to)
    body = validation.text(
        request.body or "",
        field="input.body",
        max_length=MAX_BODY_LENGTH,
        allow_empty=True,
        multiline=True,
    )
    media_urls = _media_urls(request.media_urls)
    content_sid = (
        validation.sid(request.content_sid, prefix="HX", field="input.contentSid")
        if request.content_sid is not None
        else None
    )
    content_variables = _content_variables(request.content_variables, content_sid=content_sid)
    if not body and not media_urls and content_sid is None:
        raise InvalidInput("input.body", "A message needs a body, media or a contentSid.")
    key = idempotency.client_key(request.idempotency_key, field="input.idempotencyKey")
    _check_channel(number, channel, media_urls)
    client, _ = await accounts.client_for_tenant(tenant_id)
    outgoing = Outgoing(
        tenant_id=tenant_id,
        user_id=principal.user_id,
        channel=channel,
        to=to,
        from_number=number.phone_number,
        number_id=number.id,
        body=body,
        media_urls=media_urls,
        content_sid=content_sid,
        content_variables=content_variables,
    )
    status_callback = accounts.callback_url(Callback.MESSAGE_STATUS)
    if key is None:
        return await deliver(
            outgoing, client=client, status_callback=status_callback, record=record
        )
    held = await idempotency.claim_or_wait(
        tenant_id=tenant_id,
        operation=SEND_MESSAGE,
        key=key,
        request_fingerprint=idempotency.fingerprint(
            {
                "numberId": number.id,
                "to": to,
                "channel": channel.value,
                "body": body,
                "mediaUrls": list(media_urls),
                "contentSid": content_sid,
                "contentVariables": content_variables,
            }
        ),
        field="input.idempotencyKey",
    )
    if isinstance(held, idempotency.Outcome):
        if held.entity_id is None:
            raise idempotency.refusal_of(held)
        return MessageSnapshot.of(await Message.get(id=held.entity_id, tenant_id=tenant_id))
    return await deliver(
        outgoing, client=client, status_callback=status_callback, record=record, claim=held
    )


async def send_test_sms(
    *, tenant_id: int, to: str, body: str, user_id: str, accounts: TwilioAccounts, record: Record
) -> MessageSnapshot:
    """Send one SMS from the configured number (or Messaging Service) and record it.

    Its later statuses arrive on the message-status webhook like any other message's.
    """
    validation.e164(to, field="to")
    body = validation.text(body, field="body", max_length=MAX_TEST_SMS_LENGTH, multiline=True)
    client, account = await accounts.client_for_tenant(tenant_id)
    if not account.from_number and not account.messaging_service_sid:
        raise InvalidInput("fromNumber", "Save a from number or Messaging Service SID first.")
    number = (
        await PhoneNumber.filter(tenant_id=tenant_id, phone_number=account.from_number).first()
        if account.from_number
        else None
    )
    outgoing = Outgoing(
        tenant_id=tenant_id,
        user_id=user_id,
        channel=Channel.SMS,
        to=to,
        from_number=account.from_number or None,
        messaging_service_sid=None if account.from_number else account.messaging_service_sid,
        number_id=number.id if number else None,
        body=body,
    )
    return await deliver(
        outgoing,
        client=client,
        status_callback=accounts.callback_url(Callback.MESSAGE_STATUS),
        record=record,
    )


def _recipient(value: str) -> str:
    if value.startswith(WHATSAPP_PREFIX):
        raise InvalidInput(
            "input.to",
            "input.to must be a phone number in E.164 form; choose channel WHATSAPP for "
            "WhatsApp (the whatsapp: prefix is added for you).",
        )
    return validation.e164(value, field="input.to")


def _media_urls(urls: list[str]) -> tuple[str, ...]:
    if len(urls) > MAX_MEDIA:
        raise InvalidInput("input.mediaUrls", f"At most {MAX_MEDIA} media URLs per message.")
    for url in urls:
        parts = urlsplit(url) if len(url) <= MAX_MEDIA_URL_LENGTH else None
        if (
            parts is None
            or parts.scheme != "https"
            or not parts.hostname
            or any(not c.isprintable() or c.isspace() for c in url)
        ):
            raise InvalidInput(
                "input.mediaUrls", "input.mediaUrls must be https URLs (Twilio fetches them)."
            )
    return tuple(urls)


def _content_variables(value: Any, *, content_sid: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if content_sid is None:
        raise InvalidInput("input.contentVariables", "input.contentVariables needs a contentSid.")
    if not isinstance(value, dict) or not all(
        isinstance(v, str | int | float) and not isinstance(v, bool) for v in value.values()
    ):
        raise InvalidInput(
            "input.contentVariables",
            "input.contentVariables must be a JSON object of template variables, "
            'like {"1": "Ana"}.',
        )
    if len(json.dumps(value)) > MAX_CONTENT_VARIABLES_BYTES:
        raise InvalidInput("input.contentVariables", "input.contentVariables is too large.")
    return {str(k): v for k, v in value.items()}


async def _sender(*, tenant_id: int, principal: Principal, number_id: int) -> PhoneNumber:
    """The number to send from, if the caller may (``services.number_use``), carried by Twilio."""
    number = await number_use.active_number(
        tenant_id=tenant_id, principal=principal, number_id=number_id, action="send"
    )
    if number.provider is not NumberProvider.TWILIO:
        raise InvalidInput("input.numberId", "Only numbers carried by Twilio can send today.")
    return number


def _whatsapp_sender(number: PhoneNumber) -> bool:
    shared = number.sid is None and is_shared_sender(number.phone_number)
    return number.whatsapp_enabled or shared


def _check_channel(number: PhoneNumber, channel: Channel, media_urls: tuple[str, ...]) -> None:
    """What the channel asks of the sender; an SMS sender Twilio itself refuses (21606)."""
    if channel is Channel.WHATSAPP and not _whatsapp_sender(number):
        raise InvalidInput("input.channel", "This number is not enabled for WhatsApp.")
    if channel is Channel.MMS and not media_urls:
        raise InvalidInput("input.mediaUrls", "An MMS needs at least one media URL.")
    if channel is Channel.SMS and media_urls:
        raise InvalidInput("input.mediaUrls", "Media needs channel MMS or WHATSAPP.")
    if channel is Channel.MMS and not number.mms_enabled:
        raise InvalidInput("input.mediaUrls", "This number cannot send MMS.")
