"""Threads: one per number, contact and channel, kept as a rollup of its messages."""

from __future__ import annotations

from tortoise import fields

from trunkline.models.base import TimestampedModel
from trunkline.models.messages import Channel
from trunkline.models.numbers import PhoneNumber
from trunkline.models.tenants import Tenant


def thread_channel(channel: Channel) -> Channel:
    """The channel a message's thread is kept under: an MMS is an SMS with media, and one
    conversation with a contact over SMS holds both (a picture does not start a new thread)."""
    return Channel.SMS if channel is Channel.MMS else channel


class Thread(TimestampedModel):
    """A conversation with one contact over one channel on one of the tenant's numbers.

    A rollup, written in the same transaction as each message it counts, so listing threads
    reads one row per thread instead of grouping the messages (a tenant may hold millions).
    """

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="threads", on_delete=fields.CASCADE
    )
    number: fields.ForeignKeyRelation[PhoneNumber] = fields.ForeignKeyField(
        "models.PhoneNumber", related_name="threads", on_delete=fields.CASCADE
    )
    # The other party, as ``Message.counterpart`` has it (E.164, or ``whatsapp:+...``).
    counterpart = fields.CharField(max_length=320)
    # SMS (MMS included: see thread_channel), WhatsApp or email.
    channel = fields.CharEnumField(Channel, max_length=16)
    # A plain column, not a foreign key: messages are never deleted, and a key would have every
    # ingestion batch lock the message rows it points at.
    last_message_id = fields.BigIntField(null=True)
    last_message_at = fields.DatetimeField()
    message_count = fields.IntField(default=0)
    # Inbound messages since the thread was last marked read.
    unread_count = fields.IntField(default=0)
    last_read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "thread"
        unique_together = (("number_id", "counterpart", "channel"),)
        # threads(numberId, channel): most recent first, for the tenant or one number.
        indexes = (
            ("tenant_id", "last_message_at", "id"),
            ("tenant_id", "channel", "last_message_at", "id"),
            ("number_id", "last_message_at", "id"),
        )
