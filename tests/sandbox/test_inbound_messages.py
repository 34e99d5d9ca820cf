"""Inbound messages through the control API: delivered to the number's SmsUrl, signed."""

from __future__ import annotations

import httpx

from tests.sandbox.fixtures import SandboxAccount, open_account
from tests.sandbox.receiver import WebhookReceiver
from trunkline.twilio import TwilioClients

TEXTER = "+447700900123"


async def test_an_inbound_sms_is_posted_to_the_numbers_sms_url_with_twilios_fields(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="415", sms_url=receiver.url("/sms")
    )

    response = await control.post(
        "/inbound/message", json={"to": number.phone_number, "from": TEXTER, "body": "Hi there"}
    )
    webhook = await receiver.next("/sms")
    stored = await account.client.messages(response.json()["sid"]).fetch_async()

    sid = response.json()["sid"]
    assert response.status_code == 202
    assert sid.startswith("SM")
    assert webhook.method == "POST"
    assert webhook.signed_with(account.auth_token)
    assert webhook.fields == {
        "ToCountry": "US",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": "Hi there",
        "FromCountry": "GB",
        "To": number.phone_number,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": account.sid,
        "From": TEXTER,
        "ApiVersion": "2010-04-01",
    }
    assert (stored.direction, stored.status, stored.body) == ("inbound", "received", "Hi there")
    assert (stored.from_, stored.to) == (TEXTER, number.phone_number)


async def test_an_inbound_whatsapp_message_carries_its_media(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="312", sms_url=receiver.url("/wa")
    )
    media = ["https://cdn.example/menu.jpg", "https://cdn.example/map.png?size=large"]

    response = await control.post(
        "/inbound/message",
        json={
            "to": number.phone_number,
            "from": TEXTER,
            "body": "See attached",
            "channel": "whatsapp",
            "media_urls": media,
        },
    )
    webhook = await receiver.next("/wa")

    fields = webhook.fields
    assert response.json()["sid"].startswith("MM")
    assert webhook.signed_with(account.auth_token)
    assert (fields["From"], fields["To"]) == (
        f"whatsapp:{TEXTER}",
        f"whatsapp:{number.phone_number}",
    )
    hosted = await account.client.messages(response.json()["sid"]).media.list_async()
    hosted_urls = [
        f"https://api.twilio.com/2010-04-01/Accounts/{account.sid}/Messages/"
        f"{response.json()['sid']}/Media/{item.sid}"
        for item in hosted
    ]
    assert fields["NumMedia"] == "2"
    # Twilio's copies of the files, never the URLs the sender named.
    assert (fields["MediaUrl0"], fields["MediaContentType0"]) == (hosted_urls[0], "image/jpeg")
    assert (fields["MediaUrl1"], fields["MediaContentType1"]) == (hosted_urls[1], "image/png")
    assert (fields["WaId"], fields["ProfileName"], fields["MessageType"]) == (
        "447700900123",
        "Sandbox User",
        "image",
    )


async def test_an_sms_url_with_method_get_receives_a_signed_query_string(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="206", sms_url=receiver.url("/sms-get?tenant=acme"), sms_method="GET"
    )

    await control.post(
        "/inbound/message", json={"to": number.phone_number, "from": TEXTER, "body": "q?"}
    )
    webhook = await receiver.next("/sms-get")

    assert webhook.method == "GET"
    assert webhook.signed_with(account.auth_token)
    assert (webhook.fields["tenant"], webhook.fields["Body"]) == ("acme", "q?")


async def test_a_twiml_message_reply_is_sent_back_to_the_texter(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="512", sms_url=receiver.url("/hooks/sms")
    )
    receiver.reply(
        "/hooks/sms",
        '<Response><Message statusCallback="reply-status">Thanks, we got it</Message></Response>',
    )

    await control.post(
        "/inbound/message", json={"to": number.phone_number, "from": TEXTER, "body": "Book me"}
    )
    await receiver.next("/hooks/sms")
    statuses = [await receiver.next("/hooks/reply-status") for _ in range(3)]
    replies = await account.client.messages.list_async(to=TEXTER)

    assert [s.fields["MessageStatus"] for s in statuses] == ["sending", "sent", "delivered"]
    assert [(r.direction, r.body, r.from_) for r in replies] == [
        ("outbound-reply", "Thanks, we got it", number.phone_number)
    ]
    assert statuses[0].fields["MessageSid"] == replies[0].sid


async def test_inbound_traffic_to_a_number_nobody_owns_is_refused(
    control: httpx.AsyncClient,
) -> None:
    message = await control.post(
        "/inbound/message", json={"to": "+14155550999", "from": TEXTER, "body": "anyone?"}
    )
    call = await control.post("/inbound/call", json={"to": "+14155550999", "from": TEXTER})

    assert message.status_code == call.status_code == 404
    assert message.json() == {"detail": "no sandbox account owns +14155550999"}


