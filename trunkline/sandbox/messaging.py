"""Messages: outbound sends with their status progression, inbound delivery to ``SmsUrl``.

An outbound message walks ``queued -> sending -> sent -> delivered`` (or ends ``undelivered`` /
``failed`` for the magic numbers in :mod:`trunkline.sandbox.magic`), one clock step per status,
posting a signed status callback for every status after the first.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from trunkline.sandbox import consent, magic, sids
from trunkline.sandbox.errors import bad_request
from trunkline.sandbox.forms import Form, country_of, e164, split_channel
from trunkline.sandbox.media import attach_media, message_media
from trunkline.sandbox.records import MESSAGE_FINAL_STATUSES, Account, Message, PhoneNumber
from trunkline.sandbox.twiml import parse_twiml
from trunkline.sandbox.webhooks import Params
from trunkline.sandbox.wire import API_VERSION, media_content_url, segment_count

if TYPE_CHECKING:
    from trunkline.sandbox.runtime import Sandbox

MAX_BODY = 1600
MAX_MEDIA = 10
PRICE_PER_SEGMENT = 0.0079
# The final statuses a message is charged for (a failed one never left Twilio).
PRICED_STATUSES = frozenset({"delivered", "undelivered", "read"})
# Twilio's shared WhatsApp Sandbox sender, usable by every account.
WHATSAPP_SANDBOX_SENDER = "+14155238886"
_MESSAGING_SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
_CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
_PROGRESSION = ("accepted", "queued", "sending", "sent", "delivered")


def create_outbound_message(sandbox: Sandbox, account: Account, form: Form) -> Message:
    """Validate a ``POST Messages.json`` as Twilio does, store the message, start its progress."""
    to = form.text("To")
    sender = form.text("From")
    service_sid = form.text("MessagingServiceSid")
    body = form.text("Body") or ""
    media_urls = form.values("MediaUrl")
    content_sid = form.text("ContentSid")
    content_variables = form.text("ContentVariables")
    if to is None:
        raise bad_request(21604, "A 'To' phone number is required.")
    if sender is None and service_sid is None:
        raise bad_request(21603, "A 'From' phone number is required.")
    if content_sid is not None and not _CONTENT_SID.match(content_sid):
        raise bad_request(21655, f"The ContentSid {content_sid} is invalid.")
    if content_variables is not None and not _json_object(content_variables):
        raise bad_request(21656, "The ContentVariables Parameter is invalid.")
    if not body and not media_urls and content_sid is None:
        raise bad_request(21602, "Message body is required.")
    if len(body) > MAX_BODY:
        raise bad_request(21617, "The concatenated message body exceeds the 1600 character limit.")
    if len(media_urls) > MAX_MEDIA:
        raise bad_request(21623, "The number of media files exceeds the allowed limit of 10.")
    channel, to_number = split_channel(to)
    rejection = magic.MESSAGE_TO_REJECTIONS.get(to_number)
    if rejection is not None:
        raise bad_request(rejection.code, rejection.message)
    to_e164 = e164(to_number)
    if to_e164 is None:
        raise bad_request(21211, f"Invalid 'To' Phone Number: {to}")
    if service_sid is not None and not _MESSAGING_SERVICE_SID.match(service_sid):
        raise bad_request(21701, f"The Messaging Service Sid {service_sid} is invalid.")
    if sender is None:
        from_number = _service_sender(sandbox, account, channel)
    else:
        from_number = _checked_sender(sandbox, account, sender, channel, media=bool(media_urls))
    prefix = f"{channel}:" if channel else ""
    now = sandbox.clock.now()
    _check_consent(
        sandbox,
        sender=prefix + from_number,
        contact=prefix + to_e164,
        channel=channel,
        template=content_sid is not None,
        now=now,
    )
    message = Message(
        sid=sids.new_sid(sids.MMS if media_urls else sids.SMS),
        account_sid=account.sid,
        from_=prefix + from_number,
        to=prefix + to_e164,
        body=body,
        status="accepted" if sender is None else "queued",
        direction="outbound-api",
        date_created=now,
        date_updated=now,
        media_urls=media_urls,
        messaging_service_sid=service_sid,
        status_callback=form.text("StatusCallback"),
        content_sid=content_sid,
    )
    attach_media(sandbox, message, media_urls)
    sandbox.store.messages[message.sid] = message
    sandbox.store.save()
    sandbox.spawn(_progress(sandbox, message.sid), name=f"message {message.sid}")
    return message


def resume_messages(sandbox: Sandbox) -> None:
    """Continue the progress of outbound messages a restart interrupted."""
    for message in sandbox.store.messages.values():
        if message.direction != "inbound" and message.status not in MESSAGE_FINAL_STATUSES:
            sandbox.spawn(_progress(sandbox, message.sid), name=f"message {message.sid}")


def deliver_inbound_message(
    sandbox: Sandbox,
    number: PhoneNumber,
    *,
    sender: str,
    body: str,
    channel: str,
    media_urls: list[str],
) -> Message:
    """Record a message arriving at ``number`` and post it to the number's ``SmsUrl``."""
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    now = sandbox.clock.now()
    message = Message(
        sid=sids.new_sid(sids.MMS if media_urls else sids.SMS),
        account_sid=number.account_sid,
        from_=prefix + sender,
        to=prefix + number.phone_number,
        body=body,
        status="received",
        direction="inbound",
        date_created=now,
        date_updated=now,
        date_sent=now,
        media_urls=list(media_urls),
    )
    attach_media(sandbox, message, message.media_urls)
    sandbox.store.messages[message.sid] = message
    sandbox.store.save()
    sandbox.spawn(_post_inbound(sandbox, message, number), name=f"inbound {message.sid}")
    return message


