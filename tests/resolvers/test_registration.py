"""registerNumber and WhatsApp senders through GraphQL, against the sandbox carrier.

A number the tenant's Twilio account already holds is bought here straight at the sandbox (as
the tenant would have bought it in Twilio's Console), then registered through the gateway.
Twilio's shared WhatsApp Sandbox sender is registered by several tenants at once; the sandbox
posts its inbound messages with the AccountSid of the account whose sandbox the phone joined.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from tortoise import Tortoise
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.conftest import BACKEND
from tests.subscriptions.client import Subscriber, subscribe
from tests.support.graphql import error_codes
from tests.support.numbers import unheld_number
from tests.support.tenancy import Tenant
from trunkline.models import Message, NumberStatus, PhoneNumber
from trunkline.models import Tenant as TenantRow
from trunkline.services.callbacks import Callback, callback_url
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients

SHARED_SENDER = "+14155238886"
TEXTER = "+14155550123"

REGISTER = """
mutation Register($input: RegisterNumberInput!) {
  registerNumber(input: $input) {
    __typename
    ... on PhoneNumber {
      id sid phoneNumber status label websiteId ownerId provider whatsappEnabled
      capabilities { voice sms mms }
    }
    ... on Error { code message }
    ... on UserInputError { field }
    ... on ProviderError { providerCode }
  }
}
"""
UPDATE = """
mutation Update($id: ID!, $input: UpdateNumberInput!) {
  updateNumber(id: $id, input: $input) {
    __typename
    ... on PhoneNumber { id whatsappEnabled }
    ... on Error { code }
  }
}
"""
RELEASE = """
mutation Release($id: ID!) {
  releaseNumber(id: $id) { __typename ... on PhoneNumber { status sid } ... on Error { code } }
}
"""
SET_STATUS = """
mutation SetStatus($id: ID!, $input: UpdateNumberInput!) {
  updateNumber(id: $id, input: $input) { __typename ... on PhoneNumber { status } }
}
"""
NUMBER = "query Number($id: ID!) { number(id: $id) { id sid provider whatsappEnabled } }"
ACTIVITY = """
subscription Activity($after: String) {
  activity(after: $after) { kind numberId message { sid channel from to body } }
}
"""


@pytest.fixture
async def twilio(carrier: str) -> AsyncIterator[TwilioClients]:
    """Twilio clients of the tenants' own, as their Console would act at Twilio."""
    clients = TwilioClients(f"{carrier}/twilio", timeout=5.0)
    yield clients
    await clients.aclose()


def client_of(twilio: TwilioClients, tenant: Tenant) -> Client:
    assert tenant.account is not None
    account = tenant.account
    return twilio.client_for(account.account_sid, account.account_sid, account.auth_token)


async def held_number(twilio: TwilioClients, tenant: Tenant, **settings: str) -> Any:
    """A number the tenant's account buys at Twilio itself (not through the gateway)."""
    client = client_of(twilio, tenant)

    async def offered_in(area_code: str) -> list[str]:
        offered = await client.available_phone_numbers("US").local.list_async(
            area_code=area_code, limit=100
        )
        return [number.phone_number for number in offered]

    phone_number = await unheld_number(offered_in)
    return await client.incoming_phone_numbers.create_async(phone_number=phone_number, **settings)


async def register(tenant: Tenant, **input_: object) -> dict[str, Any]:
    result = await tenant.execute(REGISTER, {"input": input_}, as_="admin")
    assert "errors" not in result, result
    registered: dict[str, Any] = result["data"]["registerNumber"]
    return registered


async def numbers_of(tenant: Tenant) -> list[tuple[str, str | None, NumberStatus]]:
    rows = PhoneNumber.filter(tenant__org_id=tenant.org).order_by("id")
    return [(row.phone_number, row.sid, row.status) for row in await rows]


