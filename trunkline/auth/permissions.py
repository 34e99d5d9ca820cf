"""Strawberry permission classes: authentication first, then the role a field needs."""

from __future__ import annotations

from typing import Any, ClassVar

from strawberry.permission import BasePermission

from trunkline.auth.errors import Forbidden, Unauthenticated
from trunkline.auth.principal import Principal, Role


def require_principal(info: Any) -> Principal:
    """The caller, or UNAUTHENTICATED."""
    principal: Principal | None = info.context.principal
    if principal is None:
        raise Unauthenticated()
    return principal


class IsAuthenticated(BasePermission):
    """Any member of the organization (the ``agent`` baseline)."""

    message = "Authentication required"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        require_principal(info)
        return True


class _HasAnyRole(BasePermission):
    # The instance is shared by every request; nothing per-request may be stored on it.
    roles: ClassVar[frozenset[Role]]

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        principal = require_principal(info)
        if not any(principal.has_role(role) for role in self.roles):
            raise Forbidden()
        return True


class IsSupport(_HasAnyRole):
    """Configures the tenant's provider credentials and webhooks."""

    roles = frozenset({Role.SUPPORT})


class IsAdmin(_HasAnyRole):
    """Manages the tenant's numbers; sees all of its activity and usage."""

    roles = frozenset({Role.ADMIN})


class IsSupportOrAdmin(_HasAnyRole):
    """Reads the tenant's provider configuration (admins read; support writes)."""

    roles = frozenset({Role.SUPPORT, Role.ADMIN})


class IsAgentOrAdmin(BasePermission):
    """Takes the tenant's calls: admins, agents, and members with no role (every member is an
    agent), but not a caller whose only roles are staff ones: support configures the tenant and
    platform admins see usage; neither answers its phones (give them ``agent`` to)."""

    STAFF: ClassVar[frozenset[Role]] = frozenset({Role.SUPPORT, Role.PLATFORM_ADMIN})

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        roles = require_principal(info).roles
        if roles and roles <= self.STAFF:
            raise Forbidden()
        return True


class IsPlatformAdmin(_HasAnyRole):
    """Sees cross-tenant usage, and nothing of any tenant's traffic."""

    roles = frozenset({Role.PLATFORM_ADMIN})
