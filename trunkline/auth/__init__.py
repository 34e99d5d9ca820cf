"""Auth0 JWT verification, the Principal, roles and Strawberry permission classes."""

from trunkline.auth.errors import AuthenticationError, Forbidden, Unauthenticated
from trunkline.auth.permissions import (
    IsAdmin,
    IsAuthenticated,
    IsPlatformAdmin,
    IsSupport,
    IsSupportOrAdmin,
    require_principal,
)
from trunkline.auth.principal import Principal, Role
from trunkline.auth.tokens import TokenVerifier, mint_dev_token

__all__ = [
    "AuthenticationError",
    "Forbidden",
    "IsAdmin",
    "IsAuthenticated",
    "IsPlatformAdmin",
    "IsSupport",
    "IsSupportOrAdmin",
    "Principal",
    "Role",
    "TokenVerifier",
    "Unauthenticated",
    "mint_dev_token",
    "require_principal",
]
