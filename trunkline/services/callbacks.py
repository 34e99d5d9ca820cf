"""The webhook URLs Trunkline hands to Twilio, all under ``TRUNKLINE_PUBLIC_URL``."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    MESSAGING = "/webhooks/twilio/messaging"
    MESSAGE_STATUS = "/webhooks/twilio/message-status"
    VOICE = "/webhooks/twilio/voice"
    CALL_STATUS = "/webhooks/twilio/call-status"
    RECORDING_STATUS = "/webhooks/twilio/recording-status"
    CONVERSATIONS = "/webhooks/twilio/conversations"
    SENDGRID_EVENTS = "/webhooks/sendgrid/events"


def callback_url(public_url: str, callback: Callback) -> str:
    return f"{public_url.rstrip('/')}{callback.value}"