async def test_an_sms_to_a_voice_only_number_is_refused(
    account: SandboxAccount, control: httpx.AsyncClient
) -> None:
    london = await account.client.incoming_phone_numbers.create_async(phone_number="+442079460777")

    response = await control.post(
        "/inbound/message", json={"to": london.phone_number, "from": TEXTER, "body": "hello"}
    )

    assert response.status_code == 409
    assert response.json() == {"detail": "+442079460777 cannot receive SMS"}


async def test_an_inbound_message_needs_a_sender_and_some_content(
    account: SandboxAccount, control: httpx.AsyncClient
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(area_code="415")

    no_sender = await control.post("/inbound/message", json={"to": number.phone_number})
    no_content = await control.post(
        "/inbound/message", json={"to": number.phone_number, "from": TEXTER}
    )
    bad_channel = await control.post(
        "/inbound/message",
        json={"to": number.phone_number, "from": TEXTER, "body": "x", "channel": "fax"},
    )

    assert (no_sender.status_code, no_content.status_code, bad_channel.status_code) == (
        422,
        422,
        422,
    )


WHATSAPP_SANDBOX = "+14155238886"


async def test_whatsapp_to_the_shared_sandbox_sender_goes_to_the_joined_accounts_url(
    control: httpx.AsyncClient, twilio_clients: TwilioClients, receiver: WebhookReceiver
) -> None:
    # Given: two accounts whose WhatsApp Sandboxes post to different URLs.
    first = await open_account(control, twilio_clients)
    second = await open_account(control, twilio_clients)
    for each, path in ((first, "/first"), (second, "/second")):
        configured = await control.post(
            f"/accounts/{each.sid}/whatsapp-sandbox", json={"url": receiver.url(path)}
        )
        assert configured.status_code == 200, configured.text

    # When: a phone that joined the second account's sandbox writes to the shared sender.
    response = await control.post(
        "/inbound/message",
        json={
            "to": f"whatsapp:{WHATSAPP_SANDBOX}",
            "from": TEXTER,
            "body": "join",
            "channel": "whatsapp",
            "account_sid": second.sid,
        },
    )
    webhook = await receiver.next("/second")

    # Then: the second account's URL gets it, signed with that account's token, as its own.
    assert response.status_code == 202, response.text
    assert webhook.signed_with(second.auth_token)
    assert (webhook.fields["AccountSid"], webhook.fields["To"], webhook.fields["From"]) == (
        second.sid,
        f"whatsapp:{WHATSAPP_SANDBOX}",
        f"whatsapp:{TEXTER}",
    )
    stored = await second.client.messages(response.json()["sid"]).fetch_async()
    assert (stored.direction, stored.to) == ("inbound", f"whatsapp:{WHATSAPP_SANDBOX}")
    assert await first.client.incoming_phone_numbers.list_async() == []  # held by nobody


async def test_the_shared_sandbox_sender_needs_an_account_with_a_url_and_whatsapp(
    control: httpx.AsyncClient, twilio_clients: TwilioClients, receiver: WebhookReceiver
) -> None:
    unset = await open_account(control, twilio_clients)
    joined = await open_account(control, twilio_clients)
    await control.post(f"/accounts/{joined.sid}/whatsapp-sandbox", json={"url": receiver.url("/j")})
    message = {"to": WHATSAPP_SANDBOX, "from": TEXTER, "body": "hi", "channel": "whatsapp"}

    no_account = await control.post("/inbound/message", json=message)
    unknown = await control.post(
        "/inbound/message", json={**message, "account_sid": "AC" + "0" * 32}
    )
    no_url = await control.post("/inbound/message", json={**message, "account_sid": unset.sid})
    sms = await control.post(
        "/inbound/message", json={**message, "channel": "sms", "account_sid": joined.sid}
    )
    bad_url = await control.post(f"/accounts/{joined.sid}/whatsapp-sandbox", json={"url": ""})

    assert [r.status_code for r in (no_account, unknown, no_url, sms, bad_url)] == [
        422,
        404,
        409,
        409,
        422,
    ]


async def test_an_account_sid_given_for_an_owned_number_must_be_its_owners(
    account: SandboxAccount, control: httpx.AsyncClient, twilio_clients: TwilioClients
) -> None:
    number = await account.client.incoming_phone_numbers.create_async(area_code="415")
    other = await open_account(control, twilio_clients)
    message = {"to": number.phone_number, "from": TEXTER, "body": "hi"}

    owner = await control.post("/inbound/message", json={**message, "account_sid": account.sid})
    not_owner = await control.post("/inbound/message", json={**message, "account_sid": other.sid})

    assert (owner.status_code, not_owner.status_code) == (202, 409)
