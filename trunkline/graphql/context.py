"""The typed GraphQL context: who is calling, and what the resolvers may use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import strawberry
from strawberry.fastapi import BaseContext

if TYPE_CHECKING:
    from trunkline.auth.principal import Principal
    from trunkline.gateway import Gateway
    from trunkline.settings import Settings


@dataclass
class Context(BaseContext):
    """Per HTTP request, or per WebSocket connection (re-authenticated in ``connection_init``)."""

    gateway: Gateway
    principal: Principal | None = None

    def __post_init__(self) -> None:
        super().__init__()

    @property
    def settings(self) -> Settings:
        return self.gateway.settings


Info = strawberry.Info[Context, None]
