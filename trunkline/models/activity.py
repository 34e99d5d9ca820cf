"""The tenant's activity log: what subscriptions replay and what the bus announces."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from trunkline.models.tenants import Tenant


class ActivityEvent(Model):
    """One thing that happened to a tenant, at a tenant-scoped monotonic ``seq`` (the cursor)."""

    id = fields.BigIntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="activity", on_delete=fields.CASCADE
    )
    seq = fields.BigIntField()
    kind = fields.CharField(max_length=32)
    entity_type = fields.CharField(max_length=32)
    entity_id = fields.BigIntField()
    # The number the activity concerns, so an agent's replay filters on an indexed column.
    number_id = fields.BigIntField(null=True)
    payload = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "activity_event"
        unique_together = (("tenant_id", "seq"),)
        # (tenant_id, created_at): retention deletes a tenant's events older than its limit.
        indexes = (("tenant_id", "number_id", "seq"), ("tenant_id", "created_at"))
