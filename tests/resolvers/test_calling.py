"""placeCall and hangupCall through GraphQL against the sandbox carrier: who may call from which
number, Twilio's refusals, idempotency under concurrency, statuses and recordings arriving live,
hanging up a ringing call, who may end which call, bad input."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, quote

import httpx
import pytest

from tests.conftest import BACKEND
from tests.events.processes import gateway_process
from tests.sandbox.conformance import ExchangeRecorder
from tests.subscriptions.client import subscribe
from tests.support.graphql import GraphQLClient, error_codes, ws_connect, ws_execute, ws_init
from tests.support.tenancy import Tenant
from trunkline.models import Call, NumberStatus, PhoneNumber, Recording
from trunkline.services.calls import CALL_STATUS_RANK
from trunkline.services.voice_identity import client_address, identity_of
from trunkline.settings import Settings

PLACE = """
mutation Place($input: PlaceCallInput!) {
  placeCall(input: $input) {
    __typename
    ... on Call { id sid direction from to status numberId }
    ... on Error { code message }
    ... on UserInputError { field }
    ... on ProviderError { provider providerCode }
  }
}
"""
HANG_UP = """
mutation HangUp($id: ID!) {
  hangupCall(id: $id) {
    __typename
    ... on Call { id sid status }
    ... on Error { code message }
    ... on UserInputError { field }
    ... on ProviderError { provider providerCode }
  }
}
"""
CALL_UPDATED = "subscription Watch($id: ID!) { callUpdated(id: $id) { id status } }"
FEED = """
subscription {
  activity(channels: [VOICE]) {
    kind call { id sid status direction } recording { id sid callId status }
  }
}
"""
UPDATE = """
mutation Update($id: ID!, $input: UpdateNumberInput!) {
  updateNumber(id: $id, input: $input) { __typename }
}
"""
RELEASE = "mutation Release($id: ID!) { releaseNumber(id: $id) { __typename } }"
SET_ENABLED = "mutation { setTwilioEnabled(enabled: false) { __typename } }"
ENABLE = "mutation { setTwilioEnabled(enabled: true) { __typename } }"
AGENT = "auth0|agent"  # the subject of Tenant.token() with no roles
SOMEONE_ELSE = "auth0|someone-else"
RINGS = "+15005550014"  # the sandbox's callee that rings (a minute) until hung up
FINAL = {"completed", "busy", "failed", "no-answer", "canceled"}
Buy = Callable[[str], Awaitable[dict[str, Any]]]


def callee() -> str:
    """A callee no other test calls (the carrier's calls are listed by To)."""
    return f"+1415555{uuid.uuid4().int % 10_000:04d}"


async def place(tenant: Tenant, as_: str | tuple[str, ...], **input_: Any) -> dict[str, Any]:
    result = await tenant.execute(PLACE, {"input": input_}, as_=as_)
    assert "errors" not in result, result
    payload: dict[str, Any] = result["data"]["placeCall"]
    return payload


async def hang_up(tenant: Tenant, as_: str | tuple[str, ...], call_id: str) -> dict[str, Any]:
    result = await tenant.execute(HANG_UP, {"id": call_id}, as_=as_)
    assert "errors" not in result, result
    payload: dict[str, Any] = result["data"]["hangupCall"]
    return payload


async def sandbox_calls(carrier: str, tenant: Tenant, to: str) -> list[dict[str, Any]]:
    """The calls the tenant's sandbox account placed to ``to``: what really left."""
    assert tenant.account is not None
    sid, token = tenant.account.account_sid, tenant.account.auth_token
    async with httpx.AsyncClient(base_url=f"{carrier}/twilio", auth=(sid, token)) as client:
        response = await client.get(
            f"/api/2010-04-01/Accounts/{sid}/Calls.json", params={"To": to, "PageSize": 100}
        )
    response.raise_for_status()
    calls: list[dict[str, Any]] = response.json()["calls"]
    return calls


async def sandbox_call(carrier: str, tenant: Tenant, call_sid: str) -> dict[str, Any]:
    assert tenant.account is not None
    sid, token = tenant.account.account_sid, tenant.account.auth_token
    async with httpx.AsyncClient(base_url=f"{carrier}/twilio", auth=(sid, token)) as client:
        response = await client.get(f"/api/2010-04-01/Accounts/{sid}/Calls/{call_sid}.json")
    response.raise_for_status()
    call: dict[str, Any] = response.json()
    return call


async def stored_status(call_id: str, wanted: set[str]) -> str:
    """Wait until the gateway has stored one of ``wanted`` as the call's status; that status."""
    async with asyncio.timeout(10):
        while (status := (await Call.get(id=int(call_id))).status) not in wanted:  # noqa: ASYNC110 - polled only to settle a call another assertion is not about
            await asyncio.sleep(0.02)
    return status


async def ringing(gateway: str, tenant: Tenant, call_id: str) -> None:
    """Until the call is ringing (as the gateway was told, live)."""
    async with subscribe(gateway, tenant.token("admin"), CALL_UPDATED, {"id": call_id}) as watch:
        while (await watch.next())["callUpdated"]["status"] != "ringing":
            pass


async def a_ringing_call(gateway: str, tenant: Tenant, number: dict[str, Any]) -> dict[str, Any]:
    """A call the agent placed from their number that rings until hung up."""
    placed = await place(tenant, (), numberId=number["id"], to=RINGS)
    assert placed["__typename"] == "Call", placed
    await ringing(gateway, tenant, placed["id"])
    return placed


def call_created(exchanges: ExchangeRecorder, first: int, to: str) -> dict[str, list[str]]:
    """The form of the one ``POST Calls.json`` to ``to`` the gateway sent since ``first``."""
    [form] = [
        form
        for exchange in exchanges.exchanges[first:]
        if exchange.method == "POST" and exchange.path.endswith("/Calls.json")
        for form in [parse_qs(exchange.request_body.decode(), keep_blank_values=True)]
        if form.get("To") == [to]
    ]
    return form


@pytest.fixture
async def buy(tenant: Tenant) -> AsyncIterator[Buy]:
    """Buys a number of the (connected) tenant's for an owner; released again after the test.

    The suite's tenants share one carrier's catalogue (hundreds of numbers): a test that gives
    its numbers back leaves them to the tests after it.
    """
    bought: list[str] = []

    async def buy_number(owner: str) -> dict[str, Any]:
        number = await tenant.buy_any_number(ownerId=owner)
        bought.append(number["id"])
        return number

    yield buy_number
    for number_id in bought:
        released = await tenant.execute(RELEASE, {"id": number_id}, as_="admin")
        # (A test may have released it already.)
        answer = released["data"]["releaseNumber"]["__typename"]
        assert answer in {"PhoneNumber", "InactiveNumberError"}, released


@pytest.fixture
async def number(tenant: Tenant, carrier: str, buy: Buy) -> dict[str, Any]:
    """A connected tenant's number (voice capable), assigned to the agent."""
    await tenant.connect_twilio(carrier)
    bought = await buy(AGENT)
    assert bought["capabilities"]["voice"] is True
    return bought


async def test_an_agent_places_a_call_and_its_statuses_arrive_live_up_to_completed(
    tenant: Tenant, number: dict[str, Any], gateway: str, carrier: str
) -> None:
    to = callee()
    async with ws_connect(gateway) as socket:
        await ws_init(socket, {"Authorization": f"Bearer {tenant.token()}"})
        await socket.send(
            json.dumps({"id": "feed", "type": "subscribe", "payload": {"query": FEED}})
        )
        await ws_execute(socket, "ready", "{ me { orgId } }")  # answered: the feed listens

        placed = await place(tenant, (), numberId=number["id"], to=to)
        events: list[dict[str, Any]] = []
        while not any(e["call"]["status"] == "completed" for e in events):
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
            if message.get("id") == "feed":
                events.append(message["payload"]["data"]["activity"])

    assert placed["__typename"] == "Call", placed
    assert (placed["direction"], placed["status"]) == ("OUTBOUND", "queued")
    assert (placed["from"], placed["to"], placed["numberId"]) == (
        number["phoneNumber"],
        to,
        number["id"],
    )
    assert {e["kind"] for e in events} == {"CALL_STATUS"}
    assert all(e["call"]["sid"] == placed["sid"] for e in events)
    statuses = [e["call"]["status"] for e in events]
    assert {"initiated", "ringing", "in-progress", "completed"} <= set(statuses)
    # Whichever came first (Twilio's answer or its first callback), no status goes back.
    ranks = [CALL_STATUS_RANK[status] for status in statuses]
    assert ranks == sorted(ranks)
    row = await Call.get(id=int(placed["id"]))
    assert (row.user_id, row.bridge_to, row.number_id, row.status) == (  # type: ignore[attr-defined]
        AGENT,
        client_address(identity_of(AGENT)),
        int(number["id"]),
        "completed",
    )
    [at_carrier] = await sandbox_calls(carrier, tenant, to)
    assert (at_carrier["sid"], at_carrier["from"], at_carrier["status"]) == (
        placed["sid"],
        number["phoneNumber"],
        "completed",
    )


async def test_the_call_is_asked_of_twilio_with_the_gateways_webhooks_and_every_progress_event(
    tenant: Tenant, number: dict[str, Any], carrier_exchanges: ExchangeRecorder, gateway: str
) -> None:
    first = len(carrier_exchanges.exchanges)
    to = callee()

    placed = await place(tenant, "admin", numberId=number["id"], to=to, record=True)

    sent = call_created(carrier_exchanges, first, to)
    assert placed["__typename"] == "Call"
    assert (sent["To"], sent["From"], sent["Method"]) == (
        [placed["to"]],
        [number["phoneNumber"]],
        ["POST"],
    )
    # Where to bridge travels in the (signed) URL too, for a webhook ahead of the call's row.
    bridge = quote(client_address(identity_of("auth0|admin")), safe="")
    assert sent["Url"] == [f"{gateway}/webhooks/twilio/voice?bridge={bridge}#rc=3&rp=ct,rt,5xx"]
    assert sent["StatusCallback"] == [f"{gateway}/webhooks/twilio/call-status#rc=3&rp=ct,rt,5xx"]
    assert sent["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert sent["Record"] == ["true"]
    assert sent["RecordingStatusCallback"] == [
        f"{gateway}/webhooks/twilio/recording-status#rc=3&rp=ct,rt,5xx"
    ]
    assert sent["FallbackUrl"] == [f"{gateway}/webhooks/twilio/voice-fallback#rc=3&rp=ct,rt,5xx"]


async def test_a_recorded_call_brings_its_recording_and_the_row_exists(
    tenant: Tenant, number: dict[str, Any], gateway: str
) -> None:
    async with subscribe(gateway, tenant.token(), FEED) as feed:
        placed = await place(tenant, (), numberId=number["id"], to=callee(), record=True)
        while (event := (await feed.next())["activity"])["kind"] != "RECORDING_READY":
            pass

    recording = event["recording"]
    assert recording["callId"] == placed["id"]
    assert recording["status"] == "completed"
    row = await Recording.get(id=int(recording["id"]))
    assert (row.sid, row.call_id, row.status) == (recording["sid"], int(placed["id"]), "completed")  # type: ignore[attr-defined]


async def test_an_unrecorded_call_asks_for_no_recording(
    tenant: Tenant, number: dict[str, Any], carrier_exchanges: ExchangeRecorder
) -> None:
    first = len(carrier_exchanges.exchanges)
    to = callee()

    placed = await place(tenant, "admin", numberId=number["id"], to=to)
    await stored_status(placed["id"], FINAL)

    sent = call_created(carrier_exchanges, first, to)
    assert sent["Record"] == ["false"]
    assert "RecordingStatusCallback" not in sent
    assert not await Recording.filter(call_id=int(placed["id"])).exists()


async def test_connecting_to_a_phone_bridges_to_the_agents_phone(
    tenant: Tenant, number: dict[str, Any]
) -> None:
    placed = await place(
        tenant,
        (),
        numberId=number["id"],
        to=callee(),
        connectTo="PHONE",
        agentPhone="+14155550999",
    )

    assert placed["__typename"] == "Call", placed
    assert (await Call.get(id=int(placed["id"]))).bridge_to == "+14155550999"


@pytest.mark.parametrize(
    ("as_", "owner", "expected"),
    [
        ((), AGENT, "Call"),  # an agent, from their number
        ((), SOMEONE_ELSE, "PHONE_NUMBER_NOT_FOUND"),  # an agent, another's number
        (("admin",), SOMEONE_ELSE, "Call"),  # admins: any of the tenant's numbers
        (("support", "agent"), "auth0|support-agent", "Call"),  # support who also calls
        (("support",), "auth0|support", "FORBIDDEN"),  # support only, even from "their" number
    ],
)
async def test_who_may_call_from_which_number(
    tenant: Tenant, carrier: str, buy: Buy, as_: tuple[str, ...], owner: str, expected: str
) -> None:
    await tenant.connect_twilio(carrier)
    bought = await buy(owner)
    to = callee()

    result = await tenant.execute(PLACE, {"input": {"numberId": bought["id"], "to": to}}, as_=as_)

    if expected == "FORBIDDEN":
        assert error_codes(result) == ["FORBIDDEN"], result
    else:
        placed = result["data"]["placeCall"]
        assert placed.get("code", placed["__typename"]) == expected
    assert len(await sandbox_calls(carrier, tenant, to)) == (1 if expected == "Call" else 0)
    assert await Call.filter(to_address=to).count() == (1 if expected == "Call" else 0)


@pytest.mark.parametrize(
    # (Only a platform admin's token may carry no organization.)
    ("token", "code"),
    [("no organization", "FORBIDDEN"), (None, "UNAUTHENTICATED")],
)
async def test_callers_without_a_tenant_are_refused_and_nothing_is_called(
    tenant: Tenant, number: dict[str, Any], carrier: str, token: str | None, code: str
) -> None:
    to = callee()
    bearer = (
        tenant.identity.token(org=None, sub="auth0|ops", roles=["platform-admin"])
        if token
        else None
    )

    result = await tenant.graphql.execute(
        PLACE, {"input": {"numberId": number["id"], "to": to}}, token=bearer
    )

    assert error_codes(result) == [code], result
    assert await sandbox_calls(carrier, tenant, to) == []


async def test_another_tenants_number_is_not_found_and_nothing_is_called(
    tenant: Tenant, other_tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    await other_tenant.connect_twilio(carrier)
    to = callee()

    placed = await place(other_tenant, "admin", numberId=number["id"], to=to)

    assert (placed["__typename"], placed["code"]) == (
        "PhoneNumberNotFoundError",
        "PHONE_NUMBER_NOT_FOUND",
    )
    assert await sandbox_calls(carrier, tenant, to) == []
    assert not await Call.filter(to_address=to).exists()


async def test_an_inactive_number_does_not_call(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    await tenant.execute(UPDATE, {"id": number["id"], "input": {"status": "INACTIVE"}}, as_="admin")
    to = callee()

    placed = await place(tenant, "admin", numberId=number["id"], to=to)

    assert (placed["__typename"], placed["code"]) == ("InactiveNumberError", "INACTIVE_NUMBER")
    assert await sandbox_calls(carrier, tenant, to) == []


async def test_a_released_number_does_not_call(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    released = await tenant.execute(RELEASE, {"id": number["id"]}, as_="admin")
    assert released["data"]["releaseNumber"]["__typename"] == "PhoneNumber", released
    to = callee()

    placed = await place(tenant, "admin", numberId=number["id"], to=to)

    assert (placed["__typename"], placed["code"]) == ("InactiveNumberError", "INACTIVE_NUMBER")
    assert await sandbox_calls(carrier, tenant, to) == []


async def test_an_inactive_number_of_someone_else_is_not_found_rather_than_inactive(
    tenant: Tenant, carrier: str, buy: Buy
) -> None:
    await tenant.connect_twilio(carrier)
    theirs = await buy(SOMEONE_ELSE)
    await tenant.execute(UPDATE, {"id": theirs["id"], "input": {"status": "INACTIVE"}}, as_="admin")

    placed = await place(tenant, (), numberId=theirs["id"], to=callee())

    assert placed["code"] == "PHONE_NUMBER_NOT_FOUND"


async def test_a_number_without_voice_is_a_user_input_error_on_the_number(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    await PhoneNumber.filter(id=int(number["id"])).update(voice_enabled=False)
    to = callee()

    placed = await place(tenant, "admin", numberId=number["id"], to=to)

    assert (placed["__typename"], placed["field"]) == ("UserInputError", "input.numberId")
    assert await sandbox_calls(carrier, tenant, to) == []


async def test_a_tenant_with_twilio_disabled_is_told_so(
    tenant: Tenant, number: dict[str, Any]
) -> None:
    await tenant.execute(SET_ENABLED, as_="support")

    placed = await place(tenant, "admin", numberId=number["id"], to=callee())
    await tenant.execute(ENABLE, as_="support")  # (so that its number can be given back)

    assert (placed["__typename"], placed["code"]) == (
        "TwilioNotConfiguredError",
        "TWILIO_NOT_CONFIGURED",
    )


GOOD = {"to": "+14155550100"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to": "0412345678"}, "input.to"),
        ({"to": "+1 415 555 0100"}, "input.to"),
        ({"to": "client:alice"}, "input.to"),
        ({"to": ""}, "input.to"),
        ({"connectTo": "PHONE"}, "input.agentPhone"),
        ({"connectTo": "PHONE", "agentPhone": "4155550100"}, "input.agentPhone"),
        ({"agentPhone": "+14155550100"}, "input.agentPhone"),  # only for PHONE
        ({"idempotencyKey": ""}, "input.idempotencyKey"),
        ({"idempotencyKey": "k" * 256}, "input.idempotencyKey"),
        ({"idempotencyKey": "bell \a"}, "input.idempotencyKey"),
        ({"numberId": "007"}, "input.numberId"),
        ({"numberId": "x"}, "input.numberId"),
    ],
)
async def test_bad_input_is_a_user_input_error_naming_the_field_and_nothing_is_called(
    tenant: Tenant, number: dict[str, Any], carrier: str, change: dict[str, Any], field: str
) -> None:
    call = {"numberId": number["id"], **GOOD, **change}

    placed = await place(tenant, "admin", **call)

    assert (placed["__typename"], placed["code"], placed["field"]) == (
        "UserInputError",
        "BAD_USER_INPUT",
        field,
    )
    assert await sandbox_calls(carrier, tenant, GOOD["to"]) == []


async def test_an_unknown_connect_to_is_refused_as_bad_input(
    tenant: Tenant, number: dict[str, Any]
) -> None:
    result = await tenant.execute(
        PLACE,
        {"input": {"numberId": number["id"], "to": callee(), "connectTo": "CAR"}},
        as_="admin",
    )

    assert error_codes(result) == ["BAD_USER_INPUT"], result


@pytest.mark.parametrize(
    ("to", "provider_code"),
    [
        ("+15005550001", 21217),  # not a valid phone number
        ("+15005550002", 21214),  # cannot be reached
        ("+15005550003", 21215),  # international permissions
        ("+15005550004", 21216),  # not allowed to call
    ],
)
async def test_twilios_magic_numbers_are_provider_errors_with_twilios_code(
    tenant: Tenant, number: dict[str, Any], to: str, provider_code: int
) -> None:
    placed = await place(tenant, "admin", numberId=number["id"], to=to)

    assert placed["__typename"] == "ProviderError"
    assert (placed["code"], placed["provider"], placed["providerCode"]) == (
        "PROVIDER_ERROR",
        "twilio",
        provider_code,
    )
    assert not await Call.filter(number_id=int(number["id"]), to_address=to).exists()


async def test_twenty_concurrent_requests_with_one_key_place_one_call_and_answer_alike(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    to = callee()
    call = {"numberId": number["id"], "to": to, "idempotencyKey": "k-1"}

    answers = await asyncio.gather(*(place(tenant, "admin", **call) for _ in range(20)))

    # One call: each answer shows it as it is when answered (its status moves on meanwhile).
    assert answers[0]["__typename"] == "Call"
    same = [{k: v for k, v in answer.items() if k != "status"} for answer in answers]
    assert all(answer == same[0] for answer in same)
    assert {answer["status"] for answer in answers} <= set(CALL_STATUS_RANK)
    assert len(await sandbox_calls(carrier, tenant, to)) == 1
    assert await Call.filter(to_address=to).count() == 1


async def test_a_key_reused_for_another_request_is_refused(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    to = callee()
    first = await place(tenant, "admin", numberId=number["id"], to=to, idempotencyKey="dup")

    other = await place(
        tenant, "admin", numberId=number["id"], to=to, record=True, idempotencyKey="dup"
    )

    assert first["__typename"] == "Call"
    assert (other["__typename"], other["field"]) == ("UserInputError", "input.idempotencyKey")
    assert len(await sandbox_calls(carrier, tenant, to)) == 1


async def test_a_key_answers_the_same_refusal_again_without_calling(
    tenant: Tenant, number: dict[str, Any], carrier_exchanges: ExchangeRecorder
) -> None:
    call = {"numberId": number["id"], "to": "+15005550003", "idempotencyKey": "refused"}

    first = await place(tenant, "admin", **call)
    before = len(carrier_exchanges.exchanges)
    again = await place(tenant, "admin", **call)

    assert (first["__typename"], first["providerCode"]) == ("ProviderError", 21215)
    assert again == first
    assert len(carrier_exchanges.exchanges) == before  # Twilio was not asked again


@pytest.mark.skipif(
    BACKEND != "services", reason="two processes share a database only on PostgreSQL"
)
async def test_a_call_that_never_reached_twilio_frees_its_key_and_hanging_up_is_a_provider_error(
    tenant: Tenant, number: dict[str, Any], gateway: str, carrier: str, settings: Settings
) -> None:
    to = callee()
    call = {"numberId": number["id"], "to": to, "idempotencyKey": "retry"}
    live = await a_ringing_call(gateway, tenant, number)
    token = tenant.token("admin")
    # A gateway process whose Twilio is unreachable (nothing listens on port 9 of loopback).
    unreachable = "http://127.0.0.1:9"
    async with gateway_process(settings, TRUNKLINE_TWILIO_API_BASE=unreachable) as url:
        cut_off = GraphQLClient(url)
        try:
            failed = await cut_off.execute(PLACE, {"input": call}, token=token)
            not_ended = await cut_off.execute(HANG_UP, {"id": live["id"]}, token=token)
        finally:
            await cut_off.aclose()

    retried = await place(tenant, "admin", **call)

    assert failed["data"]["placeCall"]["__typename"] == "ProviderError"
    assert failed["data"]["placeCall"]["providerCode"] is None
    assert not_ended["data"]["hangupCall"]["__typename"] == "ProviderError"
    assert (await sandbox_call(carrier, tenant, live["sid"]))["status"] == "ringing"
    assert retried["__typename"] == "Call"
    assert len(await sandbox_calls(carrier, tenant, to)) == 1
    await hang_up(tenant, "admin", live["id"])


async def test_the_same_key_for_sending_and_calling_is_two_requests(
    tenant: Tenant, number: dict[str, Any]
) -> None:
    send = """
    mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { __typename } }
    """
    sent = await tenant.execute(
        send,
        {"input": {"numberId": number["id"], "to": callee(), "body": "hi", "idempotencyKey": "k"}},
        as_="admin",
    )

    placed = await place(tenant, "admin", numberId=number["id"], to=callee(), idempotencyKey="k")

    assert sent["data"]["sendMessage"]["__typename"] == "Message"
    assert placed["__typename"] == "Call"


async def test_hanging_up_a_ringing_call_cancels_it_at_twilio_and_the_end_arrives_live(
    tenant: Tenant, number: dict[str, Any], gateway: str, carrier: str
) -> None:
    placed = await place(tenant, (), numberId=number["id"], to=RINGS)
    async with subscribe(gateway, tenant.token(), CALL_UPDATED, {"id": placed["id"]}) as watch:
        while (await watch.next())["callUpdated"]["status"] != "ringing":
            pass

        ended = await hang_up(tenant, (), placed["id"])
        statuses = []
        while not statuses or statuses[-1] not in FINAL:
            statuses.append((await watch.next())["callUpdated"]["status"])

    assert ended["__typename"] == "Call", ended
    assert (ended["id"], ended["sid"]) == (placed["id"], placed["sid"])
    assert statuses[-1] == "canceled"
    assert (await sandbox_call(carrier, tenant, placed["sid"]))["status"] == "canceled"


async def test_hanging_up_an_ended_call_answers_it_as_it_is_without_asking_twilio(
    tenant: Tenant, number: dict[str, Any], carrier_exchanges: ExchangeRecorder
) -> None:
    placed = await place(tenant, (), numberId=number["id"], to=callee())
    await stored_status(placed["id"], FINAL)
    before = len(carrier_exchanges.exchanges)

    ended = await hang_up(tenant, (), placed["id"])

    assert (ended["__typename"], ended["status"]) == ("Call", "completed")
    assert len(carrier_exchanges.exchanges) == before


@pytest.mark.parametrize(
    ("as_", "sub", "expected"),
    [
        ((), AGENT, "Call"),  # the number's agent (who placed it)
        (("admin",), "auth0|admin", "Call"),  # admins: any of the tenant's calls
        ((), SOMEONE_ELSE, "NOT_FOUND"),  # another agent: not theirs to see
        (("support",), "auth0|support", "FORBIDDEN"),  # support only
    ],
)
async def test_who_may_end_which_call(
    tenant: Tenant,
    number: dict[str, Any],
    gateway: str,
    carrier: str,
    as_: tuple[str, ...],
    sub: str,
    expected: str,
) -> None:
    placed = await a_ringing_call(gateway, tenant, number)

    result = await tenant.graphql.execute(
        HANG_UP, {"id": placed["id"]}, token=tenant.token(*as_, sub=sub)
    )

    if expected == "FORBIDDEN":
        assert error_codes(result) == ["FORBIDDEN"], result
    else:
        answer = result["data"]["hangupCall"]
        assert answer.get("code", answer["__typename"]) == expected
    at_carrier = await sandbox_call(carrier, tenant, placed["sid"])
    assert at_carrier["status"] == ("canceled" if expected == "Call" else "ringing")
    await hang_up(tenant, "admin", placed["id"])  # (not left ringing for a minute)


async def test_who_placed_a_call_may_end_it_after_its_number_was_reassigned(
    tenant: Tenant, number: dict[str, Any], gateway: str, carrier: str
) -> None:
    placed = await a_ringing_call(gateway, tenant, number)
    await tenant.execute(
        UPDATE, {"id": number["id"], "input": {"ownerId": SOMEONE_ELSE}}, as_="admin"
    )

    ended = await hang_up(tenant, (), placed["id"])

    assert ended["__typename"] == "Call", ended
    assert (await sandbox_call(carrier, tenant, placed["sid"]))["status"] == "canceled"


async def test_the_numbers_new_agent_may_end_a_call_another_placed_on_it(
    tenant: Tenant, number: dict[str, Any], gateway: str, carrier: str
) -> None:
    placed = await a_ringing_call(gateway, tenant, number)
    await tenant.execute(
        UPDATE, {"id": number["id"], "input": {"ownerId": SOMEONE_ELSE}}, as_="admin"
    )

    result = await tenant.graphql.execute(
        HANG_UP, {"id": placed["id"]}, token=tenant.token(sub=SOMEONE_ELSE)
    )

    assert result["data"]["hangupCall"]["__typename"] == "Call", result
    assert (await sandbox_call(carrier, tenant, placed["sid"]))["status"] == "canceled"


async def test_another_tenants_call_is_not_found_and_stays_live(
    tenant: Tenant, other_tenant: Tenant, number: dict[str, Any], gateway: str, carrier: str
) -> None:
    placed = await a_ringing_call(gateway, tenant, number)
    await other_tenant.connect_twilio(carrier)

    answer = await hang_up(other_tenant, "admin", placed["id"])

    assert (answer["__typename"], answer["code"]) == ("NotFoundError", "NOT_FOUND")
    assert (await sandbox_call(carrier, tenant, placed["sid"]))["status"] == "ringing"
    await hang_up(tenant, "admin", placed["id"])


@pytest.mark.parametrize(
    ("call_id", "expected"),
    [("9223372036854775807", "NOT_FOUND"), ("abc", "BAD_USER_INPUT"), ("-1", "BAD_USER_INPUT")],
)
async def test_hanging_up_no_such_call_is_typed(
    tenant: Tenant, number: dict[str, Any], call_id: str, expected: str
) -> None:
    answer = await hang_up(tenant, "admin", call_id)

    assert answer["code"] == expected
    if expected == "BAD_USER_INPUT":
        assert answer["field"] == "id"


async def test_the_number_becoming_inactive_does_not_stop_its_agent_ending_a_call(
    tenant: Tenant, number: dict[str, Any], gateway: str, carrier: str
) -> None:
    placed = await a_ringing_call(gateway, tenant, number)
    await PhoneNumber.filter(id=int(number["id"])).update(status=NumberStatus.INACTIVE)

    ended = await hang_up(tenant, (), placed["id"])

    assert ended["__typename"] == "Call", ended
    assert (await sandbox_call(carrier, tenant, placed["sid"]))["status"] == "canceled"
