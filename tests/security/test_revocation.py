"""Revocation takes effect when the mutation returns, on every gateway process.

Each test first posts a webhook that is accepted, so the gateway's recent look-ups hold the
account and number, then revokes them through GraphQL and posts again at once: refused (403),
nothing stored. The two-process tests revoke on the gateway under test and post to another
``trunkline serve`` on the same PostgreSQL and Redis.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.conftest import BACKEND, Backend
from tests.events.processes import gateway_process, redis_server
from tests.sandbox.conformance import ExchangeRecorder
from tests.support.graphql import GraphQLClient
from tests.support.identity import IdentityProvider
from tests.support.tenancy import SAVE_CREDENTIALS, Tenant, open_sandbox_account
from trunkline.events import Bus, RedisBus, create_bus
from trunkline.models import ActivityEvent, Message
from trunkline.models import Tenant as TenantRow
from trunkline.sandbox import Sandbox
from trunkline.services.lookups import RecentLookups, Revocation
from trunkline.settings import Settings

MESSAGING = "/webhooks/twilio/messaging"
SENDER = "+14155550123"
CHANNEL = "revocation-test:lookups"

RELEASE = """
mutation Release($id: ID!) {
  releaseNumber(id: $id) { __typename ... on PhoneNumber { status } ... on Error { code } }
}
"""
SET_ENABLED = """
mutation Enable($enabled: Boolean!) {
  setTwilioEnabled(enabled: $enabled) { __typename ... on TwilioSettings { enabled } }
}
"""
# The tenant holds its number: deleting releases it at Twilio first (else CONFLICT).
DELETE = """
mutation Delete { deleteTwilioCredentials(releaseNumbers: true) {
  __typename ... on DeleteTwilioCredentialsPayload { deleted } ... on Error { code }
} }
"""

services_only = pytest.mark.skipif(
    BACKEND != "services", reason="two processes share a database only on PostgreSQL"
)
redis_only = pytest.mark.skipif(
    BACKEND != "services", reason="only Redis can go down: the in-process bus cannot"
)


@dataclass
class Webhooks:
    """Posts inbound SMS webhooks to one gateway process, signed as Twilio signs: over its URL."""

    url: str
    http: httpx.AsyncClient

    async def inbound(
        self, *, to: str, token: str, account_sid: str | None
    ) -> tuple[str, httpx.Response]:
        """Post one inbound SMS to ``to``; ``account_sid`` None leaves the number to say whose."""
        sid = "SM" + uuid.uuid4().hex
        params = {"MessageSid": sid, "From": SENDER, "To": to, "Body": "hi", "NumMedia": "0"}
        if account_sid is not None:
            params["AccountSid"] = account_sid
        signature = RequestValidator(token).compute_signature(self.url + MESSAGING, params)
        response = await self.http.post(
            MESSAGING, data=params, headers={"X-Twilio-Signature": signature}
        )
        return sid, response


@dataclass
class Connected:
    """A tenant connected to the sandbox through GraphQL, with one number bought."""

    tenant: Tenant
    tenant_id: int
    account_sid: str
    auth_token: str
    number_id: str
    phone_number: str

    async def stored(self) -> list[str]:
        """The sids of the tenant's stored messages, oldest first (each has its activity row)."""
        sids = await Message.filter(tenant_id=self.tenant_id).order_by("id").values_list("sid")
        assert await ActivityEvent.filter(tenant_id=self.tenant_id).count() == len(sids)
        return [sid for (sid,) in sids]


@pytest.fixture
def tenant(graphql: GraphQLClient, identity: IdentityProvider, unique_org: str) -> Tenant:
    return Tenant(org=unique_org, graphql=graphql, identity=identity)


@pytest.fixture
async def connected(tenant: Tenant, carrier: str) -> Connected:
    bought = await tenant.connect_twilio_with_a_number(carrier)
    assert tenant.account is not None
    row = await TenantRow.get(org_id=tenant.org)
    return Connected(
        tenant=tenant,
        tenant_id=row.id,
        account_sid=tenant.account.account_sid,
        auth_token=tenant.account.auth_token,
        number_id=bought["id"],
        phone_number=bought["phoneNumber"],
    )


@pytest.fixture
async def webhooks(gateway: str) -> AsyncIterator[Webhooks]:
    async with httpx.AsyncClient(base_url=gateway, timeout=10.0) as http:
        yield Webhooks(gateway, http)


@pytest.fixture
async def other_process(gateway: str, settings: Settings, carrier: str) -> AsyncIterator[Webhooks]:
    """Another gateway process on the same database and bus (its Twilio is the sandbox too)."""
    async with (
        gateway_process(settings, TRUNKLINE_TWILIO_API_BASE=f"{carrier}/twilio") as url,
        httpx.AsyncClient(base_url=url, timeout=10.0) as http,
    ):
        yield Webhooks(url, http)