async def join_whatsapp_sandbox(carrier: str, tenant: Tenant, settings: Settings) -> None:
    """What the tenant sets in Twilio's Console: its WhatsApp Sandbox posts to this gateway."""
    assert tenant.account is not None
    async with httpx.AsyncClient(base_url=carrier) as control:
        response = await control.post(
            f"/control/accounts/{tenant.account.account_sid}/whatsapp-sandbox",
            json={"url": callback_url(settings.public_url, Callback.MESSAGING)},
        )
    assert response.status_code == 200, response.text


async def text(carrier: str, *, to: str, body: str, **extra: object) -> str:
    async with httpx.AsyncClient(base_url=carrier) as control:
        response = await control.post(
            "/control/inbound/message", json={"to": to, "from": TEXTER, "body": body, **extra}
        )
    assert response.status_code == 202, response.text
    sid: str = response.json()["sid"]
    return sid


async def whatsapp_to_the_shared_sender(carrier: str, tenant: Tenant, body: str) -> str:
    assert tenant.account is not None
    return await text(
        carrier,
        to=f"whatsapp:{SHARED_SENDER}",
        body=body,
        channel="whatsapp",
        account_sid=tenant.account.account_sid,
    )


async def received(subscriber: Subscriber) -> tuple[str, str]:
    event = (await subscriber.next())["activity"]
    assert event["kind"] == "MESSAGE_RECEIVED", event
    return event["message"]["sid"], event["message"]["body"]


async def post_signed_inbound(
    gateway: str, *, to: str, token: str, account_sid: str | None
) -> httpx.Response:
    """An inbound WhatsApp webhook signed with ``token``, as Twilio would post it."""
    params = {
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": f"whatsapp:{TEXTER}",
        "To": f"whatsapp:{to}",
        "Body": "hello",
        "NumMedia": "0",
    }
    if account_sid is not None:
        params["AccountSid"] = account_sid
    url = gateway + Callback.MESSAGING.value
    signature = RequestValidator(token).compute_signature(url, params)
    async with httpx.AsyncClient(timeout=10.0) as http:
        return await http.post(url, data=params, headers={"X-Twilio-Signature": signature})


# --- Numbers the account holds -------------------------------------------------------------


async def test_a_number_the_account_holds_is_registered_and_its_messages_reach_the_gateway(
    tenant: Tenant, carrier: str, gateway: str, twilio: TwilioClients, settings: Settings
) -> None:
    # Given: a number the tenant bought in Twilio's Console, its webhooks elsewhere.
    await tenant.connect_twilio(carrier)
    held = await held_number(twilio, tenant, sms_url="https://elsewhere.example/sms")

    # When: an admin registers it, then someone texts it.
    registered = await register(
        tenant,
        phoneNumber=held.phone_number,
        label="Old line",
        websiteId="site-9",
        ownerId="auth0|amy",
        whatsappEnabled=True,
    )
    async with subscribe(gateway, tenant.token("admin"), ACTIVITY, {"after": "0"}) as subscriber:
        sid = await text(carrier, to=held.phone_number, body="still there?")
        event = await received(subscriber)

    # Then: it is the tenant's, with Twilio's SID and capabilities; its webhooks point here.
    assert registered == {
        "__typename": "PhoneNumber",
        "id": registered["id"],
        "sid": held.sid,
        "phoneNumber": held.phone_number,
        "status": "ACTIVE",
        "label": "Old line",
        "websiteId": "site-9",
        "ownerId": "auth0|amy",
        "provider": "TWILIO",
        "whatsappEnabled": True,
        "capabilities": {"voice": True, "sms": True, "mms": True},
    }
    at_twilio = await client_of(twilio, tenant).incoming_phone_numbers(held.sid).fetch_async()
    assert at_twilio.sms_url == callback_url(settings.public_url, Callback.MESSAGING)
    assert at_twilio.voice_url == callback_url(settings.public_url, Callback.VOICE)
    assert at_twilio.voice_fallback_url == callback_url(
        settings.public_url, Callback.VOICE_FALLBACK
    )
    assert at_twilio.status_callback == callback_url(settings.public_url, Callback.CALL_STATUS)
    assert event == (sid, "still there?")
    stored = await PhoneNumber.get(id=int(registered["id"]))
    assert (str(stored.monthly_fee), stored.price_unit) == ("1.1500", "USD")


