"""Browser calling: support provisions the tenant's Twilio resources, members get SDK tokens."""

from __future__ import annotations

from typing import Annotated

import strawberry

from trunkline.auth.permissions import IsAgentOrAdmin, IsSupport
from trunkline.graphql.context import Info, caller_tenant
from trunkline.resolvers.outcomes import mutation_result
from trunkline.schema.errors import ProviderError, TwilioNotConfiguredError
from trunkline.schema.voice import VoiceAccessToken, VoiceProvisioning
from trunkline.services import voice_provisioning, voice_tokens

ProvisionVoiceResult = Annotated[
    VoiceProvisioning | TwilioNotConfiguredError | ProviderError,
    strawberry.union("ProvisionVoiceResult"),
]
CreateVoiceAccessTokenResult = Annotated[
    VoiceAccessToken | TwilioNotConfiguredError, strawberry.union("CreateVoiceAccessTokenResult")
]


@strawberry.type
class VoiceMutation:
    @strawberry.mutation(
        permission_classes=[IsSupport],
        description="Make (or reuse) the TwiML App and API key browser calling needs, on the "
        "tenant's Twilio account, and store them. Safe to run again.",
    )
    async def provision_voice(self, info: Info) -> ProvisionVoiceResult:
        _, tenant_id = caller_tenant(info)
        return await mutation_result(
            voice_provisioning.provision_voice(
                tenant_id=tenant_id, accounts=info.context.gateway.accounts
            ),
            VoiceProvisioning.from_result,
        )

    @strawberry.mutation(
        permission_classes=[IsAgentOrAdmin],
        description="A Voice SDK token for the caller's browser: calls out through the tenant's "
        "TwiML App, calls in to the caller's identity.",
    )
    async def create_voice_access_token(self, info: Info) -> CreateVoiceAccessTokenResult:
        principal, tenant_id = caller_tenant(info)
        return await mutation_result(
            voice_tokens.create_voice_access_token(
                tenant_id=tenant_id, principal=principal, accounts=info.context.gateway.accounts
            ),
            VoiceAccessToken.from_token,
        )
