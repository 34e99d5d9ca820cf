"""GraphQL types for conversation threads (one per number, contact and channel)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from trunkline.graphql.context import Info, caller_tenant
from trunkline.models import Message as MessageRow
from trunkline.models import Thread as ThreadRow
from trunkline.schema.messages import Message, MessageChannel
from trunkline.schema.numbers import PhoneNumber
from trunkline.services import threads


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
    # Plain attributes, filled for a whole page at once (see ``of_rows``): graphql-core resolves
    # them without a resolver call or an await per node.
    number: PhoneNumber | None = strawberry.field(description="The number the conversation is on.")
    last_message: Message | None = strawberry.field(
        description="The newest message of the conversation."
    )

    @classmethod
    async def of_rows(cls, rows: Sequence[ThreadRow], info: Info) -> list[Thread]:
        """The threads of ``rows`` with their numbers and last messages (services.threads.
        parts_of: one statement per kind for them all).

        A page's threads share a few numbers: each is presented once.
        """
        _, tenant_id = caller_tenant(info)
        parts = await threads.parts_of(tenant_id=tenant_id, rows=rows)
        presented = {key: PhoneNumber.from_row(row) for key, row in parts.numbers.items()}
        messages = parts.last_messages
        return [
            cls.from_row(
                row,
                number=presented.get(row.number_id),  # type: ignore[attr-defined]
                last_message=messages.get(row.last_message_id) if row.last_message_id else None,
            )
            for row in rows
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
            number=number,
            last_message=Message.from_row(last_message) if last_message is not None else None,
        )
