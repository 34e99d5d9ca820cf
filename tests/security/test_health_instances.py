"""Credentials lifecycle and tenant health across gateway processes (PostgreSQL and Redis).

Another ``trunkline serve`` shares the database, the bus and the health records: deleting the
credentials on the gateway under test refuses the other's next webhook, disabling them stops
the other's next send, and what the other saw (a refusal, a webhook) is in the health read here.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import BACKEND
from tests.events.processes import gateway_process
from tests.support.graphql import GraphQLClient, error_codes
from tests.support.identity import IdentityProvider
from tests.support.tenancy import Tenant
from trunkline.settings import Settings

pytestmark = pytest.mark.skipif(
    BACKEND != "services", reason="two processes share a database only on PostgreSQL"
)

MESSAGE_STATUS = "/webhooks/twilio/message-status"
MESSAGING = "/webhooks/twilio/messaging"
DELETE = """
mutation { deleteTwilioCredentials {
  __typename ... on DeleteTwilioCredentialsPayload { deleted } ... on Error { code }
} }
"""
RELEASE = """
mutation Release($id: ID!) { releaseNumber(id: $id) { __typename } }
"""
SET_ENABLED = """
mutation Enable($enabled: Boolean!) { setTwilioEnabled(enabled: $enabled) { __typename } }
"""
SEND_TEST_SMS = """
mutation { sendTestSms(to: "+14155550123", body: "hi") { __typename ... on Error { code } } }
"""
HEALTH = "{ twilioHealth { lastWebhookAt refusals { reason route phoneNumber } } }"


@pytest.fixture
def tenant(graphql: GraphQLClient, identity: IdentityProvider, unique_org: str) -> Tenant:
    return Tenant(org=unique_org, graphql=graphql, identity=identity)


@pytest.fixture
async def other(settings: Settings, carrier: str) -> AsyncIterator[str]:
    """Another gateway process on the same database and Redis; its base URL."""
    async with gateway_process(settings, TRUNKLINE_TWILIO_API_BASE=f"{carrier}/twilio") as url:
        yield url


async def post_signed(
    url: str, route: str, params: dict[str, str], *, token: str
) -> httpx.Response:
    signature = RequestValidator(token).compute_signature(url + route, params)
    async with httpx.AsyncClient(base_url=url, timeout=10.0) as http:
        return await http.post(route, data=params, headers={"X-Twilio-Signature": signature})


def status_callback(account_sid: str) -> dict[str, str]:
    """A message status callback naming the account only (no number of the tenant's)."""
    return {
        "AccountSid": account_sid,
        "MessageSid": "SM" + uuid.uuid4().hex,
        "MessageStatus": "delivered",
        "From": "+14155550100",
        "To": "+14155550123",
    }


async def test_deleting_credentials_refuses_the_next_webhook_on_another_process(
    tenant: Tenant, carrier: str, other: str
) -> None:
    # Only the deletion can refuse it: the tenant holds no number, and the callback names the
    # account alone. The other process remembers the account from the accepted first callback.
    bought = await tenant.connect_twilio_with_a_number(carrier)
    assert tenant.account is not None
    account = tenant.account
    released = await tenant.execute(RELEASE, {"id": bought["id"]}, as_="admin")
    assert released["data"]["releaseNumber"]["__typename"] == "PhoneNumber"
    warmed = await post_signed(
        other, MESSAGE_STATUS, status_callback(account.account_sid), token=account.auth_token
    )
    assert warmed.status_code == 200, warmed.text

    deleted = await tenant.execute(DELETE, as_="support")
    refused = await post_signed(
        other, MESSAGE_STATUS, status_callback(account.account_sid), token=account.auth_token
    )

    assert deleted["data"]["deleteTwilioCredentials"]["__typename"] == (
        "DeleteTwilioCredentialsPayload"
    )
    assert refused.status_code == 403


async def test_disabling_credentials_stops_sending_on_another_process_at_once(
    tenant: Tenant, carrier: str, other: str
) -> None:
    await tenant.connect_twilio_with_a_number(carrier)
    other_graphql = GraphQLClient(other)
    try:
        sent = await other_graphql.execute(SEND_TEST_SMS, token=tenant.token("support"))
        disabled = await tenant.execute(SET_ENABLED, {"enabled": False}, as_="support")
        refused = await other_graphql.execute(SEND_TEST_SMS, token=tenant.token("support"))
    finally:
        await other_graphql.aclose()

    assert sent["data"]["sendTestSms"]["__typename"] == "TestSmsSent", sent
    assert disabled["data"]["setTwilioEnabled"]["__typename"] == "TwilioSettings"
    assert refused["data"]["sendTestSms"] == {
        "__typename": "TwilioNotConfiguredError",
        "code": "TWILIO_NOT_CONFIGURED",
    }
    assert error_codes(refused) == []


async def test_what_another_process_saw_is_in_the_health_read_here(
    tenant: Tenant, carrier: str, other: str
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)
    assert tenant.account is not None
    inbound = {
        "AccountSid": tenant.account.account_sid,
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": "+14155550123",
        "To": bought["phoneNumber"],
        "Body": "hi",
        "NumMedia": "0",
    }

    accepted = await post_signed(other, MESSAGING, inbound, token=tenant.account.auth_token)
    refused = await post_signed(other, MESSAGING, inbound, token="0" * 32)
    view = await tenant.execute(HEALTH, as_="admin")

    assert (accepted.status_code, refused.status_code) == (200, 403)
    health = view["data"]["twilioHealth"]
    assert health["lastWebhookAt"] is not None
    assert health["refusals"] == [
        {"reason": "BAD_SIGNATURE", "route": MESSAGING, "phoneNumber": bought["phoneNumber"]}
    ]
