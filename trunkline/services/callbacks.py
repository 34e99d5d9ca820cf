"""The webhook URLs Trunkline hands to Twilio, all under ``TRUNKLINE_PUBLIC_URL``."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from urllib.parse import urlencode


class Callback(StrEnum):
    """Each webhook's path: the one place it is spelled, for the URLs Twilio is given and for
    the routes that serve them (``trunkline.webhooks.twilio.ROUTES``, keyed by this)."""

    MESSAGING = "/webhooks/twilio/messaging"
    MESSAGE_STATUS = "/webhooks/twilio/message-status"
    VOICE = "/webhooks/twilio/voice"
    # Twilio's VoiceFallbackUrl: asked when VOICE answers an error or nothing; answers safe TwiML.
    VOICE_FALLBACK = "/webhooks/twilio/voice-fallback"
    # The action of the gateway's <Dial> and <Record>: who answered, then voicemail or goodbye.
    VOICE_ACTION = "/webhooks/twilio/voice-action"
    CALL_STATUS = "/webhooks/twilio/call-status"
    RECORDING_STATUS = "/webhooks/twilio/recording-status"
    CONVERSATIONS = "/webhooks/twilio/conversations"
    SENDGRID_EVENTS = "/webhooks/sendgrid/events"


# Twilio's connection overrides: by default Twilio retries a webhook only when it cannot
# connect. We answer 5xx when we could not store a delivery (database down), and we want that
# retried, so every URL we hand out asks for retries on connect/read timeouts and on 5xx.
# The fragment never travels in the request, so it is not part of the signed URL.
RETRY_OVERRIDES = "rc=3&rp=ct,rt,5xx"


def callback_url(
    public_url: str, callback: Callback, query: Mapping[str, str] | None = None
) -> str:
    """The URL of ``callback``; ``query``, if given, travels in it (and is signed with it)."""
    search = f"?{urlencode(query)}" if query else ""
    return f"{public_url.rstrip('/')}{callback.value}{search}#{RETRY_OVERRIDES}"
