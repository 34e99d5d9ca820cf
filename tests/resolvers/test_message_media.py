"""Message media end to end: an MMS through the sandbox, its signed /media URLs, the bytes.

The tenants here hold their accounts at the carrier the gateway talks to (``carrier``), so the
gateway's downloads reach the same sandbox that hosts the files; every exchange is checked against
Twilio's specs (tests/resolvers/conftest.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Coroutine
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI, Request
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed

from tests.sandbox.conformance import ExchangeRecorder
from tests.subscriptions.client import subscribe
from tests.support.graphql import ws_connect, ws_init
from tests.support.identity import IdentityProvider
from tests.support.servers import serve_asgi
from tests.webhooks.fixtures import Carrier, TwilioTenant, create_twilio_tenant, webhook_http
from trunkline.models import Message, TwilioSettings
from trunkline.sandbox.media import GENERATED_SIZE, media_content
from trunkline.services.media_links import MediaKind, MediaLink, MediaLinks
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients

__all__ = ["webhook_http"]  # a fixture these tests use

AGENT = "auth0|agent-ann"
SENDER = "+447700900555"
PICTURE, CLIP = "https://elsewhere.example/cat.png", "https://elsewhere.example/clip.mp4"

ACTIVITY = """
subscription Activity($after: String) {
  activity(after: $after) {
    kind
    message { id sid mediaUrls media { contentType url } }
  }
}
"""
MESSAGE_UPDATED = """
subscription Updated($id: ID!) { messageUpdated(id: $id) { id media { contentType url } } }
"""
T = TypeVar("T")


@pytest.fixture
async def carrier_clients(carrier: str) -> AsyncIterator[TwilioClients]:
    clients = TwilioClients(f"{carrier}/twilio", timeout=5.0)
    yield clients
    await clients.aclose()


async def _tenant(
    carrier: str, clients: TwilioClients, gateway: str, settings: Settings, http: httpx.AsyncClient
) -> TwilioTenant:
    return await create_twilio_tenant(
        carrier=Carrier(carrier, clients),
        gateway=gateway,
        settings=settings,
        http=http,
        owner_id=AGENT,
    )


@pytest.fixture
async def media_tenant(
    carrier: str,
    carrier_clients: TwilioClients,
    gateway: str,
    settings: Settings,
    webhook_http: httpx.AsyncClient,
) -> TwilioTenant:
    """A tenant whose number (assigned to ``AGENT``) is at the gateway's own carrier."""
    return await _tenant(carrier, carrier_clients, gateway, settings, webhook_http)


@pytest.fixture
async def second_tenant(
    carrier: str,
    carrier_clients: TwilioClients,
    gateway: str,
    settings: Settings,
    webhook_http: httpx.AsyncClient,
) -> TwilioTenant:
    return await _tenant(carrier, carrier_clients, gateway, settings, webhook_http)


@pytest.fixture
def links(settings: Settings) -> MediaLinks:
    """A signer with the gateway's keys, to make links the gateway never handed out."""
    return MediaLinks(
        settings.fernet_keys,
        public_url=settings.public_url,
        ttl_seconds=settings.media_url_ttl_seconds,
    )


def admin_token(identity: IdentityProvider, tenant: TwilioTenant) -> str:
    return identity.token(org=tenant.org, sub="auth0|admin", roles=["admin"])


async def receive_mms(
    gateway: str,
    identity: IdentityProvider,
    tenant: TwilioTenant,
    carrier: str,
    media_urls: list[str],
) -> dict[str, Any]:
    """Text the tenant's number with ``media_urls`` from a phone; the message as an admin's
    activity subscription shows it."""
    async with subscribe(gateway, admin_token(identity, tenant), ACTIVITY, {"after": "0"}) as sub:
        async with httpx.AsyncClient(base_url=carrier) as control:
            sent = await control.post(
                "/control/inbound/message",
                json={"to": tenant.number.phone_number, "from": SENDER, "media_urls": media_urls},
            )
        assert sent.status_code == 202, sent.text
        event = (await sub.next())["activity"]
        while event["message"]["sid"] != sent.json()["sid"]:  # replayed: an earlier message
            event = (await sub.next())["activity"]
    assert event["kind"] == "MESSAGE_RECEIVED"
    message: dict[str, Any] = event["message"]
    return message


