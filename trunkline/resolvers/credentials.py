"""Twilio settings: read by support and admins, written by support only."""

from __future__ import annotations

from typing import Annotated

import strawberry

from trunkline.auth.permissions import IsSupport, IsSupportOrAdmin
from trunkline.graphql.context import Info, caller_tenant
from trunkline.resolvers.outcomes import mutation_result, query_result
from trunkline.schema.credentials import (
    ConversationsWebhook,
    DeleteTwilioCredentialsPayload,
    SaveTwilioCredentialsInput,
    TestSmsSent,
    TwilioSettings,
)
from trunkline.schema.errors import (
    ConflictError,
    ProviderError,
    RateLimitedError,
    TwilioNotConfiguredError,
    UserInputError,
)
from trunkline.services import conversations, credentials, messaging
from trunkline.services.rate_limits import CostlyAction

SaveTwilioCredentialsResult = Annotated[
    TwilioSettings | UserInputError | ConflictError | ProviderError,
    strawberry.union("SaveTwilioCredentialsResult"),
]
DeleteTwilioCredentialsResult = Annotated[
    DeleteTwilioCredentialsPayload | ConflictError | TwilioNotConfiguredError | ProviderError,
    strawberry.union("DeleteTwilioCredentialsResult"),
]
SetTwilioEnabledResult = Annotated[
    TwilioSettings | TwilioNotConfiguredError, strawberry.union("SetTwilioEnabledResult")
]
ConfigureConversationsWebhookResult = Annotated[
    ConversationsWebhook | UserInputError | TwilioNotConfiguredError | ProviderError,
    strawberry.union("ConfigureConversationsWebhookResult"),
]
SendTestSmsResult = Annotated[
    TestSmsSent | UserInputError | TwilioNotConfiguredError | ProviderError | RateLimitedError,
    strawberry.union("SendTestSmsResult"),
]


@strawberry.type
class CredentialsQuery:
    @strawberry.field(permission_classes=[IsSupportOrAdmin])
    async def twilio_settings(self, info: Info) -> TwilioSettings:
        _, tenant_id = caller_tenant(info)
        return TwilioSettings.from_row(await credentials.twilio_settings(tenant_id=tenant_id))

    @strawberry.field(
        permission_classes=[IsSupportOrAdmin],
        description="The Conversations service webhook, read back from Twilio.",
    )
    async def conversations_webhook(self, info: Info) -> ConversationsWebhook:
        _, tenant_id = caller_tenant(info)
        value = await query_result(
            conversations.conversations_webhook(
                tenant_id=tenant_id, accounts=info.context.gateway.accounts
            )
        )
        return ConversationsWebhook.from_configuration(value)


@strawberry.type
class CredentialsMutation:
    @strawberry.mutation(
        permission_classes=[IsSupport],
        description="Check the credentials with Twilio, then store them encrypted.",
    )
    async def save_twilio_credentials(
        self, info: Info, input: SaveTwilioCredentialsInput
    ) -> SaveTwilioCredentialsResult:
        _, tenant_id = caller_tenant(info)
        data = credentials.TwilioCredentialsInput(
            account_sid=input.account_sid,
            auth_token=input.auth_token,
            from_number=input.from_number,
            messaging_service_sid=input.messaging_service_sid,
            conversations_service_sid=input.conversations_service_sid,
            twiml_app_sid=input.twiml_app_sid,
            api_key_sid=input.api_key_sid,
            api_key_secret=input.api_key_secret,
        )
        return await mutation_result(
            credentials.save_twilio_credentials(
                tenant_id=tenant_id,
                data=data,
                accounts=info.context.gateway.accounts,
                health=info.context.gateway.health,
            ),
            TwilioSettings.from_row,
        )

    @strawberry.mutation(permission_classes=[IsSupport])
    async def set_twilio_enabled(self, info: Info, enabled: bool) -> SetTwilioEnabledResult:
        _, tenant_id = caller_tenant(info)
        return await mutation_result(
            credentials.set_twilio_enabled(
                tenant_id=tenant_id, enabled=enabled, accounts=info.context.gateway.accounts
            ),
            TwilioSettings.from_row,
        )

    @strawberry.mutation(
        permission_classes=[IsSupport],
        description="Forget the tenant's Twilio credentials. While it holds numbers this is a "
        "CONFLICT, unless releaseNumbers, which releases them at Twilio first.",
    )
    async def delete_twilio_credentials(
        self, info: Info, release_numbers: bool = False
    ) -> DeleteTwilioCredentialsResult:
        _, tenant_id = caller_tenant(info)
        gateway = info.context.gateway
        return await mutation_result(
            credentials.delete_twilio_credentials(
                tenant_id=tenant_id,
                release_numbers=release_numbers,
                accounts=gateway.accounts,
                health=gateway.health,
            ),
            lambda deleted: DeleteTwilioCredentialsPayload(deleted=deleted),
        )

    @strawberry.mutation(
        permission_classes=[IsSupport],
        description="Point the Conversations service's post-event webhook at this gateway.",
    )
    async def configure_conversations_webhook(
        self, info: Info
    ) -> ConfigureConversationsWebhookResult:
        _, tenant_id = caller_tenant(info)
        return await mutation_result(
            conversations.configure_conversations_webhook(
                tenant_id=tenant_id,
                accounts=info.context.gateway.accounts,
                health_records=info.context.gateway.health.records,
            ),
            ConversationsWebhook.from_configuration,
        )

    @strawberry.mutation(
        permission_classes=[IsSupport], description="Send an SMS from the configured number."
    )
    async def send_test_sms(self, info: Info, to: str, body: str) -> SendTestSmsResult:
        principal, tenant_id = caller_tenant(info)
        gateway = info.context.gateway
        return await mutation_result(
            gateway.rate_limits.within(
                CostlyAction.SEND_TEST_SMS,
                tenant_id=tenant_id,
                user_id=principal.user_id,
                run=lambda: messaging.send_test_sms(
                    tenant_id=tenant_id,
                    to=to,
                    body=body,
                    user_id=principal.user_id,
                    accounts=gateway.accounts,
                    record=gateway.record_sent,
                ),
            ),
            TestSmsSent.from_snapshot,
        )