async def test_registering_without_configuring_webhooks_leaves_them_as_they_were(
    tenant: Tenant, carrier: str, twilio: TwilioClients
) -> None:
    await tenant.connect_twilio(carrier)
    held = await held_number(twilio, tenant, sms_url="https://elsewhere.example/sms")

    registered = await register(tenant, phoneNumber=held.phone_number, configureWebhooks=False)

    assert registered["sid"] == held.sid
    at_twilio = await client_of(twilio, tenant).incoming_phone_numbers(held.sid).fetch_async()
    assert at_twilio.sms_url == "https://elsewhere.example/sms"


async def test_a_number_the_account_does_not_hold_is_phone_number_not_found(
    tenant: Tenant, other_tenant: Tenant, carrier: str, twilio: TwilioClients
) -> None:
    # Given: a number nobody holds, and one held by another tenant's account.
    await tenant.connect_twilio(carrier)
    await other_tenant.connect_twilio(carrier)
    theirs = await held_number(twilio, other_tenant, sms_url="https://theirs.example/sms")

    missing = await register(tenant, phoneNumber="+14155550111")
    foreign = await register(tenant, phoneNumber=theirs.phone_number)

    assert missing["code"] == foreign["code"] == "PHONE_NUMBER_NOT_FOUND"
    assert await numbers_of(tenant) == []
    at_twilio = (
        await client_of(twilio, other_tenant).incoming_phone_numbers(theirs.sid).fetch_async()
    )
    assert at_twilio.sms_url == "https://theirs.example/sms"  # untouched


async def test_a_number_registered_or_bought_already_is_a_conflict(
    tenant: Tenant, carrier: str, twilio: TwilioClients
) -> None:
    await tenant.connect_twilio(carrier)
    held = await held_number(twilio, tenant)
    bought = await tenant.buy_any_number()
    first = await register(tenant, phoneNumber=held.phone_number)

    again = await register(tenant, phoneNumber=held.phone_number)
    of_bought = await register(tenant, phoneNumber=bought["phoneNumber"])

    assert first["__typename"] == "PhoneNumber"
    assert again["code"] == of_bought["code"] == "CONFLICT"
    assert sorted(await numbers_of(tenant)) == sorted(
        [
            (bought["phoneNumber"], bought["sid"], NumberStatus.ACTIVE),
            (held.phone_number, held.sid, NumberStatus.ACTIVE),
        ]
    )


async def test_a_released_number_can_be_registered_again_once_the_account_holds_it_again(
    tenant: Tenant, carrier: str, twilio: TwilioClients
) -> None:
    await tenant.connect_twilio(carrier)
    held = await held_number(twilio, tenant)
    first = await register(tenant, phoneNumber=held.phone_number)
    released = await tenant.execute(RELEASE, {"id": first["id"]}, as_="admin")
    assert released["data"]["releaseNumber"]["status"] == "RELEASED"
    bought_again = await client_of(twilio, tenant).incoming_phone_numbers.create_async(
        phone_number=held.phone_number
    )

    again = await register(tenant, phoneNumber=held.phone_number)

    assert (again["__typename"], again["sid"]) == ("PhoneNumber", bought_again.sid)