async def test_an_inbound_mms_shows_signed_media_urls_that_stream_the_sandboxs_exact_bytes(
    gateway: str,
    identity: IdentityProvider,
    media_tenant: TwilioTenant,
    carrier: str,
    settings: Settings,
) -> None:
    message = await receive_mms(gateway, identity, media_tenant, carrier, [PICTURE, CLIP])
    hosted = await media_tenant.client.messages(message["sid"]).media.list_async()

    async with httpx.AsyncClient() as browser:  # no header of any kind: an <img src>
        files = [await browser.get(item["url"]) for item in message["media"]]
        # What the account itself downloads from the carrier, for comparison.
        direct = [
            await browser.get(
                f"{carrier}/twilio/api/2010-04-01/Accounts/{media_tenant.account_sid}"
                f"/Messages/{message['sid']}/Media/{item.sid}",
                auth=(media_tenant.account_sid, media_tenant.auth_token),
            )
            for item in hosted
        ]

    assert [m["contentType"] for m in message["media"]] == ["image/png", "video/mp4"]
    assert all(m["url"].startswith(f"{settings.public_url}/media/m.") for m in message["media"])
    assert [f.status_code for f in files] == [200, 200]
    assert [f.headers["content-type"] for f in files] == ["image/png", "video/mp4"]
    assert [f.content for f in files] == [d.content for d in direct]
    assert files[0].content == media_content("image/png")
    assert len(files[1].content) == GENERATED_SIZE  # several chunks, passed on as they came
    assert files[1].headers["content-length"] == str(GENERATED_SIZE)
    assert files[0].headers["x-content-type-options"] == "nosniff"
    assert files[0].headers["content-disposition"] == "inline"
    assert "sandbox" in files[0].headers["content-security-policy"]
    # The stored URL is Twilio's, never the one the sender named.
    assert message["mediaUrls"] == [
        f"https://api.twilio.com/2010-04-01/Accounts/{media_tenant.account_sid}"
        f"/Messages/{message['sid']}/Media/{item.sid}"
        for item in hosted
    ]


async def test_a_file_that_is_not_an_image_audio_or_video_downloads_rather_than_renders(
    gateway: str, identity: IdentityProvider, media_tenant: TwilioTenant, carrier: str
) -> None:
    message = await receive_mms(
        gateway, identity, media_tenant, carrier, ["https://x.example/page.html"]
    )

    async with httpx.AsyncClient() as browser:
        served = await browser.get(message["media"][0]["url"])

    assert (served.status_code, served.headers["content-type"]) == (200, "text/html")
    assert served.headers["content-disposition"] == "attachment"
    assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"


async def test_an_expired_url_is_403_where_the_same_link_unexpired_is_served(
    gateway: str,
    identity: IdentityProvider,
    media_tenant: TwilioTenant,
    carrier: str,
    links: MediaLinks,
) -> None:
    message = await receive_mms(gateway, identity, media_tenant, carrier, [PICTURE])
    now = int(time.time())

    def link(expires: int) -> str:
        return links.url(
            MediaLink(MediaKind.MESSAGE, media_tenant.tenant_id, int(message["id"]), 0, expires)
        )

    async with httpx.AsyncClient() as browser:
        fresh = await browser.get(link(now + 60))
        expired = await browser.get(link(now - 1))

    assert fresh.status_code == 200
    assert (expired.status_code, expired.text) == (403, "Forbidden")


def _tampered(url: str, part: str, value: str) -> str:
    base, token = url.rsplit("/", 1)
    kind, tenant, entity, index, expires, signature = token.split(".")
    fields = {
        "kind": kind,
        "tenant": tenant,
        "entity": entity,
        "index": index,
        "expires": expires,
        "signature": signature,
    }
    fields[part] = value
    return f"{base}/{'.'.join(fields.values())}"


async def test_a_url_with_any_part_altered_is_403(
    gateway: str,
    identity: IdentityProvider,
    media_tenant: TwilioTenant,
    second_tenant: TwilioTenant,
    carrier: str,
) -> None:
    first = await receive_mms(gateway, identity, media_tenant, carrier, [PICTURE, CLIP])
    other = await receive_mms(gateway, identity, media_tenant, carrier, [PICTURE])
    url = first["media"][0]["url"]
    signature = url.rsplit(".", 1)[1]
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    expires = url.rsplit(".", 2)[1]
    altered = {
        "signature": _tampered(url, "signature", flipped),
        "message id": _tampered(url, "entity", other["id"]),
        "index": _tampered(url, "index", "1"),
        "tenant": _tampered(url, "tenant", str(second_tenant.tenant_id)),
        "expiry": _tampered(url, "expires", str(int(expires) + 3600)),
        "kind": _tampered(url, "kind", "r"),
    }

    async with httpx.AsyncClient() as browser:
        untouched = await browser.get(url)
        answers = {what: (await browser.get(u)).status_code for what, u in altered.items()}

    assert untouched.status_code == 200
    assert answers == dict.fromkeys(altered, 403)


