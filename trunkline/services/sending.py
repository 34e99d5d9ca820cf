"""One send through the tenant's Twilio account, recorded and announced: what every send shares.

``sendMessage`` and ``sendTestSms`` decide who may send what from where (``services.messaging``);
this calls Twilio, maps its refusals, settles the idempotency claim, and hands the sent message
to ``record``: the Gateway's, which stores it through the ingestion writer
(``ingestion.outbound_messages``), so the row and its ``MESSAGE_SENT`` activity commit together
and are announced by the writer's publisher. (Handed in, not imported: the ingestion engine
sits above the services whose rules it applies.)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from twilio.rest import Client

from trunkline.activity import MessageSnapshot
from trunkline.models import WHATSAPP_PREFIX, Channel, Message
from trunkline.services import idempotency
from trunkline.services.errors import provider_failure
from trunkline.twilio import ProviderError, provider_errors
from trunkline.twilio.values import integer_of

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SentMessage:
    """A message Twilio accepted from this gateway, as its create answer and the sender know it."""

    sid: str
    channel: Channel
    from_address: str
    to_address: str
    body: str
    status: str
    number_id: int | None
    user_id: str | None
    media_urls: tuple[str, ...] = ()
    content_sid: str | None = None
    num_segments: int | None = None


# Stores a sent message of a tenant (with the idempotency claim it answers, if any) and announces
# it; returns once committed, with the stored message as announced (None when this sid was
# recorded before: a redelivery records nothing).
Record = Callable[[int, SentMessage, int | None], Awaitable[MessageSnapshot | None]]


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """A checked send: who it is from (a number, or a Messaging Service) and what it says."""

    tenant_id: int
    user_id: str
    channel: Channel
    to: str  # E.164; the WhatsApp prefix is added here, from the channel
    from_number: str | None = None
    messaging_service_sid: str | None = None
    number_id: int | None = None
    body: str = ""
    media_urls: tuple[str, ...] = ()
    content_sid: str | None = None
    content_variables: dict[str, Any] | None = field(default=None)

    def address(self, number: str) -> str:
        return f"{WHATSAPP_PREFIX}{number}" if self.channel is Channel.WHATSAPP else number

    def create_arguments(self, status_callback: str) -> dict[str, Any]:
        """The twilio library's ``messages.create`` arguments (unset ones left out)."""
        arguments: dict[str, Any] = {
            "to": self.address(self.to),
            "status_callback": status_callback,
        }
        if self.from_number is not None:
            arguments["from_"] = self.address(self.from_number)
        else:
            arguments["messaging_service_sid"] = self.messaging_service_sid
        if self.body:
            arguments["body"] = self.body
        if self.media_urls:
            arguments["media_url"] = list(self.media_urls)
        if self.content_sid is not None:
            arguments["content_sid"] = self.content_sid
        if self.content_variables is not None:
            # Twilio takes the variables as one JSON string.
            arguments["content_variables"] = json.dumps(self.content_variables)
        return arguments


async def deliver(
    outgoing: Outgoing,
    *,
    client: Client,
    status_callback: str,
    record: Record,
    claim: idempotency.Claim | None = None,
) -> MessageSnapshot:
    """Send ``outgoing`` and record it; the recorded message.

    With a ``claim``, its outcome is settled: the message (in the recording's transaction), or
    Twilio's refusal (answered again to every later request with its key), or, when Twilio could
    not be reached (no code: nothing was sent), released for a retry.

    Raises:
        ProviderFailure: Twilio refused or could not be reached.
    """
    async with idempotency.attempt(claim):
        try:
            async with provider_errors():
                sent = await client.messages.create_async(
                    **outgoing.create_arguments(status_callback)
                )
        except ProviderError as exc:
            raise provider_failure(exc) from exc
    message = SentMessage(
        sid=sent.sid or "",
        channel=outgoing.channel,
        from_address=sent.from_ or outgoing.address(outgoing.from_number or ""),
        to_address=sent.to or outgoing.address(outgoing.to),
        body=outgoing.body,
        status=sent.status or "queued",
        number_id=outgoing.number_id,
        user_id=outgoing.user_id,
        media_urls=outgoing.media_urls,
        content_sid=outgoing.content_sid,
        num_segments=integer_of(sent.num_segments),
    )
    # Sent: from here the claim is never released (a retry must not send it twice). Were the
    # recording to fail, the status callbacks still create the row.
    recorded = await record(outgoing.tenant_id, message, claim.id if claim is not None else None)
    if recorded is not None:
        return recorded  # the row as committed: no statement to read it back
    return MessageSnapshot.of(await Message.get(tenant_id=outgoing.tenant_id, sid=message.sid))
