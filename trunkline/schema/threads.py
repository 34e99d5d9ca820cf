"""GraphQL types for conversation threads (one per number, contact and channel)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from trunkline.graphql.context import Info
from trunkline.models import Thread as ThreadRow
from trunkline.schema.messages import Message, MessageChannel
from trunkline.schema.numbers import PhoneNumber


@strawberry.type(
    description="A conversation with one contact over one channel (MMS is kept with SMS) on "
    "one of the tenant's numbers, the most recently active first in `threads`."
)
class Thread:
    id: strawberry.ID
    number_id: strawberry.ID
    counterpart: str = strawberry.field(
        description="The other party, as its messages carry it (E.164, or whatsapp:+...)."
    )
    channel: MessageChannel
    message_count: int
    unread_count: int = strawberry.field(
        description="Inbound messages since the thread was last marked read."
    )
    last_message_at: datetime = strawberry.field(description="What `threads` is ordered by.")
    updated_at: datetime = strawberry.field(
        description="When the thread last changed: a message, or a read mark."
    )
    last_read_at: datetime | None
    tenant_id: strawberry.Private[int]
    number_key: strawberry.Private[int]
    last_message_id: strawberry.Private[int | None]

    @strawberry.field(description="The number the conversation is on.")
    async def number(self, info: Info) -> PhoneNumber | None:
        row = await info.context.loaders(self.tenant_id).number_by_id.load(self.number_key)
        return PhoneNumber.from_row(row) if row is not None else None

    @strawberry.field(description="The newest message of the conversation.")
    async def last_message(self, info: Info) -> Message | None:
        if self.last_message_id is None:
            return None
        row = await info.context.loaders(self.tenant_id).message_by_id.load(self.last_message_id)
        return Message.from_row(row) if row is not None else None

    @classmethod
    def from_row(cls, row: ThreadRow) -> Thread:
        return cls(
            id=strawberry.ID(str(row.id)),
            number_id=strawberry.ID(str(row.number_id)),  # type: ignore[attr-defined]
            counterpart=row.counterpart,
            channel=row.channel,  # type: ignore[arg-type]
            message_count=row.message_count,
            unread_count=row.unread_count,
            last_message_at=row.last_message_at,
            updated_at=row.updated_at,
            last_read_at=row.last_read_at,
            tenant_id=row.tenant_id,  # type: ignore[attr-defined]
            number_key=row.number_id,  # type: ignore[attr-defined]
            last_message_id=row.last_message_id,
        )