async def test_a_validly_signed_link_to_another_tenants_message_is_403(
    gateway: str,
    identity: IdentityProvider,
    media_tenant: TwilioTenant,
    second_tenant: TwilioTenant,
    carrier: str,
    links: MediaLinks,
    carrier_exchanges: ExchangeRecorder,
) -> None:
    theirs = await receive_mms(gateway, identity, second_tenant, carrier, [PICTURE])
    # Signed with the gateway's own key for the first tenant, naming the second's message: what
    # a flaw in signing would hand out. The message is looked up in the link's tenant only.
    crossed = links.url(
        MediaLink(MediaKind.MESSAGE, media_tenant.tenant_id, int(theirs["id"]), 0, links.expiry())
    )
    before = len(carrier_exchanges.exchanges)

    async with httpx.AsyncClient() as browser:
        answer = await browser.get(crossed)
        own = await browser.get(theirs["media"][0]["url"])

    assert answer.status_code == 403
    assert own.status_code == 200  # the second tenant's own link works
    fetched = [e.path for e in carrier_exchanges.exchanges[before:] if "/Media/" in e.path]
    assert len(fetched) == 1  # only the second tenant's own download reached the carrier


async def test_a_file_twilio_no_longer_has_is_404(
    gateway: str, identity: IdentityProvider, media_tenant: TwilioTenant, carrier: str
) -> None:
    message = await receive_mms(gateway, identity, media_tenant, carrier, [PICTURE])
    (hosted,) = await media_tenant.client.messages(message["sid"]).media.list_async()
    await media_tenant.client.messages(message["sid"]).media(hosted.sid).delete_async()

    async with httpx.AsyncClient() as browser:
        answer = await browser.get(message["media"][0]["url"])

    assert (answer.status_code, answer.text) == (404, "Not Found")


@pytest.mark.parametrize("change", ["disabled", "deleted"])
async def test_a_tenant_without_usable_credentials_gets_403_not_a_5xx(
    gateway: str,
    identity: IdentityProvider,
    media_tenant: TwilioTenant,
    carrier: str,
    change: str,
) -> None:
    message = await receive_mms(gateway, identity, media_tenant, carrier, [PICTURE])
    rows = TwilioSettings.filter(tenant_id=media_tenant.tenant_id)
    if change == "disabled":
        await rows.update(enabled=False)
    else:
        await rows.delete()

    async with httpx.AsyncClient() as browser:
        answer = await browser.get(message["media"][0]["url"])

    assert answer.status_code == 403


@pytest.fixture
async def trap() -> AsyncIterator[tuple[str, list[str]]]:
    """A loopback server that records every request it gets: nothing should reach it."""
    app = FastAPI()
    seen: list[str] = []

    @app.get("/{path:path}")
    async def anything(path: str, request: Request) -> dict[str, str]:
        seen.append(str(request.url))
        return {"ok": "you should not be here"}

    async with serve_asgi(app) as url:
        yield url, seen


@pytest.mark.parametrize(
    "stored",
    [
        "{trap}/2010-04-01/Accounts/{account}/Messages/{message}/Media/{media}",
        "https://api.twilio.com/2010-04-01/Accounts/{other}/Messages/{message}/Media/{media}",
        "https://api.twilio.com/2010-04-01/Accounts/{account}/Calls.json",
        "https://api.twilio.com.evil.example/2010-04-01/Accounts/{account}/Messages/{message}"
        "/Media/{media}",
        "http://api.twilio.com/2010-04-01/Accounts/{account}/Messages/{message}/Media/{media}",
        "https://user:pw@api.twilio.com/2010-04-01/Accounts/{account}/Messages/{message}"
        "/Media/{media}",
        "https://api.twilio.com/2010-04-01/Accounts/{account}/Messages/{message}/Media/{media}"
        "?redirect={trap}",
        "https://api.twilio.com/2010-04-01/Accounts/{account}/Messages/{message}/Media/../../x",
    ],
)
async def test_a_stored_url_that_is_not_the_tenants_twilio_media_is_never_fetched(
    gateway: str,
    identity: IdentityProvider,
    media_tenant: TwilioTenant,
    second_tenant: TwilioTenant,
    carrier: str,
    carrier_exchanges: ExchangeRecorder,
    trap: tuple[str, list[str]],
    stored: str,
) -> None:
    trap_url, seen = trap
    message = await receive_mms(gateway, identity, media_tenant, carrier, [PICTURE])
    row = await Message.get(id=int(message["id"]))
    real = row.media[0]["url"]
    row.media = [
        {
            "url": stored.format(
                trap=trap_url,
                account=media_tenant.account_sid,
                other=second_tenant.account_sid,
                message=message["sid"],
                media=real.rsplit("/", 1)[1],
            ),
            "content_type": "image/png",
        }
    ]
    await row.save(update_fields=["media"])
    before = len(carrier_exchanges.exchanges)

    async with httpx.AsyncClient() as browser:
        answer = await browser.get(message["media"][0]["url"])

    assert answer.status_code == 403
    assert seen == []
    assert [e.path for e in carrier_exchanges.exchanges[before:]] == []


