"""sendMessage through GraphQL against the sandbox carrier: SMS, MMS, WhatsApp, templates, opt-out,
Twilio's refusals, idempotency under concurrency, who may send from which number, bad input."""

from __future__ import annotations

import asyncio
import json
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.conftest import BACKEND
from tests.events.processes import gateway_process
from tests.support.graphql import GraphQLClient, error_codes, ws_connect, ws_execute, ws_init
from tests.support.numbers import unheld_number
from tests.support.tenancy import AVAILABLE, BUY_NUMBER, Tenant
from trunkline.models import Message, PhoneNumber
from trunkline.sandbox.media import media_content
from trunkline.services.messages import STATUS_RANK
from trunkline.settings import Settings

SEND = """
mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) {
    __typename
    ... on Message { id sid channel direction from to body mediaUrls status numberId }
    ... on Error { code message }
    ... on UserInputError { field }
    ... on ProviderError { provider providerCode }
  }
}
"""
# What a send's answer and a later read of the message must agree on (its status and updatedAt
# move on with its callbacks).
STORED_FIELDS = "id sid channel direction from to body mediaUrls numberId sentBy createdAt"
SEND_STORED = f"""
mutation Send($input: SendMessageInput!) {{
  sendMessage(input: $input) {{ __typename ... on Message {{ {STORED_FIELDS} }} }}
}}
"""
READ_STORED = f"query Read($id: ID!) {{ message(id: $id) {{ {STORED_FIELDS} }} }}"
FEED = "subscription { activity { kind message { id sid status body direction } } }"
UPDATE = """
mutation Update($id: ID!, $input: UpdateNumberInput!) {
  updateNumber(id: $id, input: $input) { __typename }
}
"""
SET_ENABLED = "mutation { setTwilioEnabled(enabled: false) { __typename } }"
AGENT = "auth0|agent"  # the subject of Tenant.token() with no roles
TEMPLATE = "HX" + "b" * 32
# The suite's tenants share one carrier's catalogue (100 numbers per area code): these tests buy
# across its US area codes, so that none runs out for the tests after them.


def contact() -> str:
    """A recipient no other test writes to (opt-out and WhatsApp windows are per contact)."""
    return f"+1415555{uuid.uuid4().int % 10_000:04d}"


async def sandbox_messages(carrier: str, tenant: Tenant, to: str) -> list[dict[str, Any]]:
    """The messages the tenant's sandbox account sent to ``to``: what really left."""
    assert tenant.account is not None
    sid, token = tenant.account.account_sid, tenant.account.auth_token
    async with httpx.AsyncClient(base_url=f"{carrier}/twilio", auth=(sid, token)) as client:
        response = await client.get(
            f"/api/2010-04-01/Accounts/{sid}/Messages.json", params={"To": to, "PageSize": 100}
        )
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()["messages"]
    return messages


async def text_number(carrier: str, number: str, sender: str, body: str, channel: str) -> None:
    """A phone texts one of the tenant's numbers (through the sandbox's public network)."""
    async with httpx.AsyncClient(base_url=carrier) as client:
        response = await client.post(
            "/control/inbound/message",
            json={"to": number, "from": sender, "body": body, "channel": channel},
        )
    assert response.status_code == 202, response.text


async def wait_for_inbound(number_id: int, sender: str, count: int = 1) -> None:
    """Until the gateway stored ``count`` messages from ``sender`` (the sandbox posts each one a
    step after it is texted)."""
    stored = Message.filter(number_id=number_id, counterpart=sender)
    async with asyncio.timeout(10):
        while await stored.count() < count:  # noqa: ASYNC110 - a webhook's commit announces nothing here
            await asyncio.sleep(0.02)


async def send(tenant: Tenant, as_: str | tuple[str, ...], **input_: Any) -> dict[str, Any]:
    result = await tenant.execute(SEND, {"input": input_}, as_=as_)
    assert "errors" not in result, result
    payload: dict[str, Any] = result["data"]["sendMessage"]
    return payload


