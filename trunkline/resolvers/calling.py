"""Placing and ending calls (services/calling.py): the caller's own numbers, as for sending.

A number the caller may not use is PHONE_NUMBER_NOT_FOUND; a call not theirs to end (or another
tenant's, or none) is NOT_FOUND. Support-only members are FORBIDDEN: calling is for agents and
admins.
"""

from __future__ import annotations

import strawberry

from trunkline.auth.permissions import IsAgentOrAdmin
from trunkline.graphql.context import Info, caller_tenant
from trunkline.resolvers.outcomes import mutation_result
from trunkline.schema.calling import HangupCallResult, PlaceCallInput, PlaceCallResult
from trunkline.schema.calls import Call
from trunkline.services import calling
from trunkline.services.rate_limits import CostlyAction


@strawberry.type
class CallingMutation:
    @strawberry.mutation(
        permission_classes=[IsAgentOrAdmin],
        description="Call a phone from one of the tenant's numbers (admins: any; agents: those "
        "assigned to them); once answered it is connected to the caller's browser client or "
        "`agentPhone`. Answers the call as placed (`queued`); its statuses follow on "
        "`callUpdated` and `activity`.",
    )
    async def place_call(self, info: Info, input: PlaceCallInput) -> PlaceCallResult:
        principal, tenant_id = caller_tenant(info)
        gateway = info.context.gateway
        request = calling.PlaceCallRequest(
            number_id=input.number_id,
            to=input.to,
            record=input.record,
            connect_to=input.connect_to.service,
            agent_phone=input.agent_phone,
            idempotency_key=input.idempotency_key,
        )
        return await mutation_result(
            gateway.rate_limits.within(
                CostlyAction.PLACE_CALL,
                tenant_id=tenant_id,
                user_id=principal.user_id,
                run=lambda: calling.place_call(
                    tenant_id=tenant_id,
                    principal=principal,
                    request=request,
                    accounts=gateway.accounts,
                    record=gateway.record_placed,
                ),
            ),
            lambda snapshot: Call.from_snapshot(snapshot, tenant_id=tenant_id),
        )

    @strawberry.mutation(
        permission_classes=[IsAgentOrAdmin],
        description="End a live call the caller placed, or one on a number they may use "
        "(admins: any). A ringing call ends `canceled`, an answered one `completed` (that "
        "status follows on `callUpdated`); a call that has ended answers as it is.",
    )
    async def hangup_call(self, info: Info, id: strawberry.ID) -> HangupCallResult:
        principal, tenant_id = caller_tenant(info)
        return await mutation_result(
            calling.hang_up_call(
                tenant_id=tenant_id,
                principal=principal,
                call_id=id,
                accounts=info.context.gateway.accounts,
            ),
            lambda snapshot: Call.from_snapshot(snapshot, tenant_id=tenant_id),
        )
