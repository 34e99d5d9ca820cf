"""The per-request DataLoaders: a list's related rows in one statement, whatever the page size.

Built once per request (``Context.loaders``), so nothing is cached across requests and a
change is seen by the next one. Each is named ``x_by_y`` and scoped to the caller's tenant: an
id of another tenant's row loads as None, whoever asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from trunkline.models import Message, PhoneNumber


@dataclass
class Loaders:
    tenant_id: int
    number_by_id: DataLoader[int, PhoneNumber | None] = field(init=False)
    message_by_id: DataLoader[int, Message | None] = field(init=False)

    def __post_init__(self) -> None:
        self.number_by_id = DataLoader(load_fn=self._numbers)
        self.message_by_id = DataLoader(load_fn=self._messages)

    async def _numbers(self, ids: Sequence[int]) -> list[PhoneNumber | None]:
        rows = await PhoneNumber.filter(tenant_id=self.tenant_id, id__in=list(ids))
        found = {row.id: row for row in rows}
        return [found.get(number_id) for number_id in ids]

    async def _messages(self, ids: Sequence[int]) -> list[Message | None]:
        rows = await Message.filter(tenant_id=self.tenant_id, id__in=list(ids))
        found = {row.id: row for row in rows}
        return [found.get(message_id) for message_id in ids]
