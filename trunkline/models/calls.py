"""Calls and their recordings."""

from __future__ import annotations

from tortoise import fields

from trunkline.models.base import TimestampedModel
from trunkline.models.messages import Direction
from trunkline.models.numbers import PhoneNumber
from trunkline.models.tenants import Tenant


class Call(TimestampedModel):
    """One call. Status callbacks may arrive out of order; ``last_sequence`` orders them."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="calls", on_delete=fields.CASCADE
    )
    sid = fields.CharField(max_length=34, null=True)  # unique per tenant (see Message.sid)
    direction = fields.CharEnumField(Direction, max_length=16)
    from_address = fields.CharField(max_length=64)
    to_address = fields.CharField(max_length=64)
    status = fields.CharField(max_length=32)
    status_history = fields.JSONField(default=list)
    last_sequence = fields.IntField(null=True)
    duration = fields.IntField(null=True)
    price = fields.DecimalField(max_digits=12, decimal_places=5, null=True)
    price_unit = fields.CharField(max_length=3, null=True)
    number: fields.ForeignKeyNullableRelation[PhoneNumber] = fields.ForeignKeyField(
        "models.PhoneNumber", related_name="calls", null=True, on_delete=fields.SET_NULL
    )
    # Who placed it: the user behind ``placeCall`` or the browser client that dialed out.
    user_id = fields.CharField(max_length=128, null=True)
    # Who took it: the browser client (``client:<identity>``) or phone number that answered.
    answered_by = fields.CharField(max_length=128, null=True)
    # Where a placed call is bridged once the callee answers: ``client:<identity>`` or E.164.
    bridge_to = fields.CharField(max_length=128, null=True)
    # Why the gateway refused it (a browser call: UNAUTHORIZED, INACTIVE_NUMBER ...); null if not.
    refusal = fields.CharField(max_length=32, null=True)
    started_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "call"
        unique_together = (("tenant_id", "sid"),)
        indexes = (
            ("tenant_id", "created_at", "id"),
            ("tenant_id", "number_id", "created_at", "id"),
            ("tenant_id", "status", "created_at", "id"),
            ("tenant_id", "direction", "created_at", "id"),
            ("tenant_id", "user_id", "created_at", "id"),
        )


class Recording(TimestampedModel):
    """A call recording; deleting it at Twilio keeps the row with status ``deleted``."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="recordings", on_delete=fields.CASCADE
    )
    call: fields.ForeignKeyRelation[Call] = fields.ForeignKeyField(
        "models.Call", related_name="recordings", on_delete=fields.CASCADE
    )
    sid = fields.CharField(max_length=34)  # unique per tenant (see Message.sid)
    # The call's number, copied so that ``recordings(filter: {numberId})`` reads its own index.
    number: fields.ForeignKeyNullableRelation[PhoneNumber] = fields.ForeignKeyField(
        "models.PhoneNumber", related_name="recordings", null=True, on_delete=fields.SET_NULL
    )
    duration = fields.IntField(null=True)
    channels = fields.IntField(default=1)
    status = fields.CharField(max_length=32)
    media_url = fields.CharField(max_length=512, null=True)
    price = fields.DecimalField(max_digits=12, decimal_places=5, null=True)
    price_unit = fields.CharField(max_length=3, null=True)

    class Meta:
        table = "recording"
        unique_together = (("tenant_id", "sid"),)
        indexes = (
            ("tenant_id", "created_at", "id"),
            ("tenant_id", "number_id", "created_at", "id"),
            ("call_id", "created_at"),
        )


class VoiceGrant(TimestampedModel):
    """What a Voice SDK access token lets its browser client do, kept for the voice webhook.

    Twilio's voice webhook for a browser call names only the client's identity; the user's roles
    were in the JWT that asked for the token. ``createVoiceAccessToken`` records them here, so the
    webhook can decide whether that identity may call from a number until the token expires.
    """

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="voice_grants", on_delete=fields.CASCADE
    )
    identity = fields.CharField(max_length=121)  # Twilio's limit for a client identity
    user_id = fields.CharField(max_length=128)
    admin = fields.BooleanField(default=False)  # may call from any of the tenant's numbers
    expires_at = fields.DatetimeField()

    class Meta:
        table = "voice_grant"
        unique_together = (("tenant_id", "identity"),)
