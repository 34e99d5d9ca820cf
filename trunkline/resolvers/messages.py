"""Messages: history (a page of messages newest first, one message) and sending.

Admins read all of the tenant's messages; agents those of the numbers assigned to them and those
they sent (services/messages_read.py). What a caller may not see is absent: null for ``message``,
an empty page for a filter naming a number not theirs (or another tenant's). Sending follows the
same rule (services/messaging.py): a number the caller may not use is PHONE_NUMBER_NOT_FOUND.
"""

from __future__ import annotations

import strawberry

from trunkline.auth.permissions import IsAuthenticated
from trunkline.graphql.context import Info, caller_tenant
from trunkline.resolvers.outcomes import mutation_result, query_result
from trunkline.schema.messages import Message, MessageFilter
from trunkline.schema.pagination import Connection, connection, page_size
from trunkline.schema.sending import SendMessageInput, SendMessageResult
from trunkline.services import messages_read, messaging
from trunkline.services.keys import decode_keyset_cursor, encode_keyset_cursor, parse_key
from trunkline.services.rate_limits import CostlyAction

CURSOR_KIND = "message"


def _service_filter(wanted: MessageFilter) -> messages_read.MessageFilter:
    """The filter as the service takes it; ids parsed here, the rest checked by the service."""
    number_id = wanted.number_id
    return messages_read.MessageFilter(
        number_id=parse_key(number_id, field="filter.numberId") if number_id is not None else None,
        channel=wanted.channel,  # type: ignore[arg-type]
        direction=wanted.direction,  # type: ignore[arg-type]
        status=wanted.status,
        counterpart=wanted.counterpart,
        since=wanted.since,
        until=wanted.until,
    )


@strawberry.type
class MessagesQuery:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description=(
            "Messages, newest first. Admins see the tenant's; agents those of the numbers "
            "assigned to them and those they sent."
        ),
    )
    async def messages(
        self,
        info: Info,
        filter: MessageFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Message]:
        principal, tenant_id = caller_tenant(info)

        async def page() -> Connection[Message]:
            limit = page_size(first, maximum=info.context.settings.max_page_size)
            found = await messages_read.list_messages(
                tenant_id=tenant_id,
                principal=principal,
                message_filter=_service_filter(filter or MessageFilter()),
                after=decode_keyset_cursor(CURSOR_KIND, after),
                limit=limit,
            )
            return connection(
                found,
                after=after,
                cursor=lambda row: encode_keyset_cursor(CURSOR_KIND, row.created_at, row.id),
                node=Message.from_row,
            )

        return await query_result(page())

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="One message; null when absent or not the caller's to see.",
    )
    async def message(self, info: Info, id: strawberry.ID) -> Message | None:
        principal, tenant_id = caller_tenant(info)

        async def find() -> Message | None:
            row = await messages_read.find_message(
                tenant_id=tenant_id, principal=principal, message_id=parse_key(id, field="id")
            )
            return Message.from_row(row) if row is not None else None

        return await query_result(find())


@strawberry.type
class MessagesMutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="Send an SMS, MMS or WhatsApp message from one of the tenant's numbers "
        "(admins: any; agents: those assigned to them).",
    )
    async def send_message(self, info: Info, input: SendMessageInput) -> SendMessageResult:
        principal, tenant_id = caller_tenant(info)
        gateway = info.context.gateway
        request = messaging.SendMessageRequest(
            number_id=input.number_id,
            to=input.to,
            channel=input.channel.channel,
            body=input.body,
            media_urls=list(input.media_urls),
            idempotency_key=input.idempotency_key,
            content_sid=input.content_sid,
            content_variables=input.content_variables,
        )
        return await mutation_result(
            gateway.rate_limits.within(
                CostlyAction.SEND_MESSAGE,
                tenant_id=tenant_id,
                user_id=principal.user_id,
                run=lambda: messaging.send_message(
                    tenant_id=tenant_id,
                    principal=principal,
                    request=request,
                    accounts=gateway.accounts,
                    record=gateway.record_sent,
                ),
            ),
            Message.from_snapshot,
        )
