"""Tortoise models, one module per aggregate; aerich migrations live in ``migrations/``."""

from trunkline.models.activity import ActivityEvent
from trunkline.models.calls import Call, Recording, VoiceGrant
from trunkline.models.messages import WHATSAPP_PREFIX, Channel, Direction, Message
from trunkline.models.numbers import (
    SHARED_WHATSAPP_SENDERS,
    NumberProvider,
    NumberStatus,
    NumberType,
    PhoneNumber,
    VoiceMode,
    is_shared_sender,
)
from trunkline.models.requests import IdempotentRequest
from trunkline.models.tenants import SendGridSettings, Tenant, TwilioSettings
from trunkline.models.threads import Thread, thread_channel
from trunkline.models.webhooks import WebhookReceipt

__all__ = [
    "SHARED_WHATSAPP_SENDERS",
    "WHATSAPP_PREFIX",
    "ActivityEvent",
    "Call",
    "Channel",
    "Direction",
    "IdempotentRequest",
    "Message",
    "NumberProvider",
    "NumberStatus",
    "NumberType",
    "PhoneNumber",
    "Recording",
    "SendGridSettings",
    "Tenant",
    "Thread",
    "TwilioSettings",
    "VoiceGrant",
    "VoiceMode",
    "WebhookReceipt",
    "is_shared_sender",
    "thread_channel",
]
