"""Who is calling: the verified identity behind a request or a WebSocket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    """Roles carried in the namespaced roles claim. Any authenticated member is an agent."""

    AGENT = "agent"
    ADMIN = "admin"
    SUPPORT = "support"
    PLATFORM_ADMIN = "platform-admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified caller.

    Attributes:
        user_id: The token's ``sub``.
        org_id: The Auth0 organization (the tenant), from ``org_id``.
        roles: Known roles from the configured claim; unknown role names are dropped.
        expires_at: When this identity stops being valid: the earlier of the token's ``exp``
            and the end of the session (login time + the maximum session length).
        tenant_id: The tenant row's id, once resolved.
    """

    user_id: str
    org_id: str | None
    roles: frozenset[Role]
    expires_at: datetime
    tenant_id: int | None = None

    def has_role(self, role: Role) -> bool:
        return role is Role.AGENT or role in self.roles