async def warm(webhooks: Webhooks, connected: Connected, *, by_account_sid: bool = True) -> str:
    """Post one accepted webhook, so the process holds the account and number: its sid."""
    account_sid = connected.account_sid if by_account_sid else None
    sid, response = await webhooks.inbound(
        to=connected.phone_number, token=connected.auth_token, account_sid=account_sid
    )
    assert response.status_code == 200, response.text
    return sid


async def release(connected: Connected) -> None:
    result = await connected.tenant.execute(RELEASE, {"id": connected.number_id}, as_="admin")
    assert result["data"]["releaseNumber"] == {"__typename": "PhoneNumber", "status": "RELEASED"}


async def replace_account(connected: Connected, carrier: str) -> None:
    """Connect the tenant to another Twilio account (a new Account SID and token)."""
    other = await open_sandbox_account(carrier)
    result = await connected.tenant.execute(
        SAVE_CREDENTIALS,
        {"input": {"accountSid": other.account_sid, "authToken": other.auth_token}},
        as_="support",
    )
    assert result["data"]["saveTwilioCredentials"]["__typename"] == "TwilioSettings", result


async def delete_credentials(connected: Connected) -> None:
    result = await connected.tenant.execute(DELETE, as_="support")
    assert result["data"]["deleteTwilioCredentials"] == {
        "__typename": "DeleteTwilioCredentialsPayload",
        "deleted": True,
    }


def rotate_token_at_twilio(carrier_exchanges: ExchangeRecorder, account_sid: str) -> str:
    """What the tenant does in Twilio's console (the sandbox has no API for it): a new token."""
    sandbox: Sandbox = carrier_exchanges.state.sandbox
    token = uuid.uuid4().hex
    sandbox.store.accounts[account_sid].auth_token = token
    return token


async def revoke(revocation: str, connected: Connected, carrier: str) -> None:
    """Do what ``revocation`` names, through the API, as the tenant would."""
    if revocation == "release number":
        await release(connected)
    elif revocation == "replace account":
        await replace_account(connected, carrier)
    else:
        await delete_credentials(connected)


@pytest.mark.parametrize("revocation", ["release number", "delete credentials"])
@pytest.mark.parametrize("by_account_sid", [True, False], ids=["by account sid", "by number"])
async def test_a_webhook_is_refused_as_soon_as_the_revocation_returns(
    connected: Connected, webhooks: Webhooks, carrier: str, revocation: str, by_account_sid: bool
) -> None:
    first = await warm(webhooks, connected, by_account_sid=by_account_sid)

    await revoke(revocation, connected, carrier)
    _, response = await webhooks.inbound(
        to=connected.phone_number,
        token=connected.auth_token,
        account_sid=connected.account_sid if by_account_sid else None,
    )

    assert response.status_code == 403
    assert await connected.stored() == [first]


async def test_a_webhook_signed_with_a_replaced_auth_token_is_refused_once_it_is_saved(
    connected: Connected, webhooks: Webhooks, carrier_exchanges: ExchangeRecorder
) -> None:
    first = await warm(webhooks, connected)
    new_token = rotate_token_at_twilio(carrier_exchanges, connected.account_sid)

    result = await connected.tenant.execute(
        SAVE_CREDENTIALS,
        {"input": {"accountSid": connected.account_sid, "authToken": new_token}},
        as_="support",
    )
    assert result["data"]["saveTwilioCredentials"]["__typename"] == "TwilioSettings", result
    _, old = await webhooks.inbound(
        to=connected.phone_number, token=connected.auth_token, account_sid=connected.account_sid
    )
    second, new = await webhooks.inbound(
        to=connected.phone_number, token=new_token, account_sid=connected.account_sid
    )

    assert (old.status_code, new.status_code) == (403, 200)
    assert await connected.stored() == [first, second]


async def test_a_webhook_of_a_replaced_account_sid_is_refused_once_the_new_one_is_saved(
    connected: Connected, webhooks: Webhooks, carrier: str
) -> None:
    first = await warm(webhooks, connected)

    await replace_account(connected, carrier)
    _, response = await webhooks.inbound(
        to=connected.phone_number, token=connected.auth_token, account_sid=connected.account_sid
    )

    assert response.status_code == 403
    assert await connected.stored() == [first]


async def test_a_disabled_accounts_webhooks_are_still_accepted_and_stored(
    connected: Connected, webhooks: Webhooks
) -> None:
    # Disabling pauses what Trunkline sends; Twilio does not retry a refused webhook, so the
    # traffic of numbers the tenant still holds is kept (README: Webhooks and subscriptions).
    first = await warm(webhooks, connected)

    result = await connected.tenant.execute(SET_ENABLED, {"enabled": False}, as_="support")
    assert result["data"]["setTwilioEnabled"] == {"__typename": "TwilioSettings", "enabled": False}
    second, response = await webhooks.inbound(
        to=connected.phone_number, token=connected.auth_token, account_sid=connected.account_sid
    )

    assert response.status_code == 200
    assert await connected.stored() == [first, second]


