"""Messages: sending (``sendMessage``)."""

from __future__ import annotations

import strawberry

from trunkline.graphql.context import Info, caller_tenant
from trunkline.resolvers.outcomes import mutation_result
from trunkline.schema.messages import Message
from trunkline.schema.sending import SendMessageInput, SendMessageResult
from trunkline.services import messaging


@strawberry.type
class MessagesMutation:
    @strawberry.mutation(
        description="Send an SMS, MMS or WhatsApp message from one of the tenant's numbers "
        "(admins: any; agents: those assigned to them)."
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
            messaging.send_message(
                tenant_id=tenant_id,
                principal=principal,
                request=request,
                accounts=gateway.accounts,
                record=gateway.ingestion.ingest,
            ),
            Message.from_row,
        )
