"""Outbound messages: validation, magic numbers, status progression, signed callbacks, paging."""

from __future__ import annotations

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException

from tests.sandbox.fixtures import SandboxAccount, open_account
from tests.sandbox.receiver import WebhookReceiver
from trunkline.twilio import ProviderError, TwilioClients, call_twilio

RECIPIENT = "+14155550199"


async def text_from(
    control: httpx.AsyncClient, contact: str, number: str, body: str, *, channel: str = "sms"
) -> None:
    """The contact texts ``number`` (opening a WhatsApp window, or a keyword)."""
    response = await control.post(
        "/inbound/message",
        json={"to": number, "from": contact, "body": body, "channel": channel, "media_urls": []},
    )
    assert response.status_code == 202, response.text


async def own_number(account: SandboxAccount, area_code: str = "415") -> str:
    bought = await account.client.incoming_phone_numbers.create_async(area_code=area_code)
    return bought.phone_number


async def test_a_message_advances_to_delivered_posting_a_signed_callback_per_step(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    sender = await own_number(account)

    created = await account.client.messages.create_async(
        to=RECIPIENT, from_=sender, body="Your table is ready", status_callback=receiver.url("/st")
    )
    callbacks = [await receiver.next("/st") for _ in range(3)]
    fetched = await account.client.messages(created.sid).fetch_async()

    assert created.status == "queued"
    assert created.sid.startswith("SM")
    assert (created.direction, created.num_segments, created.num_media) == (
        "outbound-api",
        "1",
        "0",
    )
    assert [c.fields["MessageStatus"] for c in callbacks] == ["sending", "sent", "delivered"]
    assert all(c.signed_with(account.auth_token) for c in callbacks)
    assert not any(c.signed_with("f" * 32) for c in callbacks)
    assert callbacks[-1].fields == {
        "AccountSid": account.sid,
        "ApiVersion": "2010-04-01",
        "From": sender,
        "To": RECIPIENT,
        "MessageSid": created.sid,
        "SmsSid": created.sid,
        "SmsStatus": "delivered",
        "MessageStatus": "delivered",
    }
    tokens = {c.headers["i-twilio-idempotency-token"] for c in callbacks}
    assert len(tokens) == 3
    assert {c.headers["user-agent"] for c in callbacks} == {"TwilioProxy/1.1"}
    assert fetched.status == "delivered"
    assert (fetched.price, fetched.price_unit) == ("-0.00790", "USD")
    assert fetched.date_sent is not None
    assert (fetched.error_code, fetched.error_message) == (None, None)


@pytest.mark.parametrize(
    ("to", "code"),
    [("+15005550001", 21211), ("+15005550002", 21612), ("+15005550003", 21408),
     ("+15005550004", 21610), ("not a number", 21211)],
)  # fmt: skip
async def test_magic_recipients_are_refused_with_twilios_codes(
    account: SandboxAccount, to: str, code: int
) -> None:
    sender = await own_number(account)

    with pytest.raises(TwilioRestException) as raised:
        await account.client.messages.create_async(to=to, from_=sender, body="hi")

    assert (raised.value.status, raised.value.code) == (400, code)


@pytest.mark.parametrize(
    ("sender", "code"),
    [("+15005550001", 21212), ("+15005550007", 21606), ("+15005550008", 21611),
     ("+14155559999", 21606)],
)  # fmt: skip
async def test_magic_and_unowned_senders_are_refused_with_twilios_codes(
    account: SandboxAccount, sender: str, code: int
) -> None:
    with pytest.raises(ProviderError) as raised:
        await call_twilio(
            account.client.messages.create_async(to=RECIPIENT, from_=sender, body="x")
        )

    assert (raised.value.status, raised.value.code) == (400, code)


async def test_a_number_of_another_account_is_not_a_valid_sender(
    account: SandboxAccount, control: httpx.AsyncClient, twilio_clients: TwilioClients
) -> None:
    other = await open_account(control, twilio_clients)
    theirs = await own_number(other)

    with pytest.raises(TwilioRestException) as raised:
        await account.client.messages.create_async(to=RECIPIENT, from_=theirs, body="x")
    sent_by_owner = await other.client.messages.create_async(to=RECIPIENT, from_=theirs, body="x")

    assert raised.value.code == 21606
    assert sent_by_owner.status == "queued"


async def test_the_magic_sender_15005550006_may_send_for_any_account(
    account: SandboxAccount,
) -> None:
    sent = await account.client.messages.create_async(
        to=RECIPIENT, from_="+15005550006", body="test"
    )

    assert (sent.from_, sent.status) == ("+15005550006", "queued")


async def test_a_recipient_that_cannot_receive_ends_undelivered_with_21614(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    sender = await own_number(account)

    created = await account.client.messages.create_async(
        to="+15005550009", from_=sender, body="hello?", status_callback=receiver.url("/st")
    )
    callbacks = [await receiver.next("/st") for _ in range(3)]
    fetched = await account.client.messages(created.sid).fetch_async()

    assert [c.fields["MessageStatus"] for c in callbacks] == ["sending", "sent", "undelivered"]
    assert "ErrorCode" not in callbacks[1].fields
    assert callbacks[2].fields["ErrorCode"] == "21614"
    assert (fetched.status, fetched.error_code) == ("undelivered", 21614)
    assert fetched.error_message == "'To' number is not a valid mobile number"


async def test_the_sandbox_failure_number_ends_failed_without_being_sent(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    sender = await own_number(account)

    created = await account.client.messages.create_async(
        to="+15005550013", from_=sender, body="lost", status_callback=receiver.url("/st")
    )
    callbacks = [await receiver.next("/st") for _ in range(2)]
    fetched = await account.client.messages(created.sid).fetch_async()

    assert [c.fields["MessageStatus"] for c in callbacks] == ["sending", "failed"]
    assert callbacks[1].fields["ErrorCode"] == "30008"
    assert (fetched.status, fetched.error_code, fetched.date_sent) == ("failed", 30008, None)


async def test_repeated_media_urls_make_an_mms(account: SandboxAccount) -> None:
    sender = await own_number(account)

    sent = await account.client.messages.create_async(
        to=RECIPIENT,
        from_=sender,
        media_url=["https://cdn.example/a.jpg", "https://cdn.example/b.png"],
    )

    assert sent.sid.startswith("MM")
    assert (sent.num_media, sent.body) == ("2", "")


async def test_whatsapp_addresses_keep_their_prefix_through_the_callbacks(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    sender = await own_number(account)
    await text_from(control, RECIPIENT, sender, "Where is my order?", channel="whatsapp")

    sent = await account.client.messages.create_async(
        to=f"whatsapp:{RECIPIENT}",
        from_=f"whatsapp:{sender}",
        body="Your order shipped",
        status_callback=receiver.url("/wa"),
    )
    callbacks = [await receiver.next("/wa") for _ in range(3)]

    assert (sent.to, sent.from_) == (f"whatsapp:{RECIPIENT}", f"whatsapp:{sender}")
    assert callbacks[-1].fields["To"] == f"whatsapp:{RECIPIENT}"
    assert callbacks[-1].fields["ChannelPrefix"] == "whatsapp"
    assert callbacks[-1].fields["ChannelToAddress"] == RECIPIENT


async def test_from_and_to_of_different_channels_are_refused(account: SandboxAccount) -> None:
    sender = await own_number(account)

    with pytest.raises(TwilioRestException) as raised:
        await account.client.messages.create_async(
            to=f"whatsapp:{RECIPIENT}", from_=sender, body="x"
        )

    assert raised.value.code == 21910


async def test_a_messaging_service_sends_from_one_of_the_accounts_numbers(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    sender = await own_number(account)
    service_sid = "MG" + "ab" * 16

    sent = await account.client.messages.create_async(
        to=RECIPIENT,
        messaging_service_sid=service_sid,
        body="From the pool",
        status_callback=receiver.url("/ms"),
    )
    callbacks = [await receiver.next("/ms") for _ in range(4)]

    assert (sent.status, sent.from_, sent.messaging_service_sid) == (
        "accepted",
        sender,
        service_sid,
    )
    assert [c.fields["MessageStatus"] for c in callbacks] == [
        "queued",
        "sending",
        "sent",
        "delivered",
    ]
    assert callbacks[0].fields["MessagingServiceSid"] == service_sid


async def test_a_messaging_service_without_numbers_is_refused(account: SandboxAccount) -> None:
    with pytest.raises(TwilioRestException) as raised:
        await account.client.messages.create_async(
            to=RECIPIENT, messaging_service_sid="MG" + "cd" * 16, body="x"
        )

    assert raised.value.code == 21704


@pytest.mark.parametrize(
    ("fields", "code"),
    [({}, 21602), ({"body": "x" * 1601}, 21617),
     ({"body": "x", "media_url": [f"https://cdn.example/{i}.jpg" for i in range(11)]}, 21623)],
)  # fmt: skip
async def test_bodies_and_media_are_checked_as_on_twilio(
    account: SandboxAccount, fields: dict[str, object], code: int
) -> None:
    sender = await own_number(account)

    with pytest.raises(TwilioRestException) as raised:
        await account.client.messages.create_async(to=RECIPIENT, from_=sender, **fields)

    assert (raised.value.status, raised.value.code) == (400, code)


async def test_long_and_unicode_bodies_count_segments_like_twilio(account: SandboxAccount) -> None:
    sender = await own_number(account)

    long_text = await account.client.messages.create_async(
        to=RECIPIENT, from_=sender, body="a" * 161
    )
    emoji = await account.client.messages.create_async(to=RECIPIENT, from_=sender, body="👍" * 71)

    assert long_text.num_segments == "2"
    assert emoji.num_segments == "2"


async def test_the_message_list_pages_newest_first_and_filters_by_recipient(
    account: SandboxAccount,
) -> None:
    sender = await own_number(account)
    sent = [
        await account.client.messages.create_async(to=RECIPIENT, from_=sender, body=f"#{i}")
        for i in range(5)
    ]
    other = await account.client.messages.create_async(to="+14155550198", from_=sender, body="o")

    page = await account.client.messages.page_async(page_size=2)
    to_recipient = await account.client.messages.list_async(to=RECIPIENT, page_size=2)

    assert [m.sid for m in page] == [other.sid, sent[4].sid]
    assert [m.body for m in to_recipient] == ["#4", "#3", "#2", "#1", "#0"]


async def test_a_failing_callback_is_retried_as_its_connection_overrides_ask(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    sender = await own_number(account)
    receiver.reply("/flaky", status=500, times=2)

    await account.client.messages.create_async(
        to=RECIPIENT,
        from_=sender,
        body="retry me",
        status_callback=receiver.url("/flaky") + "#rc=2&rp=5xx",
    )
    attempts = [await receiver.next("/flaky") for _ in range(4)]

    assert [a.fields["MessageStatus"] for a in attempts] == [
        "sending",
        "sending",
        "sending",
        "sent",
    ]
    tokens = [a.headers["i-twilio-idempotency-token"] for a in attempts]
    assert tokens[0] == tokens[1] == tokens[2] != tokens[3]
    assert all(a.signed_with(account.auth_token) for a in attempts)


async def test_by_default_a_5xx_answer_is_not_retried(
    account: SandboxAccount, receiver: WebhookReceiver
) -> None:
    sender = await own_number(account)
    receiver.reply("/once", status=503)

    await account.client.messages.create_async(
        to=RECIPIENT, from_=sender, body="no retry", status_callback=receiver.url("/once")
    )
    attempts = [await receiver.next("/once") for _ in range(3)]

    # Callbacks of one message go out in order, so a retry would come before "sent".
    assert [a.fields["MessageStatus"] for a in attempts] == ["sending", "sent", "delivered"]
