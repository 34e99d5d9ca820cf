"""The simulator's state, one dataclass per Twilio resource.

Records keep what Twilio keeps, in Python types; :mod:`trunkline.sandbox.wire` renders them in
Twilio's JSON and :mod:`trunkline.sandbox.store` persists them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MESSAGE_FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "received", "canceled"})
CALL_FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass
class Account:
    sid: str
    auth_token: str
    friendly_name: str
    date_created: datetime
    date_updated: datetime
    status: str = "active"
    # The WhatsApp Sandbox's "When a message comes in" URL: Twilio sets it in the Console only
    # (the control API stands in for it); inbound to the shared sender goes there.
    whatsapp_sandbox_url: str | None = None
    whatsapp_sandbox_method: str = "POST"


@dataclass
class PhoneNumber:
    """An incoming phone number an account bought (Twilio's IncomingPhoneNumber)."""

    sid: str
    account_sid: str
    phone_number: str
    friendly_name: str
    iso_country: str
    number_type: str  # local | mobile | tollfree
    voice: bool
    sms: bool
    mms: bool
    date_created: datetime
    date_updated: datetime
    sms_url: str | None = None
    sms_method: str = "POST"
    sms_fallback_url: str | None = None
    sms_fallback_method: str = "POST"
    voice_url: str | None = None
    voice_method: str = "POST"
    voice_fallback_url: str | None = None
    voice_fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"


@dataclass
class Key:
    """A standard API key (Twilio's Key). Its secret is shown once, when it is created; the
    sandbox keeps it to check what the key signs (Voice SDK access tokens)."""

    sid: str
    account_sid: str
    friendly_name: str | None
    secret: str
    date_created: datetime
    date_updated: datetime


@dataclass
class Application:
    """A TwiML App: where Twilio asks what to do with a call a Voice SDK client places."""

    sid: str
    account_sid: str
    friendly_name: str | None
    date_created: datetime
    date_updated: datetime
    api_version: str = "2010-04-01"
    voice_url: str | None = None
    voice_method: str = "POST"
    voice_fallback_url: str | None = None
    voice_fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    voice_caller_id_lookup: bool = False
    sms_url: str | None = None
    sms_method: str = "POST"
    sms_fallback_url: str | None = None
    sms_fallback_method: str = "POST"
    sms_status_callback: str | None = None
    message_status_callback: str | None = None
    public_application_connect_enabled: bool = False


@dataclass
class Message:
    sid: str
    account_sid: str
    from_: str
    to: str
    body: str
    status: str
    direction: str  # inbound | outbound-api | outbound-reply
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None = None
    # The URLs the sender named (the control API's, or ``MediaUrl`` of a send): never fetched.
    media_urls: list[str] = field(default_factory=list)
    # The message's Media resources, in order (what ``MediaUrl{N}`` of its webhook point at).
    media_sids: list[str] = field(default_factory=list)
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    price: str | None = None
    price_unit: str = "USD"
    content_sid: str | None = None  # a Content API template it was sent with


@dataclass
class Media:
    """A file attached to a message (Twilio's Media subresource), hosted by the sandbox."""

    sid: str
    account_sid: str
    parent_sid: str
    content_type: str
    date_created: datetime
    date_updated: datetime


@dataclass
class Call:
    sid: str
    account_sid: str
    from_: str
    to: str
    status: str
    direction: str  # inbound | outbound-api | outbound-dial
    date_created: datetime
    date_updated: datetime
    phone_number_sid: str | None = None
    parent_call_sid: str | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration: int | None = None
    price: str | None = None
    price_unit: str = "USD"
    url: str | None = None
    method: str = "POST"
    twiml: str | None = None
    application_sid: str | None = None
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: list[str] = field(default_factory=list)
    record: bool = False
    recording_status_callback: str | None = None
    recording_status_callback_method: str = "POST"
    timeout: int = 60  # seconds a callee may ring before the call is no-answer


@dataclass
class Recording:
    sid: str
    account_sid: str
    call_sid: str
    duration: int
    channels: int
    source: str  # OutboundAPI | RecordVerb | DialVerb
    status: str
    date_created: datetime
    date_updated: datetime
    start_time: datetime
    price: str | None = None
    price_unit: str = "USD"


@dataclass
class ConversationService:
    """A Conversations service and its service-level webhook configuration."""

    sid: str
    account_sid: str
    friendly_name: str
    date_created: datetime
    date_updated: datetime
    pre_webhook_url: str | None = None
    post_webhook_url: str | None = None
    filters: list[str] = field(default_factory=list)
    method: str = "POST"