async def buy(tenant: Tenant, **input_: str) -> dict[str, Any]:
    """A number of the carrier's catalogue (SMS and MMS capable) for ``tenant``, bought by an
    admin."""

    async def offered_in(area_code: str) -> list[str]:
        found = await tenant.execute(
            AVAILABLE, {"country": "US", "areaCode": area_code, "first": 100}, as_="admin"
        )
        return [n["phoneNumber"] for n in found["data"]["availableNumbers"]]

    result = await tenant.execute(
        BUY_NUMBER,
        {"input": {"phoneNumber": await unheld_number(offered_in), **input_}},
        as_="admin",
    )
    bought: dict[str, Any] = result["data"]["buyNumber"]
    assert bought["__typename"] == "PhoneNumber", result
    return bought


@pytest.fixture
async def number(tenant: Tenant, carrier: str) -> dict[str, Any]:
    """A connected tenant's number (SMS and MMS capable), assigned to the agent."""
    await tenant.connect_twilio(carrier)
    return await buy(tenant, ownerId=AGENT)


async def test_an_agent_sends_an_sms_and_the_inbox_sees_it_sent_then_each_status(
    tenant: Tenant, number: dict[str, Any], gateway: str
) -> None:
    to = contact()
    async with ws_connect(gateway) as socket:
        await ws_init(socket, {"Authorization": f"Bearer {tenant.token()}"})
        await socket.send(
            json.dumps({"id": "feed", "type": "subscribe", "payload": {"query": FEED}})
        )
        await ws_execute(socket, "ready", "{ me { orgId } }")  # answered: the feed listens

        sent = await send(tenant, (), numberId=number["id"], to=to, body="Your table is ready")
        events = []
        while not any(e["message"]["status"] == "delivered" for e in events) or not any(
            e["kind"] == "MESSAGE_SENT" for e in events
        ):
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
            if message.get("id") == "feed":
                events.append(message["payload"]["data"]["activity"])

    assert sent["__typename"] == "Message"
    assert (sent["channel"], sent["direction"], sent["status"]) == ("SMS", "OUTBOUND", "queued")
    assert (sent["from"], sent["to"], sent["body"]) == (
        number["phoneNumber"],
        to,
        "Your table is ready",
    )
    assert sent["numberId"] == number["id"]
    assert all(e["message"]["sid"] == sent["sid"] for e in events)
    announced = [e for e in events if e["kind"] == "MESSAGE_SENT"]
    assert len(announced) == 1
    assert announced[0]["message"]["body"] == "Your table is ready"
    assert announced[0]["message"]["direction"] == "OUTBOUND"
    statuses = [e["message"]["status"] for e in events if e["kind"] == "MESSAGE_STATUS"]
    assert statuses == ["sending", "sent", "delivered"]
    # Whichever came first (the send's answer or its first callback), no status goes back.
    ranks = [STATUS_RANK[e["message"]["status"]] for e in events]
    assert ranks == sorted(ranks)
    row = await Message.get(id=int(sent["id"]))
    assert (row.user_id, row.body, row.status) == (AGENT, "Your table is ready", "delivered")


async def test_the_message_a_send_answers_is_the_one_stored_field_for_field(
    tenant: Tenant, number: dict[str, Any]
) -> None:
    # The answer is the snapshot the recording committed, not a read of the row: the two agree.
    for body in ("first", "second"):
        answered = await tenant.execute(
            SEND_STORED,
            {"input": {"numberId": number["id"], "to": contact(), "body": body}},
            as_=(),
        )
        sent = answered["data"]["sendMessage"]
        read = await tenant.execute(READ_STORED, {"id": sent["id"]}, as_=())

        assert sent.pop("__typename") == "Message"
        assert sent["createdAt"] is not None
        assert sent["sentBy"] == AGENT
        assert read["data"]["message"] == sent


