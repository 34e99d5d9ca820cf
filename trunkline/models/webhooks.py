"""Idempotency receipts for provider webhooks."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class WebhookReceipt(Model):
    """Proof a tenant's delivery was processed; the unique key turns a redelivery into a no-op.

    Unique per tenant: another tenant's delivery is never taken for a redelivery of this one.
    """

    id = fields.BigIntField(primary_key=True)
    tenant_id = fields.BigIntField()
    provider = fields.CharField(max_length=16)
    # The SHA-256 (hex) of the delivery's idempotency key: fixed length, whatever the token's.
    idempotency_key = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_receipt"
        unique_together = (("tenant_id", "provider", "idempotency_key"),)
        # Retention deletes the oldest receipts in batches: by age, not by scanning the table.
        indexes = (("created_at",),)
