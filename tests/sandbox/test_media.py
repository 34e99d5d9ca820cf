"""Message media as Twilio hosts it: Media resources, their files served to the account only."""

from __future__ import annotations

import zlib

import httpx
import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException

from tests.sandbox.fixtures import SandboxAccount, SandboxServer, open_account
from tests.sandbox.receiver import WebhookReceiver
from trunkline.sandbox.media import GENERATED_SIZE, media_content
from trunkline.twilio import TwilioClients, redirect_url

TEXTER = "+447700900124"
RECIPIENT = "+14155550199"


async def _inbound_mms(
    account: SandboxAccount,
    receiver: WebhookReceiver,
    control: httpx.AsyncClient,
    media_urls: list[str],
) -> dict[str, str]:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="415", sms_url=receiver.url("/mms")
    )
    response = await control.post(
        "/inbound/message",
        json={"to": number.phone_number, "from": TEXTER, "media_urls": media_urls},
    )
    assert response.status_code == 202, response.text
    return (await receiver.next("/mms")).fields


def _file_url(server: SandboxServer, media_url: str) -> str:
    # The gateway reaches media the way it reaches the API: through its API base.
    return redirect_url(media_url, f"{server.url}/twilio")


async def test_an_inbound_files_bytes_are_served_to_the_accounts_credentials_only(
    account: SandboxAccount,
    receiver: WebhookReceiver,
    control: httpx.AsyncClient,
    sandbox_server: SandboxServer,
    twilio_clients: TwilioClients,
) -> None:
    fields = await _inbound_mms(account, receiver, control, ["https://elsewhere.example/cat.png"])
    url = _file_url(sandbox_server, fields["MediaUrl0"])
    stranger = await open_account(control, twilio_clients)

    async with httpx.AsyncClient() as http:
        served = await http.get(url, auth=(account.sid, account.auth_token))
        anonymous = await http.get(url)
        wrong_token = await http.get(url, auth=(account.sid, "0" * 32))
        other_account = await http.get(url, auth=(stranger.sid, stranger.auth_token))

    assert fields["MediaContentType0"] == "image/png"
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content == media_content("image/png")
    assert served.content.startswith(b"\x89PNG\r\n\x1a\n")
    # The PNG's image data inflates to its one pixel row: a file a browser shows.
    idat = served.content.index(b"IDAT")
    length = int.from_bytes(served.content[idat - 4 : idat], "big")
    assert zlib.decompress(served.content[idat + 4 : idat + 4 + length]) == b"\x00\xff\xff\xff"
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, 20003)
    assert (wrong_token.status_code, wrong_token.json()["code"]) == (401, 20003)
    assert (other_account.status_code, other_account.json()["code"]) == (404, 20404)


@pytest.mark.parametrize(
    ("url", "content_type", "starts", "size"),
    [
        ("https://x.example/a.jpg", "image/jpeg", b"\xff\xd8\xff", None),
        ("https://x.example/a.gif?v=2", "image/gif", b"GIF89a", None),
        ("https://x.example/notes.txt", "text/plain", b"Sandbox media (text/plain)", None),
        ("https://x.example/clip.mp4", "video/mp4", b"", GENERATED_SIZE),
        ("https://x.example/blob", "application/octet-stream", b"", GENERATED_SIZE),
    ],
)
async def test_each_content_type_gets_its_own_deterministic_file(
    account: SandboxAccount,
    receiver: WebhookReceiver,
    control: httpx.AsyncClient,
    sandbox_server: SandboxServer,
    url: str,
    content_type: str,
    starts: bytes,
    size: int | None,
) -> None:
    fields = await _inbound_mms(account, receiver, control, [url])

    async with httpx.AsyncClient() as http:
        served = await http.get(
            _file_url(sandbox_server, fields["MediaUrl0"]), auth=(account.sid, account.auth_token)
        )

    assert fields["MediaContentType0"] == content_type
    assert served.headers["content-type"].split(";")[0] == content_type
    assert served.content == media_content(content_type)
    assert served.content.startswith(starts)
    if size is not None:
        assert len(served.content) == size


async def test_a_messages_media_can_be_listed_fetched_and_deleted(
    account: SandboxAccount,
    receiver: WebhookReceiver,
    control: httpx.AsyncClient,
    sandbox_server: SandboxServer,
) -> None:
    fields = await _inbound_mms(
        account, receiver, control, ["https://x.example/a.jpg", "https://x.example/b.png"]
    )
    sid = fields["MessageSid"]

    listed = await account.client.messages(sid).media.list_async()
    fetched = await account.client.messages(sid).media(listed[1].sid).fetch_async()
    deleted = await account.client.messages(sid).media(listed[0].sid).delete_async()
    after = await account.client.messages(sid).media.list_async()
    async with httpx.AsyncClient() as http:
        gone = await http.get(
            _file_url(sandbox_server, fields["MediaUrl0"]), auth=(account.sid, account.auth_token)
        )

    assert [m.sid for m in listed] == [
        u.rsplit("/", 1)[1] for u in (fields["MediaUrl0"], fields["MediaUrl1"])
    ]
    assert [(m.content_type, m.parent_sid) for m in listed] == [
        ("image/jpeg", sid),
        ("image/png", sid),
    ]
    assert (fetched.sid, fetched.content_type, fetched.account_sid) == (
        listed[1].sid,
        "image/png",
        account.sid,
    )
    assert (
        fetched.uri
        == f"/2010-04-01/Accounts/{account.sid}/Messages/{sid}/Media/{listed[1].sid}.json"
    )
    assert deleted is True
    assert [m.sid for m in after] == [listed[1].sid]
    assert (gone.status_code, gone.json()["code"]) == (404, 20404)
    with pytest.raises(TwilioRestException) as raised:
        await account.client.messages(sid).media(listed[0].sid).fetch_async()
    assert raised.value.status == 404


async def test_an_outbound_mms_hosts_its_media_the_same_way(account: SandboxAccount) -> None:
    sender = (
        await account.client.incoming_phone_numbers.create_async(area_code="212")
    ).phone_number

    sent = await account.client.messages.create_async(
        to=RECIPIENT, from_=sender, media_url=["https://cdn.example/menu.pdf"]
    )
    listed = await account.client.messages(sent.sid).media.list_async()

    assert (sent.sid[:2], sent.num_media) == ("MM", "1")
    assert [m.content_type for m in listed] == ["application/pdf"]


async def test_another_accounts_message_has_no_media_to_list(
    account: SandboxAccount,
    receiver: WebhookReceiver,
    control: httpx.AsyncClient,
    twilio_clients: TwilioClients,
) -> None:
    fields = await _inbound_mms(account, receiver, control, ["https://x.example/a.jpg"])
    stranger = await open_account(control, twilio_clients)

    with pytest.raises(TwilioException) as raised:
        await stranger.client.messages(fields["MessageSid"]).media.list_async()

    # The library reports a list's failure with the response as its second argument.
    assert raised.value.args[1].status_code == 404