@services_only
@pytest.mark.parametrize("revocation", ["release number", "replace account", "delete credentials"])
async def test_a_revocation_on_one_process_refuses_the_webhook_on_another_at_once(
    connected: Connected, other_process: Webhooks, carrier: str, revocation: str
) -> None:
    first = await warm(other_process, connected)

    await revoke(revocation, connected, carrier)
    _, response = await other_process.inbound(
        to=connected.phone_number, token=connected.auth_token, account_sid=connected.account_sid
    )

    assert response.status_code == 403
    assert await connected.stored() == [first]


class CountingLoad:
    """A look-up that counts how often it ran and may be held mid-flight."""

    def __init__(self) -> None:
        self.calls = 0
        self.entered = asyncio.Event()
        self.proceed = asyncio.Event()
        self.proceed.set()

    async def __call__(self) -> str:
        self.calls += 1
        self.entered.set()
        await self.proceed.wait()
        return "account of tenant 7"


async def lookup(recent: RecentLookups, load: CountingLoad) -> str | None:
    return await recent.get(("sid", "AC1"), load, tenant_of=lambda _: 7)


@pytest.fixture
async def bus(backend: Backend) -> AsyncIterator[Bus]:
    bus = create_bus(backend.redis_url, prefix=f"revocation-{uuid.uuid4().hex[:8]}")
    yield bus
    await bus.close()


async def started(bus: Bus) -> RecentLookups:
    recent = RecentLookups(bus, channel=CHANNEL)
    await recent.start()
    await bus.start()
    await asyncio.wait_for(bus.listening(CHANNEL), 5)
    return recent


async def test_a_look_up_in_flight_during_a_revocation_keeps_nothing(bus: Bus) -> None:
    recent = await started(bus)
    load = CountingLoad()
    load.proceed.clear()
    in_flight = asyncio.create_task(lookup(recent, load))
    await load.entered.wait()

    await recent.revoke(Revocation(tenant_id=7))
    load.proceed.set()
    await in_flight
    await lookup(recent, load)

    assert load.calls == 2
    await recent.stop()


async def test_a_revocation_heard_on_the_bus_drops_only_that_tenants_look_ups(bus: Bus) -> None:
    recent = await started(bus)
    other = RecentLookups(bus, channel=CHANNEL)  # another instance's, sharing the bus here
    load = CountingLoad()
    await lookup(recent, load)
    await recent.get(("sid", "AC2"), load, tenant_of=lambda _: 8)

    await other.revoke(Revocation(tenant_id=7))
    await _until(lambda: len(recent) == 1)
    await lookup(recent, load)
    await recent.get(("sid", "AC2"), load, tenant_of=lambda _: 8)

    assert load.calls == 3  # tenant 7's twice, tenant 8's once
    await recent.stop()


@redis_only
async def test_a_process_trusts_no_look_up_while_its_bus_is_down_nor_any_kept_before() -> None:
    async with redis_server() as server:
        bus = RedisBus(server.url, prefix="revocation")
        recent = await started(bus)
        load = CountingLoad()
        await lookup(recent, load)
        await lookup(recent, load)
        kept = load.calls

        await server.stop()
        await _until(lambda: not bus.connected.is_set())
        await lookup(recent, load)
        await lookup(recent, load)
        while_down = load.calls - kept
        await server.start()
        await asyncio.wait_for(bus.listening(CHANNEL), 5)
        await lookup(recent, load)
        await lookup(recent, load)

        await recent.stop()
        await bus.close()

    assert (kept, while_down, load.calls) == (1, 2, 4)


async def _until(condition: Callable[[], bool]) -> None:
    """Wait for ``condition()``: another task's step makes it true, and offers nothing to await."""
    async with asyncio.timeout(5):
        # The listener's state and the cache's entries change with no event to await.
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


REGISTER = """
mutation Register($input: RegisterNumberInput!) {
  registerNumber(input: $input) { __typename ... on PhoneNumber { id } ... on Error { code } }
}
"""
SHARED_SENDER = "+14155238886"


@services_only
async def test_releasing_a_shared_sender_on_one_process_refuses_it_on_another_at_once(
    connected: Connected, other_process: Webhooks
) -> None:
    # The shared sender's look-ups are keyed by tenant and number (it is never looked up by
    # number alone): the release must reach those on every process.
    registered = await connected.tenant.execute(
        REGISTER, {"input": {"phoneNumber": SHARED_SENDER}}, as_="admin"
    )
    shared = registered["data"]["registerNumber"]
    assert shared["__typename"] == "PhoneNumber", registered
    first, warmed = await other_process.inbound(
        to=SHARED_SENDER, token=connected.auth_token, account_sid=connected.account_sid
    )
    assert warmed.status_code == 200, warmed.text

    released = await connected.tenant.execute(RELEASE, {"id": shared["id"]}, as_="admin")
    assert released["data"]["releaseNumber"] == {"__typename": "PhoneNumber", "status": "RELEASED"}
    _, response = await other_process.inbound(
        to=SHARED_SENDER, token=connected.auth_token, account_sid=connected.account_sid
    )

    assert response.status_code == 403
    assert await connected.stored() == [first]
