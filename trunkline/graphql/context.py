"""The typed GraphQL context: who is calling, and what the resolvers may use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import strawberry
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from trunkline.auth.errors import Forbidden
from trunkline.auth.permissions import require_principal
from trunkline.services.numbers import numbers_by_id
from trunkline.services.recordings import recordings_of_calls

if TYPE_CHECKING:
    from trunkline.auth.principal import Principal
    from trunkline.gateway import Gateway
    from trunkline.models import PhoneNumber, Recording
    from trunkline.settings import Settings


@dataclass(frozen=True)
class Loaders:
    """The request's DataLoaders, named ``x_by_y``: a list's rows load what they point at in one
    statement per kind, whatever the page size. Each reads the caller's tenant only."""

    number_by_id: DataLoader[int, PhoneNumber | None]
    # A call's recordings, oldest first (for calls the caller already sees).
    recordings_by_call_id: DataLoader[int, list[Recording]]

    @classmethod
    def of_tenant(cls, tenant_id: int, *, cache: bool) -> Loaders:
        async def load_numbers(ids: list[int]) -> list[PhoneNumber | None]:
            found = await numbers_by_id(tenant_id=tenant_id, ids=ids)
            return [found.get(key) for key in ids]

        async def load_recordings(call_ids: list[int]) -> list[list[Recording]]:
            found = await recordings_of_calls(tenant_id=tenant_id, call_ids=call_ids)
            return [found.get(key, []) for key in call_ids]

        return cls(
            number_by_id=DataLoader(load_numbers, cache=cache),
            recordings_by_call_id=DataLoader(load_recordings, cache=cache),
        )


@dataclass
class Context(BaseContext):
    """Per HTTP request, or per WebSocket connection (re-authenticated in ``connection_init``)."""

    gateway: Gateway
    principal: Principal | None = None
    _loaders: Loaders | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        super().__init__()

    @property
    def settings(self) -> Settings:
        return self.gateway.settings

    @property
    def loaders(self) -> Loaders:
        """The caller's tenant's loaders, built on first use.

        Over HTTP a context lives for one request, so its loaders cache. A WebSocket's context
        lives as long as the socket: there they only batch (the loads of one event run
        together) and cache nothing, so every event reads the rows as they are then.
        """
        if self._loaders is None:
            # Only fields below a root that checked the caller's tenant load anything.
            tenant_id = self.principal.tenant_id if self.principal else None
            if tenant_id is None:
                raise Forbidden("This operation needs an organization.")
            cache = not isinstance(self.request, WebSocket)
            self._loaders = Loaders.of_tenant(tenant_id, cache=cache)
        return self._loaders


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
