"""Idempotency receipts for provider webhooks."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class WebhookReceipt(Model):
    """Proof a delivery was processed; the unique key turns a redelivery into a no-op."""

    id = fields.BigIntField(primary_key=True)
    provider = fields.CharField(max_length=16)
    idempotency_key = fields.CharField(max_length=255)
    tenant_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webhook_receipt"
        unique_together = (("provider", "idempotency_key"),)
