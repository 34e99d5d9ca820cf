"""Tenant health: read, and numbers' webhooks repaired, by support and admins."""

from __future__ import annotations

from typing import Annotated

import strawberry

from trunkline.auth.permissions import IsSupportOrAdmin
from trunkline.graphql.context import Info, caller_tenant
from trunkline.resolvers.outcomes import mutation_result
from trunkline.schema.errors import ProviderError, TwilioNotConfiguredError
from trunkline.schema.health import NumberWebhooksRepaired, TwilioHealth
from trunkline.services import health

RepairNumberWebhooksResult = Annotated[
    NumberWebhooksRepaired | TwilioNotConfiguredError | ProviderError,
    strawberry.union("RepairNumberWebhooksResult"),
]


@strawberry.type
class HealthQuery:
    @strawberry.field(
        permission_classes=[IsSupportOrAdmin],
        description="Whether Twilio accepts the tenant's credentials and its numbers' webhooks "
        "point here (asked at most every 5 minutes; refresh asks again if the last check is over "
        "30 s old), when its last webhook arrived, and webhooks refused recently.",
    )
    async def twilio_health(self, info: Info, refresh: bool = False) -> TwilioHealth:
        _, tenant_id = caller_tenant(info)
        gateway = info.context.gateway
        value = await health.twilio_health(
            tenant_id=tenant_id, refresh=refresh, accounts=gateway.accounts, log=gateway.health
        )
        return TwilioHealth.from_health(value)


@strawberry.type
class HealthMutation:
    @strawberry.mutation(
        permission_classes=[IsSupportOrAdmin],
        description="Point every held number whose webhooks drifted back at this gateway.",
    )
    async def repair_number_webhooks(self, info: Info) -> RepairNumberWebhooksResult:
        _, tenant_id = caller_tenant(info)
        gateway = info.context.gateway
        return await mutation_result(
            health.repair_number_webhooks(
                tenant_id=tenant_id, accounts=gateway.accounts, log=gateway.health
            ),
            NumberWebhooksRepaired.from_repair,
        )
