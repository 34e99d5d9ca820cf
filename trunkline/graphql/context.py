"""The typed GraphQL context: who is calling, and what the resolvers may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import strawberry
from strawberry.fastapi import BaseContext

from trunkline.auth.errors import Forbidden
from trunkline.auth.permissions import require_principal
from trunkline.graphql.loaders import Loaders

if TYPE_CHECKING:
    from trunkline.auth.principal import Principal
    from trunkline.gateway import Gateway
    from trunkline.settings import Settings


@dataclass
class Context(BaseContext):
    """Per HTTP request, or per WebSocket connection (re-authenticated in ``connection_init``)."""

    gateway: Gateway
    principal: Principal | None = None
    # By tenant: over a WebSocket the principal is known only after connection_init.
    _loaders: dict[int, Loaders] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        super().__init__()

    def loaders(self, tenant_id: int) -> Loaders:
        """This request's DataLoaders for ``tenant_id`` (the caller's, from ``caller_tenant``)."""
        if tenant_id not in self._loaders:
            self._loaders[tenant_id] = Loaders(tenant_id)
        return self._loaders[tenant_id]

    @property
    def settings(self) -> Settings:
        return self.gateway.settings


Info = strawberry.Info[Context, None]


def caller_tenant(info: Info) -> tuple[Principal, int]:
    """The caller and their tenant: where every query, mutation and subscription that acts on a
    tenant's data starts.

    Raises:
        Unauthenticated: there is no caller.
        Forbidden: the caller belongs to no organization, so has no tenant to act on.
    """
    principal = require_principal(info)
    if principal.tenant_id is None:
        raise Forbidden("This operation needs an organization.")
    return principal, principal.tenant_id
