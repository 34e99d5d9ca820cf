"""Tenants: one per Auth0 organization, created on its first request."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from trunkline.models import Tenant
from trunkline.services import validation
from trunkline.services.errors import InvalidInput
from trunkline.services.retention import MAX_ACTIVITY_RETENTION_DAYS


class KnownTenants:
    """The tenant ids of the organizations this process has seen: ``org_id`` -> tenant id.

    An organization's tenant id never changes once created, so a process may remember it; this
    keeps the per-request cost of tenancy at zero queries after an organization's first request.
    Built once per process by the gateway and handed to whoever authenticates requests.
    """

    def __init__(self, *, max_remembered: int = 100_000) -> None:
        self.max_remembered = max_remembered
        self._tenant_ids: dict[str, int] = {}

    def get(self, org_id: str) -> int | None:
        return self._tenant_ids.get(org_id)

    def remember(self, org_id: str, tenant_id: int) -> None:
        if len(self._tenant_ids) >= self.max_remembered:
            self._tenant_ids.clear()
        self._tenant_ids[org_id] = tenant_id

    def forget_all(self) -> None:
        self._tenant_ids.clear()

    def __len__(self) -> int:
        return len(self._tenant_ids)


async def tenant_id_for_org(*, org_id: str, known: KnownTenants) -> int:
    """The tenant id of ``org_id``, creating the tenant on first sight (safe under races)."""
    tenant_id = known.get(org_id)
    if tenant_id is not None:
        return tenant_id
    tenant = await Tenant.get_or_none(org_id=org_id)
    if tenant is None:
        try:
            tenant = await Tenant.create(org_id=org_id)
        except IntegrityError:
            # Another request (or instance) created it between our read and our insert.
            tenant = await Tenant.get(org_id=org_id)
    known.remember(org_id, tenant.id)
    return tenant.id


async def get_tenant(*, tenant_id: int) -> Tenant | None:
    return await Tenant.get_or_none(id=tenant_id)


MAX_NAME_LENGTH = 255


async def rename_tenant(*, tenant_id: int, name: str) -> Tenant:
    """Give the tenant a display name (trimmed, 1 to 255 characters, no control characters)."""
    name = validation.text(name, field="name", max_length=MAX_NAME_LENGTH)
    tenant = await Tenant.get(id=tenant_id)
    tenant.name = name
    await tenant.save(update_fields=["name", "updated_at"])
    return tenant


async def set_activity_retention(*, tenant_id: int, days: int | None) -> Tenant:
    """Keep the tenant's activity ``days`` days (1 to 3650); None: the gateway's default.

    The next retention run deletes what the new setting no longer keeps.
    """
    if days is not None and not 1 <= days <= MAX_ACTIVITY_RETENTION_DAYS:
        raise InvalidInput(
            "days", f"days must be between 1 and {MAX_ACTIVITY_RETENTION_DAYS}, or null."
        )
    tenant = await Tenant.get(id=tenant_id)
    tenant.activity_retention_days = days
    await tenant.save(update_fields=["activity_retention_days", "updated_at"])
    return tenant
