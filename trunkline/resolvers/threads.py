"""Conversation threads: the tenant's (admins) or their numbers' (agents), read and marked."""

from __future__ import annotations

from typing import Annotated

import strawberry

from trunkline.auth.permissions import IsAuthenticated
from trunkline.graphql.context import Info, caller_tenant
from trunkline.models import Thread as ThreadRow
from trunkline.resolvers.outcomes import mutation_result, query_result
from trunkline.schema.errors import NotFoundError, UserInputError
from trunkline.schema.messages import MessageChannel
from trunkline.schema.pagination import Connection, connection, page_size
from trunkline.schema.threads import Thread
from trunkline.services import threads
from trunkline.services.keys import (
    decode_keyset_cursor,
    encode_keyset_cursor,
    parse_key,
    parse_optional_key,
)

CURSOR_KIND = "thread"

MarkThreadReadResult = Annotated[
    Thread | UserInputError | NotFoundError, strawberry.union("MarkThreadReadResult")
]


def _cursor(row: ThreadRow) -> str:
    return encode_keyset_cursor(CURSOR_KIND, row.last_message_at, row.id)


@strawberry.type
class ThreadsQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Conversations, the most recently active first: admins see the tenant's, "
        "agents those of their numbers. Null when numberId names no number the caller sees.",
    )
    async def threads(
        self,
        info: Info,
        number_id: strawberry.ID | None = None,
        channel: MessageChannel | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Thread] | None:
        principal, tenant_id = caller_tenant(info)

        async def page() -> Connection[Thread] | None:
            number = parse_optional_key(number_id, field="numberId")
            position = decode_keyset_cursor(CURSOR_KIND, after)
            limit = page_size(first, maximum=info.context.settings.max_page_size)
            found = await threads.list_threads(
                tenant_id=tenant_id,
                principal=principal,
                number_id=number,
                channel=channel,  # type: ignore[arg-type]
                after=position,
                limit=limit,
            )
            if found is None:
                return None
            nodes = {int(node.id): node for node in await Thread.of_rows(found.rows, info)}
            return connection(found, after=after, cursor=_cursor, node=lambda row: nodes[row.id])

        return await query_result(page())

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="The conversation with one contact over one channel on a number, if any.",
    )
    async def thread(
        self, info: Info, number_id: strawberry.ID, counterpart: str, channel: MessageChannel
    ) -> Thread | None:
        principal, tenant_id = caller_tenant(info)

        async def find() -> Thread | None:
            row = await threads.find_thread(
                tenant_id=tenant_id,
                principal=principal,
                number_id=parse_key(number_id, field="numberId"),
                counterpart=counterpart,
                channel=channel,  # type: ignore[arg-type]
            )
            return (await Thread.of_rows([row], info))[0] if row is not None else None

        return await query_result(find())


@strawberry.type
class ThreadsMutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="Nothing unread in the thread from now on (a later inbound message counts).",
    )
    async def mark_thread_read(self, info: Info, thread_id: strawberry.ID) -> MarkThreadReadResult:
        principal, tenant_id = caller_tenant(info)

        async def mark() -> Thread:
            row = await threads.mark_thread_read(
                tenant_id=tenant_id,
                principal=principal,
                thread_id=parse_key(thread_id, field="threadId"),
            )
            return (await Thread.of_rows([row], info))[0]

        return await mutation_result(mark(), lambda thread: thread)