@pytest.mark.parametrize(
    ("role", "sub", "sees"),
    [
        ("admin", "auth0|admin", True),
        ("agent owning the number", AGENT, True),
        ("agent not owning it", "auth0|agent-bob", False),
        ("support", "auth0|support", False),
    ],
)
async def test_media_follows_the_messages_own_visibility(
    gateway: str,
    identity: IdentityProvider,
    media_tenant: TwilioTenant,
    carrier: str,
    role: str,
    sub: str,
    sees: bool,
) -> None:
    message = await receive_mms(gateway, identity, media_tenant, carrier, [PICTURE])
    roles = {"admin": ["admin"], "support": ["support"]}.get(role, [])
    token = identity.token(org=media_tenant.org, sub=sub, roles=roles)
    stored_before = await Message.get(id=int(message["id"])).values("media", "status")

    async with subscribe(gateway, token, MESSAGE_UPDATED, {"id": message["id"]}) as sub_:
        reply = await sub_.message()

    if sees:
        assert reply["type"] == "next", reply
        media = reply["payload"]["data"]["messageUpdated"]["media"]
        assert [m["contentType"] for m in media] == ["image/png"]
        async with httpx.AsyncClient() as browser:
            assert (await browser.get(media[0]["url"])).status_code == 200
    else:
        errors = reply["payload"]["errors"] if reply["type"] == "next" else reply["payload"]
        assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
    assert await Message.get(id=int(message["id"])).values("media", "status") == stored_before


async def test_another_tenant_sees_no_media_and_a_token_without_an_organization_is_closed_out(
    gateway: str,
    identity: IdentityProvider,
    media_tenant: TwilioTenant,
    second_tenant: TwilioTenant,
    carrier: str,
) -> None:
    message = await receive_mms(gateway, identity, media_tenant, carrier, [PICTURE])
    stranger = admin_token(identity, second_tenant)
    no_org = identity.token(org=None, sub="auth0|drifter", roles=["admin"])

    async with subscribe(gateway, stranger, MESSAGE_UPDATED, {"id": message["id"]}) as sub:
        reply = await sub.message()
    async with ws_connect(gateway) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await ws_init(socket, {"Authorization": f"Bearer {no_org}"})

    errors = reply["payload"]["errors"] if reply["type"] == "next" else reply["payload"]
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
    # A token without an organization is no identity at all: the socket is closed.
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


# Mutations of a valid token: 150 requests, a few seconds per backend.
FUZZ_EXAMPLES = 150
tokens = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="m.0123456789abcdefABCDEF-_", max_size=120),
    st.builds(
        lambda unit, n: unit * n,
        st.sampled_from(["9", ".", "%", "\x00", "é"]),
        st.integers(1, 3000),
    ),
)


async def test_no_media_path_is_answered_5xx(
    gateway: str, identity: IdentityProvider, media_tenant: TwilioTenant, carrier: str
) -> None:
    message = await receive_mms(gateway, identity, media_tenant, carrier, [PICTURE])
    valid = message["media"][0]["url"].rsplit("/", 1)[1]
    loop = asyncio.get_running_loop()
    answered: dict[int, int] = {}

    def on_loop(coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(timeout=30)

    async def get(path: str) -> int:
        async with httpx.AsyncClient(base_url=gateway) as browser:
            return (await browser.get(path)).status_code

    @hypothesis_settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        cut=st.integers(0, len(valid)),
        insert=tokens,
        keep=st.booleans(),
    )
    def no_5xx(cut: int, insert: str, keep: bool) -> None:
        token = valid if keep and not insert else valid[:cut] + insert + valid[cut:]
        status = on_loop(get(f"/media/{quote(token, safe='')}"))
        answered[status] = answered.get(status, 0) + 1
        assert status in {200, 403, 404}, (token, status)
        if status == 200:
            assert token == valid

    await asyncio.to_thread(no_5xx)

    assert answered.get(403, 0) > 0, answered
