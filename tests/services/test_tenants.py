"""Tenants: created on an organization's first request, remembered by the process that saw it."""

from __future__ import annotations

from trunkline.models import Tenant
from trunkline.services.tenants import KnownTenants, tenant_id_for_org


async def test_two_processes_remembering_apart_resolve_an_org_to_one_tenant(
    gateway: str, unique_org: str
) -> None:
    first, second = KnownTenants(), KnownTenants()

    created = await tenant_id_for_org(org_id=unique_org, known=first)
    found = await tenant_id_for_org(org_id=unique_org, known=second)

    assert found == created
    assert await Tenant.filter(org_id=unique_org).count() == 1
    assert (first.get(unique_org), second.get(unique_org)) == (created, created)


async def test_a_remembered_org_is_answered_without_the_database(
    gateway: str, unique_org: str
) -> None:
    known = KnownTenants()
    known.remember(unique_org, 424242)  # no such tenant: only the memory can answer this

    assert await tenant_id_for_org(org_id=unique_org, known=known) == 424242
    assert not await Tenant.exists(org_id=unique_org)


def test_known_tenants_start_over_when_full_and_forget_on_request() -> None:
    known = KnownTenants(max_remembered=2)
    known.remember("org_a", 1)
    known.remember("org_b", 2)

    known.remember("org_c", 3)

    assert (known.get("org_a"), known.get("org_b"), known.get("org_c")) == (None, None, 3)
    known.forget_all()
    assert (len(known), known.get("org_c")) == (0, None)
