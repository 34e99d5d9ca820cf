"""Tenants: one per Auth0 organization, created on its first request."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from trunkline.models import Tenant
from trunkline.services import validation

# org_id -> tenant id never changes once created, so each process may remember it; this keeps
# the per-request cost of tenancy at zero queries after an organization's first request.
_tenant_ids: dict[str, int] = {}
_MAX_REMEMBERED = 100_000


async def tenant_id_for_org(*, org_id: str) -> int:
    """The tenant id of ``org_id``, creating the tenant on first sight (safe under races)."""
    tenant_id = _tenant_ids.get(org_id)
    if tenant_id is not None:
        return tenant_id
    tenant = await Tenant.get_or_none(org_id=org_id)
    if tenant is None:
        try:
            tenant = await Tenant.create(org_id=org_id)
        except IntegrityError:
            # Another request (or instance) created it between our read and our insert.
            tenant = await Tenant.get(org_id=org_id)
    if len(_tenant_ids) >= _MAX_REMEMBERED:
        _tenant_ids.clear()
    _tenant_ids[org_id] = tenant.id
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


def forget_cached_tenants() -> None:
    """Drop the org_id cache (tests that recreate databases call this)."""
    _tenant_ids.clear()