def shared_sender(account: Account) -> PhoneNumber:
    """The WhatsApp Sandbox sender as ``account`` sees it: no IncomingPhoneNumber of any account
    (it is never stored), its inbound URL the account's WhatsApp Sandbox setting."""
    return PhoneNumber(
        sid="",
        account_sid=account.sid,
        phone_number=WHATSAPP_SANDBOX_SENDER,
        friendly_name="Twilio WhatsApp Sandbox",
        iso_country="US",
        number_type="local",
        voice=False,
        sms=False,
        mms=False,
        date_created=account.date_created,
        date_updated=account.date_updated,
        sms_url=account.whatsapp_sandbox_url,
        sms_method=account.whatsapp_sandbox_method,
    )


def inbound_params(sandbox: Sandbox, message: Message, *, channel: str) -> Params:
    """The form fields Twilio posts to a number's ``SmsUrl`` for an incoming message.

    ``MediaUrl{N}`` is the URL of the message's Media resource, where Twilio hosts its copy of the
    file, never the URL the sender named.
    """
    media = message_media(sandbox, message)
    _, sender = split_channel(message.from_)
    _, recipient = split_channel(message.to)
    params: list[tuple[str, str]] = [
        ("ToCountry", country_of(recipient)),
        ("ToState", ""),
        ("SmsMessageSid", message.sid),
        ("NumMedia", str(len(media))),
        ("ToCity", ""),
        ("FromZip", ""),
        ("SmsSid", message.sid),
        ("FromState", ""),
        ("SmsStatus", "received"),
        ("FromCity", ""),
        ("Body", message.body),
        ("FromCountry", country_of(sender)),
        ("To", message.to),
        ("ToZip", ""),
        ("NumSegments", str(segment_count(message.body))),
        ("MessageSid", message.sid),
        ("AccountSid", message.account_sid),
        ("From", message.from_),
        ("ApiVersion", API_VERSION),
    ]
    for index, item in enumerate(media):
        url = media_content_url(item, sandbox.media_base)
        params += [(f"MediaContentType{index}", item.content_type), (f"MediaUrl{index}", url)]
    if channel == "whatsapp":
        kind = media[0].content_type.split("/", 1)[0] if media else "text"
        params += [
            ("ProfileName", "Sandbox User"),
            ("WaId", sender.lstrip("+")),
            ("MessageType", kind),
        ]
    return params


def status_params(message: Message) -> Params:
    """The form fields of a message status callback."""
    params: list[tuple[str, str]] = [
        ("AccountSid", message.account_sid),
        ("ApiVersion", API_VERSION),
        ("From", message.from_),
        ("To", message.to),
        ("MessageSid", message.sid),
        ("SmsSid", message.sid),
        ("SmsStatus", message.status),
        ("MessageStatus", message.status),
    ]
    if message.error_code is not None:
        params.append(("ErrorCode", str(message.error_code)))
    if message.messaging_service_sid:
        params.append(("MessagingServiceSid", message.messaging_service_sid))
    channel, address = split_channel(message.to)
    if channel:
        params += [("ChannelPrefix", channel), ("ChannelToAddress", address)]
    return params


async def _progress(sandbox: Sandbox, sid: str) -> None:
    message = sandbox.store.messages[sid]
    failure = magic.MESSAGE_DELIVERY_FAILURES.get(split_channel(message.to)[1])
    path = list(_PROGRESSION)
    if failure is not None:
        path = path[: path.index("sent")]
        path += ["sent", failure.status] if failure.status == "undelivered" else [failure.status]
    steps = path[path.index(message.status) + 1 :]
    for status in steps:
        await sandbox.clock.step()
        message = sandbox.store.messages[sid]
        message.status = status
        message.date_updated = sandbox.clock.now()
        if status == "sent":
            message.date_sent = message.date_updated
        if status in PRICED_STATUSES:
            # As Twilio: the price is known once the message is final (null until then).
            message.price = f"-{PRICE_PER_SEGMENT * max(1, segment_count(message.body)):.5f}"
        if failure is not None and status == failure.status:
            message.error_code = failure.code
            message.error_message = failure.message
        sandbox.store.save()
        if message.status_callback:
            account = sandbox.store.accounts[message.account_sid]
            await sandbox.webhooks.send(
                message.status_callback, status_params(message), auth_token=account.auth_token
            )


