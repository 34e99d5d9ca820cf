"""Which media URLs the gateway will fetch, and how a download is bounded."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from tests.sandbox.fixtures import SandboxAccount, SandboxServer
from tests.sandbox.receiver import WebhookReceiver
from tests.support.servers import serve_asgi
from trunkline.sandbox.media import GENERATED_SIZE, media_content
from trunkline.twilio.media import (
    MediaFetcher,
    MediaGone,
    MediaUnavailable,
    account_media_path,
    download_url,
    hosted_media,
)

AC = "AC" + "a" * 32
MESSAGE_MEDIA = f"/2010-04-01/Accounts/{AC}/Messages/MM{'b' * 32}/Media/ME{'c' * 32}"
RECORDING = f"/2010-04-01/Accounts/{AC}/Recordings/RE{'d' * 32}"
BASE = "http://127.0.0.1:8000/sandbox/twilio"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        (f"https://api.twilio.com{MESSAGE_MEDIA}", True),
        (f"https://api.twilio.com{RECORDING}", True),
        (f"https://api.twilio.com{RECORDING}.mp3", True),
        (f"https://api.dublin.ie1.twilio.com{MESSAGE_MEDIA}", True),
        (f"https://API.TWILIO.COM{MESSAGE_MEDIA}", True),
        (f"{BASE}/api{MESSAGE_MEDIA}", True),  # what a mounted sandbox hands out
        (f"https://api.twilio.com:443{MESSAGE_MEDIA}", True),
        (f"https://api.twilio.com{MESSAGE_MEDIA.replace(AC, 'AC' + 'e' * 32)}", False),
        (f"https://api.twilio.com/2010-04-01/Accounts/{AC}/Messages.json", False),
        (f"https://api.twilio.com/2010-04-01/Accounts/{AC}.json", False),
        (f"http://api.twilio.com{MESSAGE_MEDIA}", False),
        (f"https://api.twilio.com:8443{MESSAGE_MEDIA}", False),
        (f"https://user:pw@api.twilio.com{MESSAGE_MEDIA}", False),
        (f"https://api.twilio.com{MESSAGE_MEDIA}?x=1", False),
        (f"https://api.twilio.com{MESSAGE_MEDIA}#x", False),
        (f"https://api.twilio.com{MESSAGE_MEDIA}/../../Calls.json", False),
        (f"https://api.twilio.com.evil.example{MESSAGE_MEDIA}", False),
        (f"https://eviltwilio.com{MESSAGE_MEDIA}", False),
        (f"https://studio.twilio.com{MESSAGE_MEDIA}", False),
        (f"https://media.example{MESSAGE_MEDIA}", False),
        (f"http://127.0.0.1:8001/sandbox/twilio/api{MESSAGE_MEDIA}", False),
        (f"{BASE}/conversations{MESSAGE_MEDIA}", False),
        (f"{BASE}{MESSAGE_MEDIA}", False),
        ("https://[::1", False),
        ("", False),
    ],
)
def test_only_the_accounts_own_twilio_media_urls_are_fetched(url: str, allowed: bool) -> None:
    assert account_media_path(url, account_sid=AC, api_base=BASE) is allowed


def test_without_an_api_base_only_twilios_hosts_qualify() -> None:
    assert account_media_path(
        f"https://api.twilio.com{MESSAGE_MEDIA}", account_sid=AC, api_base=None
    )
    assert not account_media_path(f"{BASE}/api{MESSAGE_MEDIA}", account_sid=AC, api_base=None)


def test_twilio_media_is_downloaded_through_the_api_base_as_the_clients_are() -> None:
    assert download_url(f"https://api.twilio.com{MESSAGE_MEDIA}", BASE) == (
        f"{BASE}/api{MESSAGE_MEDIA}"
    )
    assert download_url(f"{BASE}/api{MESSAGE_MEDIA}", BASE) == f"{BASE}/api{MESSAGE_MEDIA}"


async def _hosted_media_url(
    account: SandboxAccount, receiver: WebhookReceiver, control: httpx.AsyncClient, url: str
) -> str:
    number = await account.client.incoming_phone_numbers.create_async(
        area_code="415", sms_url=receiver.url("/media")
    )
    sent = await control.post(
        "/inbound/message",
        json={"to": number.phone_number, "from": "+447700900777", "media_urls": [url]},
    )
    assert sent.status_code == 202
    return (await receiver.next("/media")).fields["MediaUrl0"]


async def test_a_download_streams_in_chunks_and_a_file_over_the_cap_is_refused_unread(
    account: SandboxAccount,
    receiver: WebhookReceiver,
    control: httpx.AsyncClient,
    sandbox_server: SandboxServer,
) -> None:
    url = await _hosted_media_url(account, receiver, control, "https://x.example/clip.mp4")
    roomy = MediaFetcher(api_base=f"{sandbox_server.url}/twilio", timeout=5, max_bytes=10**6)
    tight = MediaFetcher(
        api_base=f"{sandbox_server.url}/twilio", timeout=5, max_bytes=GENERATED_SIZE - 1
    )
    try:
        download = await roomy.open(url, account_sid=account.sid, auth_token=account.auth_token)
        chunks = [chunk async for chunk in download.chunks()]
        with pytest.raises(MediaUnavailable, match="over the media size cap"):
            await tight.open(url, account_sid=account.sid, auth_token=account.auth_token)
        with pytest.raises(MediaUnavailable, match="401"):
            await roomy.open(url, account_sid=account.sid, auth_token="0" * 32)
    finally:
        await roomy.aclose()
        await tight.aclose()

    assert (download.content_type, download.content_length) == ("video/mp4", GENERATED_SIZE)
    assert len(chunks) > 1
    assert b"".join(chunks) == media_content("video/mp4")


async def test_a_deleted_file_is_gone_and_an_unreachable_twilio_is_unavailable(
    account: SandboxAccount,
    receiver: WebhookReceiver,
    control: httpx.AsyncClient,
    sandbox_server: SandboxServer,
) -> None:
    url = await _hosted_media_url(account, receiver, control, "https://x.example/a.png")
    message_sid, media_sid = url.split("/")[-3], url.split("/")[-1]
    await account.client.messages(message_sid).media(media_sid).delete_async()
    fetcher = MediaFetcher(api_base=f"{sandbox_server.url}/twilio", timeout=5, max_bytes=10**6)
    # A port nothing listens on: connection refused.
    nowhere = MediaFetcher(api_base="http://127.0.0.1:9/twilio", timeout=1, max_bytes=10**6)
    try:
        with pytest.raises(MediaGone):
            await fetcher.open(url, account_sid=account.sid, auth_token=account.auth_token)
        with pytest.raises(MediaUnavailable, match="unreachable"):
            await nowhere.open(url, account_sid=account.sid, auth_token=account.auth_token)
    finally:
        await fetcher.aclose()
        await nowhere.aclose()


async def test_redirects_are_followed_on_the_same_host_only() -> None:
    """A stand-in for Twilio answering a download with a redirect: followed on its own host (with
    the credentials), refused to a host that is neither Twilio's nor its storage's."""
    seen: list[tuple[str, str | None]] = []
    app = FastAPI()

    @app.get("/api/2010-04-01/Accounts/{account}/Messages/{message}/Media/{media}")
    async def media(media: str, request: Request) -> Response:
        seen.append((request.url.path, request.headers.get("authorization")))
        target = {"stay": "/storage/file", "away": elsewhere_url, "loop": request.url.path}
        return RedirectResponse(target.get(media[-4:], "/"), 307)

    @app.get("/storage/file")
    async def storage(request: Request) -> Response:
        seen.append((request.url.path, request.headers.get("authorization")))
        return Response(b"stored bytes", media_type="image/png")

    elsewhere = FastAPI()
    elsewhere_url = ""
    async with serve_asgi(app) as url, serve_asgi(elsewhere) as other:
        elsewhere_url = f"{other}/file"
        fetcher = MediaFetcher(api_base=url, timeout=5, max_bytes=10**6)

        def media_url(ending: str) -> str:
            return (
                f"https://api.twilio.com/2010-04-01/Accounts/{AC}/Messages/MM{'b' * 32}"
                f"/Media/ME{'c' * 28}{ending}"
            )

        try:
            download = await fetcher.open(media_url("stay"), account_sid=AC, auth_token="t")
            body = b"".join([chunk async for chunk in download.chunks()])
            with pytest.raises(MediaUnavailable, match="off its hosts"):
                await fetcher.open(media_url("away"), account_sid=AC, auth_token="t")
            with pytest.raises(MediaUnavailable, match="too many redirects"):
                await fetcher.open(media_url("loop"), account_sid=AC, auth_token="t")
        finally:
            await fetcher.aclose()

    assert body == b"stored bytes"
    assert seen[1][0] == "/storage/file"
    assert all(auth is not None and auth.startswith("Basic ") for _, auth in seen)


async def test_an_outbound_mms_hosted_media_is_listed_as_an_inbound_webhook_gives_it(
    account: SandboxAccount,
    receiver: WebhookReceiver,
    control: httpx.AsyncClient,
    sandbox_server: SandboxServer,
) -> None:
    inbound = await _hosted_media_url(account, receiver, control, "https://x.example/a.png")
    sender = (
        await account.client.incoming_phone_numbers.create_async(area_code="212")
    ).phone_number
    sent = await account.client.messages.create_async(
        to="+14155550100", from_=sender, media_url=["https://cdn.example/menu.pdf"]
    )

    (inbound_listed,) = await hosted_media(account.client, inbound.split("/")[-3])
    (outbound_listed,) = await hosted_media(account.client, sent.sid)

    assert inbound_listed == (inbound, "image/png")
    url, content_type = outbound_listed
    assert content_type == "application/pdf"
    assert account_media_path(url, account_sid=account.sid, api_base=None)
