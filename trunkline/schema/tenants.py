"""GraphQL types for the caller and their tenant."""

from __future__ import annotations

from datetime import datetime

import strawberry

from trunkline.models import Tenant as TenantRow


@strawberry.type(description="The caller, as the access token proves them.")
class Me:
    user_id: str
    org_id: str | None
    roles: list[str] = strawberry.field(
        description="Known roles from the token; every member is also an agent."
    )
    session_expires_at: datetime = strawberry.field(
        description="When this token or its session (at most the maximum session length) ends."
    )


@strawberry.type(description="The caller's organization.")
class Tenant:
    id: strawberry.ID
    org_id: str
    name: str
    created_at: datetime
    activity_retention_days: int | None = strawberry.field(
        description="Days of activity the organization keeps (set by support); null: the "
        "gateway's default (TRUNKLINE_ACTIVITY_RETENTION_DAYS)."
    )

    @classmethod
    def from_row(cls, row: TenantRow) -> Tenant:
        return cls(
            id=strawberry.ID(str(row.id)),
            org_id=row.org_id,
            name=row.name,
            created_at=row.created_at,
            activity_retention_days=row.activity_retention_days,
        )
