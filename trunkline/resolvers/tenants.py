"""``me`` and ``tenant``: who is calling, and their organization."""

from __future__ import annotations

from typing import Annotated

import strawberry

from trunkline.auth.permissions import IsAdmin, IsAuthenticated, IsSupport, require_principal
from trunkline.graphql.context import Info, caller_tenant
from trunkline.schema.errors import UserInputError, error_result
from trunkline.schema.tenants import Me, Tenant
from trunkline.services import tenants
from trunkline.services.errors import InvalidInput


@strawberry.type
class TenantsQuery:
    @strawberry.field(permission_classes=[IsAuthenticated], description="The caller.")
    def me(self, info: Info) -> Me:
        principal = require_principal(info)
        return Me(
            user_id=principal.user_id,
            org_id=principal.org_id,
            roles=sorted(role.value for role in principal.roles),
            session_expires_at=principal.expires_at,
        )

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="The caller's organization; null for a caller without one.",
    )
    async def tenant(self, info: Info) -> Tenant | None:
        principal = require_principal(info)
        if principal.tenant_id is None:
            return None
        row = await tenants.get_tenant(tenant_id=principal.tenant_id)
        return Tenant.from_row(row) if row else None


RenameTenantResult = Annotated[Tenant | UserInputError, strawberry.union("RenameTenantResult")]
SetActivityRetentionResult = Annotated[
    Tenant | UserInputError, strawberry.union("SetActivityRetentionResult")
]


@strawberry.type
class TenantsMutation:
    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Set the organization's display name."
    )
    async def rename_tenant(self, info: Info, name: str) -> RenameTenantResult:
        _, tenant_id = caller_tenant(info)
        try:
            row = await tenants.rename_tenant(tenant_id=tenant_id, name=name)
        except InvalidInput as error:
            return error_result(error)  # type: ignore[return-value]
        return Tenant.from_row(row)

    @strawberry.mutation(
        permission_classes=[IsSupport],
        description=(
            "How many days of activity the organization keeps (1 to 3650; null or omitted: the "
            "gateway's default). Older events are deleted by the next retention run; a "
            "subscription resuming from before the oldest kept event gets CURSOR_EXPIRED and "
            "must reload."
        ),
    )
    async def set_activity_retention(
        self, info: Info, days: int | None = None
    ) -> SetActivityRetentionResult:
        _, tenant_id = caller_tenant(info)
        try:
            row = await tenants.set_activity_retention(tenant_id=tenant_id, days=days)
        except InvalidInput as error:
            return error_result(error)  # type: ignore[return-value]
        return Tenant.from_row(row)
