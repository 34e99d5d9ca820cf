"""GraphQL types for conversation threads (one per number, contact and channel)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from trunkline.graphql.context import Info
from trunkline.models import Message as MessageRow
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
    # Loaded for a whole page at once (see ``of_rows``): resolved without an await per node.
    number_node: strawberry.Private[PhoneNumber | None]
    last_message_row: strawberry.Private[MessageRow | None]

    @strawberry.field(description="The number the conversation is on.")
    def number(self) -> PhoneNumber | None:
        return self.number_node

    @strawberry.field(description="The newest message of the conversation.")
    def last_message(self) -> Message | None:
        row = self.last_message_row
        return Message.from_row(row) if row is not None else None

    @classmethod
    async def of_rows(cls, rows: Sequence[ThreadRow], info: Info) -> list[Thread]:
        """The threads of ``rows`` with their numbers and last messages, each kind loaded in
        one statement through the request's DataLoaders.

        Loaded here, for the page, rather than by a resolver per node: an async field costs
        graphql-core a task per node, a quarter of a page's time. A page's threads share a few
        numbers: each is presented once.
        """
        if not rows:
            return []
        loaders = info.context.loaders
        numbers = await loaders.number_by_id.load_many([row.number_id for row in rows])  # type: ignore[attr-defined]
        messages = await loaders.message_by_id.load_many([row.last_message_id or 0 for row in rows])
        presented = {
            number.id: PhoneNumber.from_row(number) for number in numbers if number is not None
        }
        return [
            cls.from_row(
                row,
                number=presented[number.id] if number is not None else None,
                last_message=message,
            )
            for row, number, message in zip(rows, numbers, messages, strict=True)
        ]

    @classmethod
    def from_row(
        cls,
        row: ThreadRow,
        *,
        number: PhoneNumber | None = None,
        last_message: MessageRow | None = None,
    ) -> Thread:
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
            number_node=number,
            last_message_row=last_message,
        )
