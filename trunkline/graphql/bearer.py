"""From an ``Authorization`` value to a principal whose tenant is known."""

from __future__ import annotations

from dataclasses import replace

from trunkline.auth.errors import AuthenticationError
from trunkline.auth.principal import Principal
from trunkline.auth.tokens import TokenVerifier
from trunkline.services.tenants import KnownTenants, tenant_id_for_org


async def authenticate(
    verifier: TokenVerifier, authorization: str | None, *, tenants: KnownTenants
) -> Principal | None:
    """The principal behind ``Bearer <token>``, its tenant resolved (created on first sight).

    Returns None when there is no credential at all; raises :class:`AuthenticationError` when
    there is one and it does not hold.
    """
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Authorization is not a bearer token")
    principal = await verifier.verify(token.strip())
    if principal.org_id is None:
        return principal
    tenant_id = await tenant_id_for_org(org_id=principal.org_id, known=tenants)
    return replace(principal, tenant_id=tenant_id)