async def test_an_mms_carries_its_media_to_the_carrier(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    to = contact()
    media = ["https://example.com/menu.png", "https://example.com/map.jpg"]

    sent = await send(tenant, "admin", numberId=number["id"], to=to, channel="MMS", mediaUrls=media)

    assert sent["__typename"] == "Message"
    assert (sent["channel"], sent["mediaUrls"], sent["body"]) == ("MMS", media, "")
    [at_carrier] = await sandbox_messages(carrier, tenant, to)
    assert (at_carrier["sid"], at_carrier["num_media"]) == (sent["sid"], "2")


async def test_whatsapp_inside_the_window_is_sent_and_outside_it_only_a_template_is(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    await PhoneNumber.filter(id=int(number["id"])).update(whatsapp_enabled=True)
    wrote, silent = contact(), contact()
    await text_number(carrier, number["phoneNumber"], wrote, "Is my order ready?", "whatsapp")
    await wait_for_inbound(int(number["id"]), f"whatsapp:{wrote}")
    whatsapp = {"numberId": number["id"], "channel": "WHATSAPP"}

    inside = await send(tenant, "admin", to=wrote, body="It is!", **whatsapp)
    outside = await send(tenant, "admin", to=silent, body="Hello there", **whatsapp)
    template = await send(
        tenant,
        "admin",
        to=silent,
        contentSid=TEMPLATE,
        contentVariables={"1": "Ana", "2": "12:30"},
        **whatsapp,
    )

    assert inside["__typename"] == "Message"
    assert (inside["channel"], inside["to"]) == ("WHATSAPP", f"whatsapp:{wrote}")
    assert inside["from"] == f"whatsapp:{number['phoneNumber']}"
    assert (outside["__typename"], outside["providerCode"]) == ("ProviderError", 63016)
    assert template["__typename"] == "Message"
    assert (await Message.get(id=int(template["id"]))).content_sid == TEMPLATE
    assert len(await sandbox_messages(carrier, tenant, f"whatsapp:{silent}")) == 1


async def test_whatsapp_from_a_number_not_enabled_for_it_is_refused_before_twilio(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    to = contact()

    sent = await send(tenant, "admin", numberId=number["id"], to=to, channel="WHATSAPP", body="hi")

    assert (sent["__typename"], sent["field"]) == ("UserInputError", "input.channel")
    assert await sandbox_messages(carrier, tenant, f"whatsapp:{to}") == []


async def test_stop_refuses_sends_with_21610_until_start(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    to = contact()
    message = {"numberId": number["id"], "to": to, "body": "Two for one today"}
    await text_number(carrier, number["phoneNumber"], to, "STOP", "sms")
    await wait_for_inbound(int(number["id"]), to)

    stopped = await send(tenant, "admin", **message)
    await text_number(carrier, number["phoneNumber"], to, "START", "sms")
    await wait_for_inbound(int(number["id"]), to, count=2)
    restarted = await send(tenant, "admin", **message)

    assert (stopped["__typename"], stopped["providerCode"]) == ("ProviderError", 21610)
    assert restarted["__typename"] == "Message"


@pytest.mark.parametrize(
    ("to", "provider_code"),
    [
        ("+15005550001", 21211),  # invalid To
        ("+15005550002", 21612),  # not reachable
        ("+15005550003", 21408),  # region not enabled
        ("+15005550004", 21610),  # unsubscribed
    ],
)
async def test_twilios_magic_numbers_are_provider_errors_with_twilios_code(
    tenant: Tenant, number: dict[str, Any], to: str, provider_code: int
) -> None:
    sent = await send(tenant, "admin", numberId=number["id"], to=to, body="hi")

    assert sent["__typename"] == "ProviderError"
    assert (sent["code"], sent["provider"], sent["providerCode"]) == (
        "PROVIDER_ERROR",
        "twilio",
        provider_code,
    )
    assert not await Message.filter(number_id=int(number["id"]), to_address=to).exists()


async def test_twenty_concurrent_requests_with_one_key_send_once_and_answer_alike(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    to = contact()
    message = {"numberId": number["id"], "to": to, "body": "Once", "idempotencyKey": "k-1"}

    answers = await asyncio.gather(*(send(tenant, "admin", **message) for _ in range(20)))

    # One message: each answer shows it as it is when answered (its status moves on meanwhile).
    assert answers[0]["__typename"] == "Message"
    same = [{k: v for k, v in answer.items() if k != "status"} for answer in answers]
    assert all(answer == same[0] for answer in same)
    assert {answer["status"] for answer in answers} <= set(STATUS_RANK)
    assert len(await sandbox_messages(carrier, tenant, to)) == 1
    assert await Message.filter(to_address=to).count() == 1


@pytest.mark.skipif(
    BACKEND != "services", reason="two processes share a database only on PostgreSQL"
)
async def test_one_key_sent_to_two_gateway_processes_at_once_sends_once(
    tenant: Tenant, number: dict[str, Any], carrier: str, settings: Settings
) -> None:
    to = contact()
    message = {"numberId": number["id"], "to": to, "body": "Once", "idempotencyKey": "two"}
    token = tenant.token("admin")
    assert settings.twilio_api_base
    async with gateway_process(settings, TRUNKLINE_TWILIO_API_BASE=settings.twilio_api_base) as url:
        other = GraphQLClient(url)
        try:
            results = await asyncio.gather(
                *(
                    client.execute(SEND, {"input": message}, token=token)
                    for _ in range(10)
                    for client in (tenant.graphql, other)
                )
            )
        finally:
            await other.aclose()

    answers = [result["data"]["sendMessage"] for result in results]
    assert {answer["__typename"] for answer in answers} == {"Message"}
    assert {answer["id"] for answer in answers} == {answers[0]["id"]}
    assert len(await sandbox_messages(carrier, tenant, to)) == 1


@pytest.mark.skipif(
    BACKEND != "services", reason="two processes share a database only on PostgreSQL"
)
async def test_a_send_that_never_reached_twilio_frees_its_key_for_a_retry(
    tenant: Tenant, number: dict[str, Any], carrier: str, settings: Settings
) -> None:
    to = contact()
    message = {"numberId": number["id"], "to": to, "body": "Retry me", "idempotencyKey": "retry"}
    token = tenant.token("admin")
    # A gateway process whose Twilio is unreachable (nothing listens on port 9 of loopback).
    unreachable = "http://127.0.0.1:9"
    async with gateway_process(settings, TRUNKLINE_TWILIO_API_BASE=unreachable) as url:
        cut_off = GraphQLClient(url)
        try:
            failed = await cut_off.execute(SEND, {"input": message}, token=token)
        finally:
            await cut_off.aclose()

    retried = await send(tenant, "admin", **message)

    assert failed["data"]["sendMessage"]["__typename"] == "ProviderError"
    assert failed["data"]["sendMessage"]["providerCode"] is None
    assert retried["__typename"] == "Message"
    assert len(await sandbox_messages(carrier, tenant, to)) == 1


async def test_a_key_answers_the_same_refusal_again_without_sending(
    tenant: Tenant, number: dict[str, Any], carrier_exchanges: Any
) -> None:
    message = {"numberId": number["id"], "to": "+15005550003", "body": "x", "idempotencyKey": "r"}

    first = await send(tenant, "admin", **message)
    before = len(carrier_exchanges.exchanges)
    again = await send(tenant, "admin", **message)

    assert (first["__typename"], first["providerCode"]) == ("ProviderError", 21408)
    assert again == first
    assert len(carrier_exchanges.exchanges) == before  # Twilio was not asked again


async def test_a_key_reused_for_another_request_is_refused(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    to = contact()
    await send(tenant, "admin", numberId=number["id"], to=to, body="One", idempotencyKey="dup")

    other = await send(
        tenant, "admin", numberId=number["id"], to=to, body="Two", idempotencyKey="dup"
    )

    assert (other["__typename"], other["field"]) == ("UserInputError", "input.idempotencyKey")
    assert len(await sandbox_messages(carrier, tenant, to)) == 1


async def test_the_same_key_in_another_tenant_is_another_request(
    tenant: Tenant, other_tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    await other_tenant.connect_twilio(carrier)
    theirs = await buy(other_tenant)
    to = contact()

    mine = await send(tenant, "admin", numberId=number["id"], to=to, body="a", idempotencyKey="x")
    their = await send(
        other_tenant, "admin", numberId=theirs["id"], to=to, body="b", idempotencyKey="x"
    )

    assert (mine["__typename"], their["__typename"]) == ("Message", "Message")
    assert mine["id"] != their["id"]


async def test_without_a_key_every_request_sends(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    to = contact()

    for _ in range(2):
        await send(tenant, "admin", numberId=number["id"], to=to, body="Again")

    assert len(await sandbox_messages(carrier, tenant, to)) == 2


@pytest.mark.parametrize(
    ("as_", "owner", "expected"),
    [
        ((), AGENT, "Message"),  # an agent, from their number
        ((), "auth0|someone-else", "PHONE_NUMBER_NOT_FOUND"),  # an agent, another's number
        (("admin",), "auth0|someone-else", "Message"),  # admins: any of the tenant's numbers
        (("support",), "auth0|someone-else", "PHONE_NUMBER_NOT_FOUND"),  # support only
    ],
)
async def test_who_may_send_from_which_number(
    tenant: Tenant,
    carrier: str,
    as_: tuple[str, ...],
    owner: str,
    expected: str,
) -> None:
    await tenant.connect_twilio(carrier)
    bought = await buy(tenant, ownerId=owner)
    to = contact()

    sent = await send(tenant, as_, numberId=bought["id"], to=to, body="Hi")

    assert sent.get("code", sent["__typename"]) == expected
    assert len(await sandbox_messages(carrier, tenant, to)) == (1 if expected == "Message" else 0)


@pytest.mark.parametrize(
    # (Only a platform admin's token may carry no organization.)
    ("token", "code"),
    [("no organization", "FORBIDDEN"), (None, "UNAUTHENTICATED")],
)
async def test_callers_without_a_tenant_are_refused_and_nothing_is_sent(
    tenant: Tenant, number: dict[str, Any], carrier: str, token: str | None, code: str
) -> None:
    to = contact()
    bearer = (
        tenant.identity.token(org=None, sub="auth0|ops", roles=["platform-admin"])
        if token
        else None
    )

    result = await tenant.graphql.execute(
        SEND, {"input": {"numberId": number["id"], "to": to, "body": "hi"}}, token=bearer
    )

    assert error_codes(result) == [code], result
    assert await sandbox_messages(carrier, tenant, to) == []


async def test_another_tenants_number_is_not_found_and_nothing_is_sent(
    tenant: Tenant, other_tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    await other_tenant.connect_twilio(carrier)
    to = contact()

    sent = await send(other_tenant, "admin", numberId=number["id"], to=to, body="hi")

    assert (sent["__typename"], sent["code"]) == (
        "PhoneNumberNotFoundError",
        "PHONE_NUMBER_NOT_FOUND",
    )
    assert await sandbox_messages(carrier, tenant, to) == []
    assert not await Message.filter(to_address=to).exists()


@pytest.mark.parametrize("status", ["INACTIVE"])
async def test_an_inactive_number_does_not_send(
    tenant: Tenant, number: dict[str, Any], carrier: str, status: str
) -> None:
    await tenant.execute(UPDATE, {"id": number["id"], "input": {"status": status}}, as_="admin")
    to = contact()

    sent = await send(tenant, "admin", numberId=number["id"], to=to, body="hi")

    assert sent["code"] == "INACTIVE_NUMBER"
    assert await sandbox_messages(carrier, tenant, to) == []


async def test_a_tenant_with_twilio_disabled_is_told_so(
    tenant: Tenant, number: dict[str, Any], carrier: str
) -> None:
    await tenant.execute(SET_ENABLED, as_="support")
    to = contact()

    sent = await send(tenant, "admin", numberId=number["id"], to=to, body="hi")

    assert sent["code"] == "TWILIO_NOT_CONFIGURED"


GOOD = {"to": "+14155550100", "body": "hi"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"to": "0412345678"}, "input.to"),
        ({"to": "+1 415 555 0100"}, "input.to"),
        ({"to": "whatsapp:+14155550100"}, "input.to"),
        ({"body": "x" * 1601}, "input.body"),
        ({"body": "bell \a"}, "input.body"),
        ({"body": None}, "input.body"),
        ({"body": "   "}, "input.body"),
        (
            {"channel": "MMS", "mediaUrls": [f"https://example.com/{i}.png" for i in range(11)]},
            "input.mediaUrls",
        ),
        ({"channel": "MMS", "mediaUrls": ["http://example.com/a.png"]}, "input.mediaUrls"),
        ({"channel": "MMS", "mediaUrls": ["file:///etc/passwd"]}, "input.mediaUrls"),
        ({"channel": "MMS", "mediaUrls": []}, "input.mediaUrls"),
        ({"mediaUrls": ["https://example.com/a.png"]}, "input.mediaUrls"),
        ({"contentSid": "HX1"}, "input.contentSid"),
        ({"contentVariables": {"1": "Ana"}}, "input.contentVariables"),
        ({"contentSid": TEMPLATE, "contentVariables": ["Ana"]}, "input.contentVariables"),
        ({"contentSid": TEMPLATE, "contentVariables": {"1": {"x": 1}}}, "input.contentVariables"),
        ({"idempotencyKey": ""}, "input.idempotencyKey"),
        ({"idempotencyKey": "k" * 256}, "input.idempotencyKey"),
        ({"numberId": "007"}, "input.numberId"),
    ],
)
async def test_bad_input_is_a_user_input_error_naming_the_field_and_nothing_is_sent(
    tenant: Tenant, number: dict[str, Any], carrier: str, change: dict[str, Any], field: str
) -> None:
    message = {"numberId": number["id"], **GOOD, **change}

    sent = await send(tenant, "admin", **message)

    assert (sent["__typename"], sent["code"], sent["field"]) == (
        "UserInputError",
        "BAD_USER_INPUT",
        field,
    )
    assert await sandbox_messages(carrier, tenant, GOOD["to"]) == []


async def test_the_price_is_fetched_from_twilio_once_the_message_is_final(
    tenant: Tenant, number: dict[str, Any]
) -> None:
    sent = await send(tenant, "admin", numberId=number["id"], to=contact(), body="What's it cost?")

    priced = Message.filter(id=int(sent["id"]), price__isnull=False)
    async with asyncio.timeout(10):
        while not await priced.exists():  # noqa: ASYNC110 - a price announces nothing
            await asyncio.sleep(0.02)

    row = await Message.get(id=int(sent["id"]))
    assert (row.status, row.price, row.price_unit, row.num_segments) == (
        "delivered",
        Decimal("-0.00790"),
        "USD",
        1,
    )


MEDIA_OF = """
query ($id: ID!) { message(id: $id) { media { contentType url } } }
"""


async def test_an_mms_sent_is_downloadable_from_its_signed_links_once_twilio_hosts_its_files(
    tenant: Tenant, number: dict[str, Any]
) -> None:
    # Given an MMS whose file the client named by its own URL (which the gateway never fetches)
    sent = await send(
        tenant,
        "admin",
        numberId=number["id"],
        to=contact(),
        channel="MMS",
        mediaUrls=["https://example.com/menu.png"],
    )
    priced = Message.filter(id=int(sent["id"]), price__isnull=False)
    async with asyncio.timeout(10):
        while not await priced.exists():  # noqa: ASYNC110 - a price announces nothing
            await asyncio.sleep(0.02)

    # When its media are read once final
    result = await tenant.execute(MEDIA_OF, {"id": sent["id"]}, as_="admin")
    [media] = result["data"]["message"]["media"]
    async with httpx.AsyncClient() as http:
        download = await http.get(media["url"])

    # Then the link serves Twilio's hosted copy: the stored URL is the Media resource's
    row = await Message.get(id=int(sent["id"]))
    assert [
        item["url"].split("/Media/")[0].endswith(f"/Messages/{sent['sid']}") for item in row.media
    ] == [True]
    assert media["contentType"] == "image/png"
    assert download.status_code == 200
    assert download.headers["content-type"] == "image/png"
    assert download.content == media_content("image/png")