async def _post_inbound(sandbox: Sandbox, message: Message, number: PhoneNumber) -> None:
    if not number.sms_url:
        return
    await sandbox.clock.step()
    account = sandbox.store.accounts[number.account_sid]
    channel = split_channel(message.to)[0] or "sms"
    reply = await sandbox.webhooks.send(
        number.sms_url,
        inbound_params(sandbox, message, channel=channel),
        auth_token=account.auth_token,
        method=number.sms_method,
    )
    if reply is None or not reply.ok:
        return
    document = parse_twiml(reply.text)
    if document is None:
        return
    for verb in document.iter("Message"):
        text = verb.findtext("Body") if verb.find("Body") is not None else verb.text
        media = [(m.text or "").strip() for m in verb.iter("Media") if (m.text or "").strip()]
        callback = verb.get("statusCallback") or verb.get("action")
        _send_reply(
            sandbox,
            number,
            to=verb.get("to") or message.from_,
            body=(text or "").strip(),
            media_urls=media,
            status_callback=urljoin(number.sms_url, callback) if callback else None,
        )


def _send_reply(
    sandbox: Sandbox,
    number: PhoneNumber,
    *,
    to: str,
    body: str,
    media_urls: list[str],
    status_callback: str | None,
) -> None:
    channel, _ = split_channel(to)
    now = sandbox.clock.now()
    reply = Message(
        sid=sids.new_sid(sids.MMS if media_urls else sids.SMS),
        account_sid=number.account_sid,
        from_=(f"{channel}:" if channel else "") + number.phone_number,
        to=to,
        body=body,
        status="queued",
        direction="outbound-reply",
        date_created=now,
        date_updated=now,
        media_urls=media_urls,
        status_callback=status_callback,
    )
    attach_media(sandbox, reply, media_urls)
    sandbox.store.messages[reply.sid] = reply
    sandbox.store.save()
    sandbox.spawn(_progress(sandbox, reply.sid), name=f"message {reply.sid}")


def _check_consent(
    sandbox: Sandbox,
    *,
    sender: str,
    contact: str,
    channel: str | None,
    template: bool,
    now: datetime,
) -> None:
    """21610 to a contact who opted out of this sender; 63016 for free-form WhatsApp outside
    the contact's 24-hour window (see :mod:`trunkline.sandbox.consent`)."""
    messages = sandbox.store.messages
    if channel is None and consent.opted_out(messages, sender=sender, contact=contact):
        raise bad_request(21610, "Attempt to send to unsubscribed recipient")
    if (
        channel == "whatsapp"
        and not template
        and not consent.within_whatsapp_window(messages, sender=sender, contact=contact, now=now)
    ):
        raise bad_request(
            63016,
            "Failed to send freeform message because you are outside the allowed window. "
            "If you want to send a message outside this window, please use a Template.",
        )


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _checked_sender(
    sandbox: Sandbox, account: Account, sender: str, channel: str | None, *, media: bool
) -> str:
    sender_channel, number = split_channel(sender)
    if sender_channel != channel:
        raise bad_request(
            21910, "Invalid From and To pair. From and To should be of the same channel"
        )
    rejection = magic.MESSAGE_FROM_REJECTIONS.get(number)
    if rejection is not None:
        raise bad_request(rejection.code, rejection.message)
    normalized = e164(number)
    if normalized is None:
        raise bad_request(21212, f"The 'From' number {sender} is not a valid phone number.")
    owned = sandbox.store.number_owned_by(account.sid, normalized)
    usable = normalized == magic.UNIVERSAL_SENDER or (
        channel == "whatsapp" and normalized == WHATSAPP_SANDBOX_SENDER
    )
    # An SMS needs an SMS-capable number, and media on SMS an MMS-capable one.
    incapable = (
        channel is None and owned is not None and (not owned.sms or (media and not owned.mms))
    )
    if not usable and (owned is None or incapable):
        raise bad_request(
            21606,
            f"The 'From' phone number provided ({sender}) is not a valid message-capable Twilio "
            "phone number for this destination.",
        )
    return normalized


def _service_sender(sandbox: Sandbox, account: Account, channel: str | None) -> str:
    """The sender a Messaging Service picks: the account's oldest SMS-capable number."""
    for number in sandbox.store.numbers.values():
        if number.account_sid == account.sid and (number.sms or channel is not None):
            return number.phone_number
    raise bad_request(21704, "The Messaging Service contains no phone numbers")
