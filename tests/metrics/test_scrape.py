"""``GET /metrics`` after a scripted flow over real HTTP: the counters moved by exactly what the
flow did, read with prometheus-client's own parser.

Counters live for the whole process (the suite's gateway serves every test), so each test
compares a scrape before and after, and labels its GraphQL operations with names no other test
uses.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from tests.metrics.scraping import changes, scrape, value
from tests.subscriptions.client import subscribe
from tests.subscriptions.test_activity import ACTIVITY
from tests.support.graphql import GraphQLClient, error_codes
from tests.support.identity import IdentityProvider
from tests.support.servers import serve_asgi
from tests.support.tenancy import SAVE_CREDENTIALS, Tenant, open_sandbox_account
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, STATUS, inbound, message_sid, status
from trunkline.scrape import metrics_router
from trunkline.settings import Settings

TENANT = "query MetricsFlowTenant { tenant { orgId } }"
RENAME = """
mutation MetricsFlowRename($name: String!) {
  renameTenant(name: $name) { __typename ... on Error { code } }
}
"""
AVAILABLE = """
query MetricsFlowAvailable { availableNumbers(country: "US", first: 1) { phoneNumber } }
"""
BROKEN = "query MetricsFlowBroken { tenant { orgId }"
OPERATIONS = "trunkline_graphql_operations_total"
WEBHOOKS = "trunkline_webhooks_total"


async def operation(
    graphql: GraphQLClient,
    document: str,
    name: str,
    variables: dict[str, object] | None = None,
    *,
    token: str | None = None,
) -> dict[str, object]:
    body = {"query": document, "operationName": name, "variables": variables or {}}
    response = await graphql.post(body, token=token)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def flow_operations(moved: dict[tuple[str, ...], float]) -> dict[tuple[str, ...], float]:
    return {key: delta for key, delta in moved.items() if "operation=MetricsFlow" in str(key)}


async def test_a_scripted_flow_moves_each_counter_by_what_it_did(
    graphql: GraphQLClient,
    identity: IdentityProvider,
    twilio_tenant: TwilioTenant,
    webhook_http: httpx.AsyncClient,
) -> None:
    admin = identity.token(org=twilio_tenant.org, roles=["admin"])
    agent = identity.token(org=twilio_tenant.org, roles=["agent"])
    first, delivered = message_sid(), message_sid()
    before = await scrape(webhook_http)

    # GraphQL: a query, a mutation, a FORBIDDEN, a typed BAD_USER_INPUT, no token, no parse.
    ok = await operation(graphql, TENANT, "MetricsFlowTenant", token=admin)
    renamed = await operation(
        graphql, RENAME, "MetricsFlowRename", {"name": "Metrics Co"}, token=admin
    )
    forbidden = await operation(
        graphql, RENAME, "MetricsFlowRename", {"name": "Agent Co"}, token=agent
    )
    typed = await operation(graphql, RENAME, "MetricsFlowRename", {"name": "  "}, token=admin)
    anonymous = await operation(graphql, TENANT, "MetricsFlowTenant")
    broken = await operation(graphql, BROKEN, "MetricsFlowBroken", token=admin)
    # Webhooks: stored, the same again, a forged signature, a body that is no form at all.
    stored = await twilio_tenant.post(
        MESSAGING, inbound(twilio_tenant, first), idempotency_token="m1"
    )
    again = await twilio_tenant.post(
        MESSAGING, inbound(twilio_tenant, first), idempotency_token="m1"
    )
    forged = await twilio_tenant.post(
        MESSAGING, inbound(twilio_tenant, message_sid()), headers={"X-Twilio-Signature": "forged"}
    )
    malformed = await webhook_http.post(
        MESSAGING, content=b"hello", headers={"Content-Type": "text/plain"}
    )
    # An outbound message's final status: the tenant's SMS success rate.
    final = await twilio_tenant.post(STATUS, status(twilio_tenant, delivered, "delivered"))
    after = await scrape(webhook_http)

    assert ok == {"data": {"tenant": {"orgId": twilio_tenant.org}}}
    assert renamed == {"data": {"renameTenant": {"__typename": "Tenant"}}}
    assert error_codes(forbidden) == ["FORBIDDEN"]
    assert typed == {
        "data": {"renameTenant": {"__typename": "UserInputError", "code": "BAD_USER_INPUT"}}
    }
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert "errors" in broken
    assert [r.status_code for r in (stored, again, forged, malformed, final)] == [
        200,
        200,
        403,
        400,
        200,
    ]
    assert flow_operations(changes(before, after, {OPERATIONS})) == {
        (OPERATIONS, "operation=MetricsFlowTenant", "outcome=ok"): 1,
        (OPERATIONS, "operation=MetricsFlowTenant", "outcome=UNAUTHENTICATED"): 1,
        (OPERATIONS, "operation=MetricsFlowRename", "outcome=ok"): 1,
        (OPERATIONS, "operation=MetricsFlowRename", "outcome=FORBIDDEN"): 1,
        (OPERATIONS, "operation=MetricsFlowRename", "outcome=BAD_USER_INPUT"): 1,
        (OPERATIONS, "operation=MetricsFlowBroken", "outcome=invalid"): 1,
    }
    latency = "trunkline_graphql_operation_duration_seconds_count"
    assert (
        value(after, latency, operation="MetricsFlowRename")
        - value(before, latency, operation="MetricsFlowRename")
        == 3
    )
    messaging = {
        key: delta
        for key, delta in changes(before, after, {WEBHOOKS}).items()
        if "route=messaging" in key
    }
    assert messaging == {
        (WEBHOOKS, "outcome=stored", "route=messaging"): 1,
        (WEBHOOKS, "outcome=duplicate", "route=messaging"): 1,
        (WEBHOOKS, "outcome=refused:bad_signature", "route=messaging"): 1,
        (WEBHOOKS, "outcome=malformed", "route=messaging"): 1,
    }
    webhook_latency = "trunkline_webhook_duration_seconds_count"
    assert (
        value(after, webhook_latency, route="messaging")
        - value(before, webhook_latency, route="messaging")
        == 4
    )
    final_total = "trunkline_messages_final_total"
    tenant = str(twilio_tenant.tenant_id)
    assert (
        value(after, final_total, tenant=tenant, status="delivered")
        - value(before, final_total, tenant=tenant, status="delivered")
        == 1
    )
    # Stored webhooks went through the ingestion writer's batches.
    assert (
        value(after, "trunkline_ingestion_batch_size_count")
        - value(before, "trunkline_ingestion_batch_size_count")
        >= 1
    )
    # Nothing of the flow's secrets or addresses became a label.
    text = str(after)
    assert twilio_tenant.auth_token not in text
    assert twilio_tenant.account_sid not in text
    assert twilio_tenant.number.phone_number not in text


async def test_credential_checks_are_timed_by_outcome_and_the_client_cache_counted(
    graphql: GraphQLClient,
    identity: IdentityProvider,
    unique_org: str,
    carrier: str,
    webhook_http: httpx.AsyncClient,
) -> None:
    tenant = Tenant(org=unique_org, graphql=graphql, identity=identity)
    histogram = "trunkline_twilio_credential_validation_seconds_count"
    cache = "trunkline_twilio_client_cache_total"
    before = await scrape(webhook_http)

    await tenant.connect_twilio(carrier)  # Twilio accepts them
    wrong = await open_sandbox_account(carrier)
    refused = await tenant.execute(
        SAVE_CREDENTIALS,
        {"input": {"accountSid": wrong.account_sid, "authToken": "0" * 32}},
        as_="support",
    )
    middle = await scrape(webhook_http)
    admin = tenant.token("admin")
    listed = [
        await operation(graphql, AVAILABLE, "MetricsFlowAvailable", token=admin) for _ in range(2)
    ]
    after = await scrape(webhook_http)

    assert refused["data"]["saveTwilioCredentials"]["code"] == "PROVIDER_ERROR"
    assert all("errors" not in result for result in listed), listed
    assert (
        value(middle, histogram, outcome="accepted") - value(before, histogram, outcome="accepted")
        == 1
    )
    assert (
        value(middle, histogram, outcome="refused") - value(before, histogram, outcome="refused")
        == 1
    )
    # The first use after saving builds the tenant's client, the second reuses it (other
    # tenants' price fetches may run meanwhile: at least these).
    assert value(after, cache, result="miss") - value(middle, cache, result="miss") >= 1
    assert value(after, cache, result="hit") - value(middle, cache, result="hit") >= 1


async def test_a_live_subscription_is_counted_while_it_runs(
    gateway: str,
    identity: IdentityProvider,
    twilio_tenant: TwilioTenant,
    webhook_http: httpx.AsyncClient,
) -> None:
    gauge = "trunkline_graphql_subscriptions"
    admin = identity.token(org=twilio_tenant.org, roles=["admin"])
    before = value(await scrape(webhook_http), gauge)

    async with subscribe(gateway, admin, ACTIVITY, {"after": "0"}) as subscriber:
        await twilio_tenant.post(MESSAGING, inbound(twilio_tenant, message_sid()))
        await subscriber.next()  # the subscription is live: it has delivered an event
        during = value(await scrape(webhook_http), gauge)

    assert during == before + 1


@pytest.fixture
async def guarded_metrics(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """The /metrics route of a gateway with ``TRUNKLINE_METRICS_TOKEN`` set, on loopback."""
    token = uuid.uuid4().hex
    app = FastAPI()
    app.include_router(
        metrics_router(settings.model_copy(update={"metrics_token": SecretStr(token)}))
    )
    async with serve_asgi(app) as url, httpx.AsyncClient(base_url=url) as http:
        yield http, token


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong", "Basic dXNlcjpwYXNz", "Bearer", "Token x"],
)
async def test_a_metrics_token_is_required_when_set(
    guarded_metrics: tuple[httpx.AsyncClient, str], authorization: str | None
) -> None:
    http, token = guarded_metrics
    headers = {"Authorization": authorization} if authorization else {}

    response = await http.get("/metrics", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"detail": "a metrics token is required"}
    assert token not in response.text


async def test_the_metrics_token_opens_the_scrape(
    guarded_metrics: tuple[httpx.AsyncClient, str],
) -> None:
    http, token = guarded_metrics

    samples = await scrape(http, token=token)
    lower_case = await http.get("/metrics", headers={"Authorization": f"bearer {token}"})

    assert ("trunkline_bus_reconnects_total", frozenset()) in samples
    assert lower_case.status_code == 200


async def test_without_a_token_setting_the_scrape_is_open(webhook_http: httpx.AsyncClient) -> None:
    samples = await scrape(webhook_http)

    assert ("trunkline_bus_reconnects_total", frozenset()) in samples