@pytest.mark.skipif(
    BACKEND != "services", reason="a refusing trigger raises a constraint error on SQLite"
)
async def test_a_number_that_cannot_be_stored_gets_its_webhooks_back(
    tenant: Tenant, carrier: str, twilio: TwilioClients
) -> None:
    # Given: a held number, and a database that refuses to store it (after Twilio was updated).
    await tenant.connect_twilio(carrier)
    held = await held_number(twilio, tenant, sms_url="https://elsewhere.example/sms")
    refusal = f"refuse_{uuid.uuid4().hex[:8]}"
    database = Tortoise.get_connection("default")
    await database.execute_script(
        f"CREATE FUNCTION {refusal}() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; "
        f"CREATE TRIGGER {refusal} BEFORE INSERT ON phone_number FOR EACH ROW "
        f"WHEN (NEW.phone_number = '{held.phone_number}') EXECUTE FUNCTION {refusal}();"
    )
    try:
        # When: an admin registers it.
        result = await tenant.execute(
            REGISTER, {"input": {"phoneNumber": held.phone_number}}, as_="admin"
        )
    finally:
        await database.execute_script(
            f"DROP TRIGGER {refusal} ON phone_number; DROP FUNCTION {refusal}();"
        )

    # Then: it failed, nothing is stored, and its webhooks point where they pointed before.
    assert result["data"] is None
    assert await numbers_of(tenant) == []
    at_twilio = await client_of(twilio, tenant).incoming_phone_numbers(held.sid).fetch_async()
    assert at_twilio.sms_url == "https://elsewhere.example/sms"


@pytest.mark.parametrize("provider", ["META", "WPPCONNECT"])
async def test_providers_not_built_yet_are_refused_naming_the_field(
    tenant: Tenant, carrier: str, twilio: TwilioClients, provider: str
) -> None:
    await tenant.connect_twilio(carrier)
    held = await held_number(twilio, tenant)

    result = await register(tenant, phoneNumber=held.phone_number, provider=provider)

    assert result["__typename"] == "UserInputError"
    assert (result["code"], result["field"]) == ("BAD_USER_INPUT", "input.provider")
    assert "not supported yet" in result["message"]
    assert await numbers_of(tenant) == []


@pytest.mark.parametrize(
    ("input_", "field"),
    [
        ({"phoneNumber": "4155550100"}, "input.phoneNumber"),
        ({"phoneNumber": "+1 415 555 0100"}, "input.phoneNumber"),
        ({"phoneNumber": "+14155550100", "label": "x" * 101}, "input.label"),
        ({"phoneNumber": "+14155550100", "websiteId": "w" * 101}, "input.websiteId"),
        ({"phoneNumber": "+14155550100", "ownerId": "auth0|\x00"}, "input.ownerId"),
    ],
)
async def test_malformed_input_is_a_user_input_error_naming_the_field(
    tenant: Tenant, carrier: str, input_: dict[str, object], field: str
) -> None:
    await tenant.connect_twilio(carrier)

    result = await register(tenant, **input_)

    assert (result["__typename"], result["field"]) == ("UserInputError", field)
    assert await numbers_of(tenant) == []


async def test_an_unknown_provider_value_is_bad_user_input(tenant: Tenant, carrier: str) -> None:
    await tenant.connect_twilio(carrier)

    result = await tenant.execute(
        REGISTER,
        {"input": {"phoneNumber": "+14155550100", "provider": "TELEGRAM"}},
        as_="admin",
    )

    assert error_codes(result) == ["BAD_USER_INPUT"]
    # Refused before execution, by the variables' checker: it names the field by its own name.
    assert result["errors"][0]["extensions"]["field"] == "provider"
    assert await numbers_of(tenant) == []


async def test_registering_without_twilio_configured_is_twilio_not_configured(
    tenant: Tenant,
) -> None:
    result = await register(tenant, phoneNumber=SHARED_SENDER)

    assert result["code"] == "TWILIO_NOT_CONFIGURED"


# Each caller who is not the tenant's admin, and what it is answered.
CALLERS = {
    "agent": (lambda tenant: tenant.token(), "FORBIDDEN"),
    "support": (lambda tenant: tenant.token("support"), "FORBIDDEN"),
    "platform admin": (lambda tenant: tenant.token("platform-admin"), "FORBIDDEN"),
    # An organization's role without the organization: no caller of any tenant.
    "no organization": (
        lambda tenant: tenant.identity.token(org=None, roles=["admin"]),
        "UNAUTHENTICATED",
    ),
    "unauthenticated": (lambda tenant: None, "UNAUTHENTICATED"),
}


