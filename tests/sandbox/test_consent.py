"""What a contact lets a sender send: STOP / START opt-out, WhatsApp's 24-hour window, templates;
and senders that cannot send what they are asked to (21606)."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from tests.sandbox.fixtures import SandboxAccount, SandboxServer
from tests.sandbox.receiver import WebhookReceiver
from tests.sandbox.test_messages import own_number, text_from
from trunkline.twilio import ProviderError, call_twilio

CONTACT = "+14155550142"
TEMPLATE = "HX" + "a" * 32


async def send(account: SandboxAccount, **arguments: object) -> str:
    created = await call_twilio(account.client.messages.create_async(**arguments))
    return created.sid


async def refusal(account: SandboxAccount, **arguments: object) -> int | None:
    with pytest.raises(ProviderError) as raised:
        await call_twilio(account.client.messages.create_async(**arguments))
    return raised.value.code


@pytest.mark.parametrize("keyword", ["STOP", "stop", " Unsubscribe ", "STOP ALL", "quit"])
async def test_an_opt_out_keyword_refuses_later_sends_to_that_contact_with_21610(
    account: SandboxAccount, control: httpx.AsyncClient, keyword: str
) -> None:
    sender = await own_number(account)
    await text_from(control, CONTACT, sender, keyword)

    code = await refusal(account, to=CONTACT, from_=sender, body="Still there?")

    assert code == 21610


async def test_start_after_stop_lets_sends_through_again(
    account: SandboxAccount, control: httpx.AsyncClient
) -> None:
    sender = await own_number(account)
    await text_from(control, CONTACT, sender, "STOP")
    await text_from(control, CONTACT, sender, "START")

    sid = await send(account, to=CONTACT, from_=sender, body="Welcome back")

    assert sid.startswith("SM")


async def test_an_opt_out_holds_for_its_sender_only(
    account: SandboxAccount, control: httpx.AsyncClient
) -> None:
    stopped, other = await own_number(account), await own_number(account)
    await text_from(control, CONTACT, stopped, "STOP")

    sid = await send(account, to=CONTACT, from_=other, body="From another number")

    assert sid.startswith("SM")


async def test_a_message_merely_containing_stop_is_no_opt_out(
    account: SandboxAccount, control: httpx.AsyncClient
) -> None:
    sender = await own_number(account)
    await text_from(control, CONTACT, sender, "Please stop by tomorrow")

    assert (await send(account, to=CONTACT, from_=sender, body="Will do")).startswith("SM")


async def test_free_form_whatsapp_to_a_contact_who_never_wrote_is_refused_with_63016(
    account: SandboxAccount,
) -> None:
    sender = await own_number(account)

    code = await refusal(
        account, to=f"whatsapp:{CONTACT}", from_=f"whatsapp:{sender}", body="Hello"
    )

    assert code == 63016


async def test_a_template_may_open_a_whatsapp_conversation_outside_the_window(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    sender = await own_number(account)

    sid = await send(
        account,
        to=f"whatsapp:{CONTACT}",
        from_=f"whatsapp:{sender}",
        content_sid=TEMPLATE,
        content_variables=json.dumps({"1": "Ana"}),
        status_callback=receiver.url("/tpl"),
    )
    callbacks = [await receiver.next("/tpl") for _ in range(3)]

    assert sid.startswith("SM")
    assert callbacks[-1].fields["MessageStatus"] == "delivered"


@pytest.mark.own_sandbox
async def test_the_whatsapp_window_closes_24_hours_after_the_contacts_last_message(
    account: SandboxAccount, control: httpx.AsyncClient, sandbox_server: SandboxServer
) -> None:
    sender = await own_number(account)
    whatsapp = {"to": f"whatsapp:{CONTACT}", "from_": f"whatsapp:{sender}"}
    await text_from(control, CONTACT, sender, "Hi!", channel="whatsapp")
    inside = await send(account, body="Inside the window", **whatsapp)

    sandbox_server.sandbox.clock.advance(timedelta(hours=24, seconds=1))
    code = await refusal(account, body="A day later", **whatsapp)

    assert inside.startswith("SM")
    assert code == 63016


@pytest.mark.nonconforming_request  # a ContentSid the spec's pattern refuses, on purpose
@pytest.mark.parametrize(
    ("content_sid", "variables", "code"),
    [("HX123", None, 21655), (TEMPLATE, "not json", 21656), (TEMPLATE, "[1, 2]", 21656)],
)
async def test_malformed_templates_are_refused(
    account: SandboxAccount, content_sid: str, variables: str | None, code: int
) -> None:
    sender = await own_number(account)
    arguments = {"content_variables": variables} if variables is not None else {}

    refused = await refusal(account, to=CONTACT, from_=sender, content_sid=content_sid, **arguments)

    assert refused == code


async def toll_free(account: SandboxAccount, country: str) -> str:
    """A toll-free number of ``country``: voice only in AU, voice and SMS (no MMS) in CA."""
    numbers = account.client.available_phone_numbers(country).toll_free
    offered = await numbers.list_async(limit=1)
    bought = await account.client.incoming_phone_numbers.create_async(
        phone_number=offered[0].phone_number
    )
    return bought.phone_number


async def test_a_number_without_sms_cannot_send_an_sms_21606(account: SandboxAccount) -> None:
    voice_only = await toll_free(account, "AU")

    assert await refusal(account, to=CONTACT, from_=voice_only, body="hi") == 21606


async def test_a_number_without_mms_cannot_send_media_21606(account: SandboxAccount) -> None:
    sms_only = await toll_free(account, "CA")

    code = await refusal(
        account, to=CONTACT, from_=sms_only, media_url=["https://example.com/a.png"]
    )

    assert code == 21606


async def test_the_price_is_null_until_the_message_is_final(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    sender = await own_number(account)

    created = await account.client.messages.create_async(
        to=CONTACT, from_=sender, body="Priced", status_callback=receiver.url("/price")
    )
    [await receiver.next("/price") for _ in range(3)]
    fetched = await account.client.messages(created.sid).fetch_async()

    assert created.price is None
    assert (fetched.status, fetched.price, fetched.price_unit) == ("delivered", "-0.00790", "USD")
