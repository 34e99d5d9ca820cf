"""Rate limits on the costly mutations, over real HTTP against gateway processes with small limits.

The session gateway keeps the default limits (the rest of the suite runs under them); these tests
start ``trunkline serve`` with limits a test can reach. On the services backend that gateway shares
the suite's PostgreSQL and Redis (so a second process shares its counts); on the embedded one it
runs the embedded default: its own SQLite file and in-memory counts.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BACKEND
from tests.events.processes import redis_server, serve_process
from tests.resolvers.test_sending import contact, sandbox_messages
from tests.support.graphql import GraphQLClient
from tests.support.identity import IdentityProvider
from tests.support.tenancy import Tenant
from trunkline.settings import Settings

# What the limited gateways allow (the tenant-wide limits in hours or days, the per-user ones in
# minutes: retryAfterSeconds then shows which limit refused).
LIMITS = {
    "TRUNKLINE_RATE_LIMIT_SEND_MESSAGE": "2/minute",
    "TRUNKLINE_RATE_LIMIT_SEND_MESSAGE_TENANT": "3/hour",
    "TRUNKLINE_RATE_LIMIT_PLACE_CALL": "1/minute",
    "TRUNKLINE_RATE_LIMIT_BUY_NUMBER": "off",
    "TRUNKLINE_RATE_LIMIT_BUY_NUMBER_TENANT": "2/day",
    "TRUNKLINE_RATE_LIMIT_SEND_TEST_SMS": "1/minute",
}
SERVICES_ONLY = pytest.mark.skipif(
    BACKEND != "services", reason="two processes share a database only on PostgreSQL"
)

RATE_LIMITED = "... on RateLimitedError { code message retryAfterSeconds }"
SEND = f"""
mutation Send($input: SendMessageInput!) {{
  sendMessage(input: $input) {{ __typename ... on Message {{ id }} {RATE_LIMITED} }}
}}
"""
PLACE = f"""
mutation Place($input: PlaceCallInput!) {{
  placeCall(input: $input) {{ __typename ... on Call {{ id }} {RATE_LIMITED} }}
}}
"""
BUY = f"""
mutation Buy($input: BuyNumberInput!) {{
  buyNumber(input: $input) {{ __typename ... on PhoneNumber {{ id }} {RATE_LIMITED} }}
}}
"""
SEND_TEST_SMS = f"""
mutation Test($to: String!, $body: String!) {{
  sendTestSms(to: $to, body: $body) {{ __typename ... on TestSmsSent {{ sid }} {RATE_LIMITED} }}
}}
"""
NUMBERS = "{ numbers { totalCount } }"
AVAILABLE = """
query Available($areaCode: String) {
  availableNumbers(country: "US", areaCode: $areaCode, first: 5) { phoneNumber }
}
"""
CALLEE = "+14155550177"  # the sandbox's callee that answers


def limited_environment(settings: Settings, data_dir: Path, **overrides: str) -> dict[str, str]:
    """A gateway process with ``LIMITS``: on the suite's database and Redis (services), or on the
    embedded default in ``data_dir``."""
    assert settings.twilio_api_base
    embedded = {} if BACKEND == "services" else {"TRUNKLINE_AUTO_MIGRATE": "true"}
    return {
        "TRUNKLINE_TWILIO_API_BASE": settings.twilio_api_base,
        "TRUNKLINE_DATA_DIR": str(data_dir),
        **embedded,
        **LIMITS,
        **overrides,
    }


@contextlib.asynccontextmanager
async def limited_gateway(
    settings: Settings, data_dir: Path, **overrides: str
) -> AsyncIterator[GraphQLClient]:
    async with serve_process(
        settings, **limited_environment(settings, data_dir, **overrides)
    ) as served:
        client = GraphQLClient(served.url)
        try:
            yield client
        finally:
            await client.aclose()


@pytest.fixture(scope="module")
async def limited(
    settings: Settings, gateway: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[GraphQLClient]:
    """The limited gateway (``gateway``: the suite's own opened the test database)."""
    async with limited_gateway(settings, tmp_path_factory.mktemp("limited")) as client:
        yield client


def tenant_at(client: GraphQLClient, identity: IdentityProvider, org: str) -> Tenant:
    return Tenant(org=org, graphql=client, identity=identity)


async def connected_with_a_number(tenant: Tenant, carrier: str) -> dict[str, Any]:
    await tenant.connect_twilio(carrier)
    return await tenant.buy_any_number()


async def send_as(tenant: Tenant, user: str, number: dict[str, Any], to: str) -> dict[str, Any]:
    token = tenant.token("admin", sub=user)
    message = {"numberId": number["id"], "to": to, "body": f"from {user}"}
    result = await tenant.graphql.execute(SEND, {"input": message}, token=token)
    assert "errors" not in result, result
    answer: dict[str, Any] = result["data"]["sendMessage"]
    return answer


def typenames(answers: list[dict[str, Any]]) -> list[str]:
    return [answer["__typename"] for answer in answers]


async def test_a_users_third_message_in_a_minute_is_refused_while_a_colleague_still_sends(
    limited: GraphQLClient, identity: IdentityProvider, unique_org: str, carrier: str
) -> None:
    tenant = tenant_at(limited, identity, unique_org)
    number = await connected_with_a_number(tenant, carrier)
    to = contact()

    ana = [await send_as(tenant, "auth0|ana", number, to) for _ in range(3)]
    ben = await send_as(tenant, "auth0|ben", number, to)

    assert typenames(ana) == ["Message", "Message", "RateLimitedError"]
    refused = ana[2]
    assert refused["code"] == "RATE_LIMITED"
    assert 0 < refused["retryAfterSeconds"] <= 60  # when ana's first send leaves the minute
    assert refused["message"] == (
        "Too many messages sent: at most 2 per 1 minute per user. "
        f"Try again in {refused['retryAfterSeconds']} s."
    )
    assert ben["__typename"] == "Message"
    assert len(await sandbox_messages(carrier, tenant, to)) == 3  # the refused one never left


async def test_the_tenant_wide_limit_holds_across_its_users_and_no_further(
    limited: GraphQLClient, identity: IdentityProvider, unique_org: str, carrier: str
) -> None:
    tenant = tenant_at(limited, identity, unique_org)
    other = tenant_at(limited, identity, f"{unique_org}_other")
    number = await connected_with_a_number(tenant, carrier)
    others_number = await connected_with_a_number(other, carrier)
    to = contact()

    answers = [
        await send_as(tenant, user, number, to)
        for user in ("auth0|ana", "auth0|ana", "auth0|ben", "auth0|cy")
    ]
    others = await send_as(other, "auth0|cy", others_number, to)

    assert typenames(answers) == ["Message", "Message", "Message", "RateLimitedError"]
    # The tenant's hour, not cy's minute (cy had sent nothing).
    assert 60 < answers[3]["retryAfterSeconds"] <= 3600
    assert "for the organization" in answers[3]["message"]
    assert others["__typename"] == "Message"
    assert len(await sandbox_messages(carrier, tenant, to)) == 3


async def test_place_call_is_limited_per_user(
    limited: GraphQLClient, identity: IdentityProvider, unique_org: str, carrier: str
) -> None:
    tenant = tenant_at(limited, identity, unique_org)
    number = await connected_with_a_number(tenant, carrier)
    call = {"input": {"numberId": number["id"], "to": CALLEE}}

    answers = [await tenant.execute(PLACE, call, as_="admin") for _ in range(2)]

    placed = [answer["data"]["placeCall"] for answer in answers]
    assert typenames(placed) == ["Call", "RateLimitedError"]
    assert 0 < placed[1]["retryAfterSeconds"] <= 60


async def test_buy_number_is_limited_per_tenant_and_the_refused_purchase_never_happens(
    limited: GraphQLClient, identity: IdentityProvider, unique_org: str, carrier: str
) -> None:
    tenant = tenant_at(limited, identity, unique_org)
    await tenant.connect_twilio(carrier)
    await tenant.buy_any_number()
    await tenant.buy_any_number()
    offered = await tenant.execute(AVAILABLE, {"areaCode": "415"}, as_="admin")
    wanted = offered["data"]["availableNumbers"][0]["phoneNumber"]

    third = await tenant.execute(BUY, {"input": {"phoneNumber": wanted}}, as_="admin")
    held = await tenant.execute(NUMBERS, as_="admin")

    refused = third["data"]["buyNumber"]
    assert refused["__typename"] == "RateLimitedError"
    assert 3600 < refused["retryAfterSeconds"] <= 86400  # the tenant's day
    assert held["data"]["numbers"]["totalCount"] == 2


async def test_send_test_sms_is_limited_per_user(
    limited: GraphQLClient, identity: IdentityProvider, unique_org: str, carrier: str
) -> None:
    tenant = tenant_at(limited, identity, unique_org)
    await tenant.connect_twilio_with_a_number(carrier)
    sms = {"to": contact(), "body": "Trunkline test"}

    answers = [await tenant.execute(SEND_TEST_SMS, sms, as_="support") for _ in range(2)]

    sent = [answer["data"]["sendTestSms"] for answer in answers]
    assert typenames(sent) == ["TestSmsSent", "RateLimitedError"]
    assert 0 < sent[1]["retryAfterSeconds"] <= 60


async def test_a_mutation_refused_by_its_role_spends_nothing(
    limited: GraphQLClient, identity: IdentityProvider, unique_org: str, carrier: str
) -> None:
    tenant = tenant_at(limited, identity, unique_org)
    await tenant.connect_twilio_with_a_number(carrier)
    sms = {"to": contact(), "body": "Trunkline test"}
    # The same person without the support role, then with it.
    as_admin = tenant.token("admin", sub="auth0|dee")
    as_support = tenant.token("support", sub="auth0|dee")

    refused = await limited.execute(SEND_TEST_SMS, sms, token=as_admin)
    sent = await limited.execute(SEND_TEST_SMS, sms, token=as_support)

    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert sent["data"]["sendTestSms"]["__typename"] == "TestSmsSent"


async def test_without_limits_nothing_is_refused(
    settings: Settings,
    gateway: str,
    identity: IdentityProvider,
    unique_org: str,
    carrier: str,
    tmp_path: Path,
) -> None:
    async with limited_gateway(settings, tmp_path, TRUNKLINE_RATE_LIMITS_ENABLED="false") as free:
        tenant = tenant_at(free, identity, unique_org)
        number = await connected_with_a_number(tenant, carrier)
        to = contact()
        answers = [await send_as(tenant, "auth0|ana", number, to) for _ in range(4)]

    assert typenames(answers) == ["Message"] * 4


@SERVICES_ONLY
async def test_two_gateway_processes_on_one_redis_share_the_limit(
    limited: GraphQLClient,
    settings: Settings,
    identity: IdentityProvider,
    unique_org: str,
    carrier: str,
    tmp_path: Path,
) -> None:
    here = tenant_at(limited, identity, unique_org)
    number = await connected_with_a_number(here, carrier)
    to = contact()
    async with limited_gateway(settings, tmp_path) as other_process:
        there = tenant_at(other_process, identity, unique_org)
        answers = [
            await send_as(process, "auth0|ana", number, to)
            for process in (here, there, here, there)
        ]

    assert typenames(answers) == ["Message", "Message", "RateLimitedError", "RateLimitedError"]
    assert len(await sandbox_messages(carrier, here, to)) == 2


@SERVICES_ONLY
async def test_with_redis_down_sends_go_through_and_limits_return_with_it(
    settings: Settings,
    gateway: str,
    identity: IdentityProvider,
    unique_org: str,
    carrier: str,
    tmp_path: Path,
) -> None:
    async with (
        redis_server() as redis,
        limited_gateway(settings, tmp_path, TRUNKLINE_REDIS_URL=redis.url) as client,
    ):
        tenant = tenant_at(client, identity, unique_org)
        number = await connected_with_a_number(tenant, carrier)
        to = contact()
        await redis.stop()
        during = [await send_as(tenant, "auth0|ana", number, to) for _ in range(3)]
        await redis.start()  # empty: counting starts again
        after = [await send_as(tenant, "auth0|ana", number, to) for _ in range(3)]

    assert typenames(during) == ["Message"] * 3  # fail open: not refused, not an error
    assert typenames(after) == ["Message", "Message", "RateLimitedError"]