@pytest.mark.parametrize("caller", list(CALLERS))
async def test_only_admins_register_and_a_refusal_registers_nothing(
    tenant: Tenant, carrier: str, twilio: TwilioClients, caller: str
) -> None:
    await tenant.connect_twilio(carrier)
    held = await held_number(twilio, tenant, sms_url="https://elsewhere.example/sms")

    token_of, expected = CALLERS[caller]
    results = [
        await tenant.graphql.execute(
            REGISTER, {"input": {"phoneNumber": number}}, token=token_of(tenant)
        )
        for number in (held.phone_number, SHARED_SENDER)
    ]

    assert [error_codes(result) for result in results] == [[expected], [expected]]
    assert [result["data"] for result in results] == [None, None]
    assert await numbers_of(tenant) == []
    at_twilio = await client_of(twilio, tenant).incoming_phone_numbers(held.sid).fetch_async()
    assert at_twilio.sms_url == "https://elsewhere.example/sms"


async def test_only_admins_switch_whatsapp_sending_and_only_on_their_tenants_numbers(
    tenant: Tenant, other_tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    await other_tenant.connect_twilio(carrier)
    amys = await tenant.buy_any_number(ownerId="auth0|amy")
    theirs = await other_tenant.buy_any_number()
    enable = {"input": {"whatsappEnabled": True}}

    by_owner = await tenant.graphql.execute(
        UPDATE, {"id": amys["id"], **enable}, token=tenant.token(sub="auth0|amy")
    )
    unchanged = await PhoneNumber.get(id=int(amys["id"]))
    across = await tenant.execute(UPDATE, {"id": theirs["id"], **enable}, as_="admin")
    by_admin = await tenant.execute(UPDATE, {"id": amys["id"], **enable}, as_="admin")
    read = await tenant.execute(NUMBER, {"id": amys["id"]}, as_="admin")

    assert error_codes(by_owner) == ["FORBIDDEN"]
    assert unchanged.whatsapp_enabled is False
    assert across["data"]["updateNumber"]["code"] == "PHONE_NUMBER_NOT_FOUND"
    assert (await PhoneNumber.get(id=int(theirs["id"]))).whatsapp_enabled is False
    assert by_admin["data"]["updateNumber"] == {
        "__typename": "PhoneNumber",
        "id": amys["id"],
        "whatsappEnabled": True,
    }
    assert read["data"]["number"] == {
        "id": amys["id"],
        "sid": amys["sid"],
        "provider": "TWILIO",
        "whatsappEnabled": True,
    }


# --- The shared WhatsApp Sandbox sender ----------------------------------------------------


async def test_two_tenants_register_the_shared_sender_and_each_receives_only_its_own(
    tenant: Tenant, other_tenant: Tenant, carrier: str, gateway: str, settings: Settings
) -> None:
    # Given: two tenants whose accounts' WhatsApp Sandboxes post here, both registering it.
    for each in (tenant, other_tenant):
        await each.connect_twilio(carrier)
        await join_whatsapp_sandbox(carrier, each, settings)
    ours = await register(tenant, phoneNumber=SHARED_SENDER, label="WhatsApp trial")
    theirs = await register(other_tenant, phoneNumber=SHARED_SENDER)

    # When: phones in each tenant's sandbox write to the shared sender, interleaved.
    async with (
        subscribe(gateway, tenant.token("admin"), ACTIVITY, {"after": "0"}) as our_inbox,
        subscribe(gateway, other_tenant.token("admin"), ACTIVITY, {"after": "0"}) as their_inbox,
    ):
        first = await whatsapp_to_the_shared_sender(carrier, tenant, "ours 1")
        between = await whatsapp_to_the_shared_sender(carrier, other_tenant, "theirs 1")
        second = await whatsapp_to_the_shared_sender(carrier, tenant, "ours 2")
        seen_by_us = [await received(our_inbox), await received(our_inbox)]
        seen_by_them = [await received(their_inbox)]

    # Then: both hold it without a SID, WhatsApp only; each saw its own messages, in order.
    for registered in (ours, theirs):
        assert registered["sid"] is None
        assert registered["phoneNumber"] == SHARED_SENDER
        assert (registered["provider"], registered["whatsappEnabled"]) == ("TWILIO", True)
        assert registered["capabilities"] == {"voice": False, "sms": False, "mms": False}
    assert ours["id"] != theirs["id"]
    assert seen_by_us == [(first, "ours 1"), (second, "ours 2")]
    assert seen_by_them == [(between, "theirs 1")]
    stored = Message.filter(tenant__org_id=tenant.org).order_by("id")
    assert [(m.sid, m.channel.value, m.number_id) for m in await stored] == [  # type: ignore[attr-defined]
        (first, "whatsapp", int(ours["id"])),
        (second, "whatsapp", int(ours["id"])),
    ]


async def test_inbound_to_the_shared_sender_is_refused_unless_its_account_registered_it(
    tenant: Tenant, other_tenant: Tenant, carrier: str, gateway: str
) -> None:
    # Given: one tenant registered the shared sender; another is connected but did not. The
    # first is its only holder (earlier tests' tenants let go of it), so a look-up by number
    # would find exactly that tenant: the shared sender must not be looked up so.
    await tenant.connect_twilio(carrier)
    await other_tenant.connect_twilio(carrier)
    await register(tenant, phoneNumber=SHARED_SENDER)
    await (
        PhoneNumber.filter(phone_number=SHARED_SENDER)
        .exclude(tenant__org_id=tenant.org)
        .update(status=NumberStatus.RELEASED)
    )
    assert tenant.account is not None
    assert other_tenant.account is not None
    stranger = "AC" + uuid.uuid4().hex

    # When: webhooks to it arrive from an unknown account, from the other tenant's account,
    # and without an AccountSid but signed with the registering tenant's token.
    unknown = await post_signed_inbound(
        gateway, to=SHARED_SENDER, token=uuid.uuid4().hex, account_sid=stranger
    )
    unregistered = await post_signed_inbound(
        gateway,
        to=SHARED_SENDER,
        token=other_tenant.account.auth_token,
        account_sid=other_tenant.account.account_sid,
    )
    by_number = await post_signed_inbound(
        gateway, to=SHARED_SENDER, token=tenant.account.auth_token, account_sid=None
    )
    registered = await post_signed_inbound(
        gateway,
        to=SHARED_SENDER,
        token=tenant.account.auth_token,
        account_sid=tenant.account.account_sid,
    )

    # Then: only the registering account's own is taken; a shared sender is nobody's by number.
    assert [r.status_code for r in (unknown, unregistered, by_number, registered)] == [
        403,
        403,
        403,
        200,
    ]
    counts = [
        await Message.filter(tenant__org_id=org).count() for org in (tenant.org, other_tenant.org)
    ]
    assert counts == [1, 0]


async def test_the_shared_sender_is_registered_once_per_tenant(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)

    first = await register(tenant, phoneNumber=SHARED_SENDER)
    again = await register(tenant, phoneNumber=SHARED_SENDER)

    assert first["__typename"] == "PhoneNumber"
    assert again["code"] == "CONFLICT"
    assert await numbers_of(tenant) == [(SHARED_SENDER, None, NumberStatus.ACTIVE)]


@pytest.mark.parametrize("number", ["held", "shared"])
async def test_registrations_of_one_number_at_once_store_it_once(
    tenant: Tenant, carrier: str, twilio: TwilioClients, number: str
) -> None:
    await tenant.connect_twilio(carrier)
    phone_number = (
        (await held_number(twilio, tenant)).phone_number if number == "held" else SHARED_SENDER
    )

    results = await asyncio.gather(*(register(tenant, phoneNumber=phone_number) for _ in range(8)))

    assert sorted(r["__typename"] for r in results) == ["ConflictError"] * 7 + ["PhoneNumber"]
    assert [n for n, _, _ in await numbers_of(tenant)] == [phone_number]


async def test_releasing_the_shared_sender_releases_it_here_only_and_for_that_tenant_only(
    tenant: Tenant, other_tenant: Tenant, carrier: str, gateway: str
) -> None:
    # Given: two tenants hold the shared sender, and each has taken a message on it.
    for each in (tenant, other_tenant):
        await each.connect_twilio(carrier)
    ours = await register(tenant, phoneNumber=SHARED_SENDER)
    await register(other_tenant, phoneNumber=SHARED_SENDER)
    assert tenant.account is not None
    assert other_tenant.account is not None
    accounts = {each.org: each.account for each in (tenant, other_tenant)}

    async def inbound(org: str) -> int:
        account = accounts[org]
        assert account is not None
        response = await post_signed_inbound(
            gateway, to=SHARED_SENDER, token=account.auth_token, account_sid=account.account_sid
        )
        return response.status_code

    warmed = [await inbound(tenant.org), await inbound(other_tenant.org)]

    # When: one releases it.
    released = await tenant.execute(RELEASE, {"id": ours["id"]}, as_="admin")
    after = [await inbound(tenant.org), await inbound(other_tenant.org)]

    # Then: released without a call to Twilio (there is nothing to release there); from that
    # moment its inbound is refused, the other tenant's still taken.
    assert released["data"]["releaseNumber"] == {
        "__typename": "PhoneNumber",
        "status": "RELEASED",
        "sid": None,
    }
    assert (warmed, after) == ([200, 200], [403, 200])
    row = await TenantRow.get(org_id=tenant.org)
    assert await Message.filter(tenant_id=row.id).count() == 1


# --- Inbound to inactive and released numbers ----------------------------------------------


async def test_inbound_to_an_inactive_number_is_stored_announced_and_flagged(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    await tenant.connect_twilio(carrier)
    active = await tenant.buy_any_number()
    inactive = await tenant.buy_any_number()
    paused = await tenant.execute(
        SET_STATUS, {"id": inactive["id"], "input": {"status": "INACTIVE"}}, as_="admin"
    )
    assert paused["data"]["updateNumber"]["status"] == "INACTIVE", paused

    async with subscribe(gateway, tenant.token("admin"), ACTIVITY, {"after": "0"}) as subscriber:
        to_inactive = await text(carrier, to=inactive["phoneNumber"], body="anyone?")
        to_active = await text(carrier, to=active["phoneNumber"], body="hello")
        events = [(await subscriber.next())["activity"] for _ in range(2)]

    # (The sandbox posts the two texts concurrently: either may be stored first.)
    assert sorted((e["kind"], e["numberId"], e["message"]["sid"]) for e in events) == sorted(
        [
            ("MESSAGE_RECEIVED", inactive["id"], to_inactive),
            ("MESSAGE_RECEIVED", active["id"], to_active),
        ]
    )
    flags = {
        m.sid: m.received_while_inactive
        for m in await Message.filter(sid__in=[to_inactive, to_active])
    }
    assert flags == {to_inactive: True, to_active: False}


async def test_inbound_to_a_released_number_is_refused(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    # A released number is no longer the tenant's at Twilio: whatever arrives for it now is
    # some other account's traffic, or a replay.
    await tenant.connect_twilio(carrier)
    assert tenant.account is not None
    number = await tenant.buy_any_number()
    released = await tenant.execute(RELEASE, {"id": number["id"]}, as_="admin")
    assert released["data"]["releaseNumber"]["status"] == "RELEASED"

    response = await post_signed_inbound(
        gateway,
        to=number["phoneNumber"],
        token=tenant.account.auth_token,
        account_sid=tenant.account.account_sid,
    )

    assert response.status_code == 403
    assert await Message.filter(tenant__org_id=tenant.org).count() == 0
