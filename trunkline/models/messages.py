"""Messages: SMS, MMS, WhatsApp and email, inbound and outbound."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields

from trunkline.models.base import TimestampedModel
from trunkline.models.numbers import PhoneNumber
from trunkline.models.tenants import Tenant


class Channel(StrEnum):
    SMS = "sms"
    MMS = "mms"
    WHATSAPP = "whatsapp"
    EMAIL = "email"


# How Twilio writes a WhatsApp address: the channel, then the E.164 number.
WHATSAPP_PREFIX = "whatsapp:"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Message(TimestampedModel):
    """One message. ``status`` is free text: a status Twilio adds later is stored, not refused."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="messages", on_delete=fields.CASCADE
    )
    # Twilio's MessageSid or SendGrid's message id.
    # Unique per tenant, not globally: a SID is only as trustworthy as the account that signed
    # it, and one tenant's message must never make another's (same SID) look like a duplicate.
    sid = fields.CharField(max_length=64, null=True)
    channel = fields.CharEnumField(Channel, max_length=16)
    direction = fields.CharEnumField(Direction, max_length=16)
    from_address = fields.CharField(max_length=320)
    to_address = fields.CharField(max_length=320)
    # The other party (From for inbound, To for outbound): what a conversation thread groups by.
    counterpart = fields.CharField(max_length=320)
    body = fields.TextField(default="")
    media = fields.JSONField(default=list)
    status = fields.CharField(max_length=32)
    status_history = fields.JSONField(default=list)
    error_code = fields.IntField(null=True)
    error_message = fields.CharField(max_length=255, null=True)
    num_segments = fields.IntField(null=True)
    price = fields.DecimalField(max_digits=12, decimal_places=5, null=True)
    price_unit = fields.CharField(max_length=3, null=True)
    number: fields.ForeignKeyNullableRelation[PhoneNumber] = fields.ForeignKeyField(
        "models.PhoneNumber", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    # The user who sent it (outbound through the API); null for inbound and replies by TwiML.
    user_id = fields.CharField(max_length=128, null=True)
    # A WhatsApp template (Twilio Content API) the message was sent with.
    content_sid = fields.CharField(max_length=34, null=True)
    # Inbound to a number that was INACTIVE: stored and announced all the same (nothing is lost),
    # flagged so an SPA can show it apart.
    received_while_inactive = fields.BooleanField(default=False)

    class Meta:
        table = "message"
        # Also the index of the look-ups by sid, which always name the tenant.
        unique_together = (("tenant_id", "sid"),)
        indexes = (
            ("tenant_id", "created_at", "id"),
            ("tenant_id", "number_id", "created_at", "id"),
            ("tenant_id", "channel", "created_at", "id"),
            ("tenant_id", "status", "created_at", "id"),
            ("tenant_id", "direction", "created_at", "id"),
            ("tenant_id", "counterpart", "created_at", "id"),
            ("number_id", "counterpart", "created_at", "id"),
        )
