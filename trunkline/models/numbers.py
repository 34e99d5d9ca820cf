"""Phone numbers a tenant owns at Twilio."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from trunkline.models.base import TimestampedModel
from trunkline.models.tenants import Tenant


class NumberStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    RELEASED = "released"


class NumberType(StrEnum):
    LOCAL = "local"
    MOBILE = "mobile"
    TOLL_FREE = "toll_free"


class VoiceMode(StrEnum):
    """What an inbound call to a number does (``updateNumber(input: {voice})``)."""

    RING_OWNER = "ring_owner"  # the owner's browser client, then voicemail if enabled
    FORWARD = "forward"  # ``voice_forward_to``, then voicemail if enabled
    VOICEMAIL = "voicemail"  # the greeting, then a recording
    REJECT = "reject"  # refused without answering (Twilio's <Reject>): no charge


class NumberProvider(StrEnum):
    """Who carries a number's WhatsApp traffic (document 004); only Twilio is built."""

    TWILIO = "twilio"
    META = "meta"
    WPPCONNECT = "wppconnect"


# Twilio's WhatsApp Sandbox sender: every Twilio account may send from it and receive on it, so
# no account holds it (no IncomingPhoneNumber, no PN SID) and any number of tenants register it.
# Its inbound traffic belongs to whichever tenant's ``AccountSid`` Twilio posts it with.
SHARED_WHATSAPP_SENDERS = frozenset({"+14155238886"})


def is_shared_sender(phone_number: str) -> bool:
    """Whether ``phone_number`` (E.164) is a sender every Twilio account shares."""
    return phone_number in SHARED_WHATSAPP_SENDERS


class PhoneNumber(TimestampedModel):
    """A number of the tenant's Twilio account, bought or registered; released ones stay as history.

    Bought through ``buyNumber`` or registered with ``registerNumber`` (a number the account
    already held, or Twilio's shared WhatsApp Sandbox sender).
    """

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="phone_numbers", on_delete=fields.CASCADE
    )
    # Null for a shared sender (Twilio's WhatsApp Sandbox, +14155238886): every account may send
    # from it, none holds it, so several tenants register it and none has a PN SID for it.
    sid = fields.CharField(max_length=34, unique=True, null=True)
    # Indexed: inbound webhooks resolve the receiving number to its tenant.
    phone_number = fields.CharField(max_length=20, db_index=True)
    friendly_name = fields.CharField(max_length=64, default="")
    iso_country = fields.CharField(max_length=2, default="")
    region = fields.CharField(max_length=64, default="")
    locality = fields.CharField(max_length=128, default="")
    number_type = fields.CharEnumField(NumberType, max_length=16, default=NumberType.LOCAL)
    voice_enabled = fields.BooleanField(default=False)
    sms_enabled = fields.BooleanField(default=False)
    mms_enabled = fields.BooleanField(default=False)
    status = fields.CharEnumField(NumberStatus, max_length=16, default=NumberStatus.ACTIVE)
    owner_id = fields.CharField(max_length=128, null=True)
    label = fields.CharField(max_length=100, null=True)
    website_id = fields.CharField(max_length=100, null=True)
    monthly_fee = fields.DecimalField(max_digits=10, decimal_places=4, null=True)
    price_unit = fields.CharField(max_length=3, null=True)
    released_at = fields.DatetimeField(null=True)
    provider = fields.CharEnumField(NumberProvider, max_length=16, default=NumberProvider.TWILIO)
    whatsapp_enabled = fields.BooleanField(default=False)
    # Inbound calls (see VoiceMode). An INACTIVE number rejects politely whatever its mode.
    voice_mode = fields.CharEnumField(VoiceMode, max_length=16, default=VoiceMode.RING_OWNER)
    voice_forward_to = fields.CharField(max_length=20, null=True)  # E.164, for FORWARD
    voice_greeting = fields.CharField(max_length=500, null=True)  # spoken before voicemail
    voice_ring_seconds = fields.IntField(default=20)  # how long the owner or forward rings
    voice_voicemail = fields.BooleanField(default=True)  # record a message when nobody answers

    class Meta:
        table = "phone_number"
        # One per filter `numbers(filter: ...)` offers, each led by the tenant.
        indexes = (
            ("tenant_id", "status", "id"),
            ("tenant_id", "owner_id", "id"),
            ("tenant_id", "sms_enabled", "id"),
            ("tenant_id", "voice_enabled", "id"),
            ("tenant_id", "mms_enabled", "id"),
        )
