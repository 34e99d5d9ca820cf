"""A valid body for every Twilio webhook route, and what a refused webhook must leave behind.

One body serves every route: each reads the parameters it needs and ignores the rest, as it does
with the dozens Twilio sends. A route added to ``ROUTES`` is covered by the same body; if it
needs a parameter this body lacks, the fuzz's first check (the unmutated body is stored) fails
and says which route.
"""

from __future__ import annotations

import uuid

from tests.webhooks.fixtures import TwilioTenant
from trunkline.models import ActivityEvent, Call, Message, Recording, WebhookReceipt
from trunkline.webhooks.twilio import ROUTES

PREFIX = "/webhooks/twilio"
PATHS = [callback.value for callback in ROUTES]
SENDER = "+14155550123"


def valid_body(tenant: TwilioTenant) -> dict[str, str]:
    """A body every route stores: fresh SIDs, the tenant's number as the receiving one."""
    message_sid = "SM" + uuid.uuid4().hex
    return {
        "AccountSid": tenant.account_sid,
        "MessageSid": message_sid,
        "SmsMessageSid": message_sid,
        "MessageStatus": "sent",
        "ErrorCode": "30003",
        "NumSegments": "1",
        "CallSid": "CA" + uuid.uuid4().hex,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "SequenceNumber": "0",
        "CallDuration": "0",
        "Price": "-0.01400",
        "PriceUnit": "USD",
        "Timestamp": "Mon, 30 Nov 2026 01:02:03 +0000",
        "StartTime": "Mon, 30 Nov 2026 01:01:03 +0000",
        "EndTime": "Mon, 30 Nov 2026 01:02:03 +0000",
        "RecordingSid": "RE" + uuid.uuid4().hex,
        "RecordingStatus": "completed",
        "RecordingDuration": "7",
        "RecordingChannels": "1",
        "RecordingUrl": "https://api.twilio.com/recording.wav",
        "EventType": "onMessageAdded",
        "ConversationSid": "CH" + uuid.uuid4().hex,
        "ParticipantSid": "MB" + uuid.uuid4().hex,
        "Author": SENDER,
        "Source": "SMS",
        "From": SENDER,
        "To": tenant.number.phone_number,
        "Body": "hello",
        "NumMedia": "1",
        "MediaUrl0": "https://media.example/a.jpg",
        "MediaContentType0": "image/jpeg",
    }


async def stored_rows(tenant: TwilioTenant) -> dict[str, int]:
    """How many rows of each kind the tenant has."""
    tenant_id = tenant.tenant_id
    return {
        "receipts": await WebhookReceipt.filter(tenant_id=tenant_id).count(),
        "messages": await Message.filter(tenant_id=tenant_id).count(),
        "calls": await Call.filter(tenant_id=tenant_id).count(),
        "recordings": await Recording.filter(tenant_id=tenant_id).count(),
        "activity": await ActivityEvent.filter(tenant_id=tenant_id).count(),
    }


NOTHING = {"receipts": 0, "messages": 0, "calls": 0, "recordings": 0, "activity": 0}
