"""The GraphQL schema: root types merged from per-domain parts, with the gateway's limits.

It lives with the resolvers it merges, above the endpoint (trunkline.graphql), which is handed
the schema: the endpoint's machinery (context, limits, sharing) sits below every resolver.
"""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from trunkline.graphql.limits import GatewaySchema, schema_extensions
from trunkline.graphql.operations import operation_metrics
from trunkline.graphql.sharing import SharingExecutor
from trunkline.metrics import BoundedLabels
from trunkline.resolvers.activity import ActivitySubscription
from trunkline.resolvers.calling import CallingMutation
from trunkline.resolvers.calls import CallsMutation, CallsQuery
from trunkline.resolvers.credentials import CredentialsMutation, CredentialsQuery
from trunkline.resolvers.health import HealthMutation, HealthQuery
from trunkline.resolvers.messages import MessagesMutation, MessagesQuery
from trunkline.resolvers.numbers import NumbersMutation, NumbersQuery
from trunkline.resolvers.tenants import TenantsMutation, TenantsQuery
from trunkline.resolvers.threads import ThreadsMutation, ThreadsQuery
from trunkline.resolvers.voice import VoiceMutation
from trunkline.settings import Settings


@strawberry.type
class Query(
    TenantsQuery,
    CredentialsQuery,
    HealthQuery,
    NumbersQuery,
    MessagesQuery,
    ThreadsQuery,
    CallsQuery,
):
    """Root query type: one base class per domain."""


@strawberry.type
class Mutation(
    TenantsMutation,
    CredentialsMutation,
    HealthMutation,
    NumbersMutation,
    MessagesMutation,
    ThreadsMutation,
    VoiceMutation,
    CallsMutation,
    CallingMutation,
):
    """Root mutation type: one base class per domain."""


@strawberry.type
class Subscription(ActivitySubscription):
    """Root subscription type: one base class per domain."""


def build_schema(settings: Settings) -> strawberry.Schema:
    """The schema with the limits of ``settings`` (introspection and suggestions in dev only)."""
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            # First: its operation hook wraps every other's, so the latency is the whole answer's.
            operation_metrics(BoundedLabels(settings.metrics_operation_labels)),
            *schema_extensions(settings),
        ],
        # Identical subscriptions share one execution per event (see graphql/sharing.py).
        execution_context_class=SharingExecutor,
        # No "Did you mean" of any kind outside development (see GatewaySchema).
        config=StrawberryConfig(disable_field_suggestions=not settings.is_development),
    )


def export_sdl() -> str:
    """The SDL checked in as ``schema.graphql`` (the same whatever the settings)."""
    return (
        strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription).as_str() + "\n"
    )
