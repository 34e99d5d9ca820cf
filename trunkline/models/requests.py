"""Idempotency keys of the mutations that cost money at the provider (sendMessage, placeCall)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class IdempotentRequest(Model):
    """A client's idempotency key: the first request with it acts, every later one gets its outcome.

    Claimed (inserted) before the provider is called, so of twenty requests arriving at once one
    sends and nineteen wait for its outcome; unique per tenant and operation, so no other tenant's
    key is ever taken for this one.
    """

    id = fields.BigIntField(primary_key=True)
    tenant_id = fields.BigIntField()
    operation = fields.CharField(max_length=32)
    # SHA-256 (hex) of the client's key: fixed length, whatever the key's.
    key = fields.CharField(max_length=64)
    # SHA-256 (hex) of the request's canonical form: the same key with another request is refused.
    fingerprint = fields.CharField(max_length=64)
    # What it produced: the entity's id (a message, a call), or the refusal to answer again.
    entity_id = fields.BigIntField(null=True)
    error = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "idempotent_request"
        unique_together = (("tenant_id", "operation", "key"),)
        # Retention deletes the oldest keys in batches: by age, not by scanning the table.
        indexes = (("created_at",),)
