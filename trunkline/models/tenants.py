"""The tenant (an Auth0 organization) and the provider credentials it brings."""

from __future__ import annotations

from tortoise import fields

from trunkline.models.base import TimestampedModel


class Tenant(TimestampedModel):
    """An Auth0 organization; created on the first request that carries its ``org_id``."""

    id = fields.BigIntField(primary_key=True)
    org_id = fields.CharField(max_length=64, unique=True)
    name = fields.CharField(max_length=255, default="")
    # Last activity sequence handed out; the appender increments it under the row lock, so a
    # tenant's activity commits in sequence order and replay after a cursor never skips a row.
    activity_seq = fields.BigIntField(default=0)
    # Days of activity kept for this tenant (set by support); None: the gateway's default.
    activity_retention_days = fields.IntField(null=True)

    class Meta:
        table = "tenant"


class TwilioSettings(TimestampedModel):
    """A tenant's Twilio account. Secrets are stored encrypted, bound to the tenant."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.OneToOneRelation[Tenant] = fields.OneToOneField(
        "models.Tenant", related_name="twilio_settings", on_delete=fields.CASCADE
    )
    # Unique: an account belongs to one tenant, and webhooks find their tenant by AccountSid.
    account_sid = fields.CharField(max_length=34, unique=True)
    auth_token_encrypted = fields.TextField()
    api_key_sid = fields.CharField(max_length=34, null=True)
    api_key_secret_encrypted = fields.TextField(null=True)
    from_number = fields.CharField(max_length=20, null=True)
    messaging_service_sid = fields.CharField(max_length=34, null=True, db_index=True)
    conversations_service_sid = fields.CharField(max_length=34, null=True)
    twiml_app_sid = fields.CharField(max_length=34, null=True)
    enabled = fields.BooleanField(default=True)
    validated_at = fields.DatetimeField(null=True)
    webhook_configured = fields.BooleanField(default=False)
    webhook_configured_at = fields.DatetimeField(null=True)

    class Meta:
        table = "twilio_settings"


class SendGridSettings(TimestampedModel):
    """A tenant's SendGrid key (encrypted) and its Event Webhook verification key (public)."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.OneToOneRelation[Tenant] = fields.OneToOneField(
        "models.Tenant", related_name="sendgrid_settings", on_delete=fields.CASCADE
    )
    api_key_encrypted = fields.TextField()
    event_verification_key = fields.TextField(null=True)
    from_email = fields.CharField(max_length=320)
    from_name = fields.CharField(max_length=255, default="")
    enabled = fields.BooleanField(default=True)

    class Meta:
        table = "sendgrid_settings"
