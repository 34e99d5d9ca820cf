"""The gateway's Twilio client: per-tenant cache, API-base redirection, timeouts, error mapping."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket

import pytest

from tests.sandbox.fixtures import SandboxAccount, SandboxServer
from tests.sandbox.receiver import WebhookReceiver
from trunkline.twilio import (
    ApiBaseHttpClient,
    ProviderError,
    TwilioClients,
    call_twilio,
    provider_errors,
    redirect_url,
)

SID = "AC" + "a" * 32
TOKEN = "b" * 32


@pytest.mark.parametrize(
    ("url", "api_base", "expected"),
    [
        ("https://api.twilio.com/2010-04-01/Accounts.json", None,
         "https://api.twilio.com/2010-04-01/Accounts.json"),
        ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?PageSize=2&Page=1",
         "http://127.0.0.1:8000/sandbox/twilio/",
         "http://127.0.0.1:8000/sandbox/twilio/api/2010-04-01/Accounts/AC1/Messages.json"
         "?PageSize=2&Page=1"),
        ("https://conversations.twilio.com/v1/Services", "http://gw:9/sandbox/twilio",
         "http://gw:9/sandbox/twilio/conversations/v1/Services"),
        ("https://api.dublin.ie1.twilio.com/2010-04-01/Accounts.json", "http://gw/twilio",
         "http://gw/twilio/api/2010-04-01/Accounts.json"),
        ("https://media.example.com/a.jpg", "http://gw/twilio", "https://media.example.com/a.jpg"),
    ],
)  # fmt: skip
def test_twilio_urls_are_redirected_under_the_api_base(
    url: str, api_base: str | None, expected: str
) -> None:
    assert redirect_url(url, api_base) == expected


async def test_requests_go_to_the_api_base(
    account: SandboxAccount, sandbox_server: SandboxServer
) -> None:
    before = len(sandbox_server.recorder.exchanges)

    await account.client.api.v2010.accounts(account.sid).fetch_async()

    reached = sandbox_server.recorder.exchanges[before:]
    assert [(e.method, e.path) for e in reached] == [
        ("GET", f"/twilio/api/2010-04-01/Accounts/{account.sid}.json")
    ]


async def test_a_tenant_keeps_its_client_until_its_credentials_change() -> None:
    clients = TwilioClients("http://127.0.0.1:9/twilio", timeout=3.0)

    first = clients.client_for(7, SID, TOKEN)
    again = clients.client_for(7, SID, TOKEN)
    other_tenant = clients.client_for(8, SID, TOKEN)
    rotated = clients.client_for(7, SID, "c" * 32)
    await clients.aclose()

    assert first is again
    assert other_tenant is not first
    assert rotated is not first
    assert rotated.password == "c" * 32
    assert isinstance(rotated.http_client, ApiBaseHttpClient)
    assert rotated.http_client.timeout == 3.0
    assert rotated.http_client.api_base == "http://127.0.0.1:9/twilio"


async def test_invalidating_a_tenant_builds_a_new_client_and_aclose_closes_them_all() -> None:
    clients = TwilioClients(None)
    first = clients.client_for("acme", SID, TOKEN)

    clients.invalidate("acme")
    clients.invalidate("never-seen")
    second = clients.client_for("acme", SID, TOKEN)
    await clients.aclose()

    assert second is not first
    for client in (first, second):
        assert isinstance(client.http_client, ApiBaseHttpClient)
        assert client.http_client.session is not None
        assert client.http_client.session.closed


async def test_a_twilio_error_becomes_a_provider_error_with_twilios_code_and_message(
    account: SandboxAccount,
) -> None:
    with pytest.raises(ProviderError) as raised:
        await call_twilio(
            account.client.messages.create_async(to="+15005550001", from_="+15005550006", body="x")
        )

    assert (raised.value.code, raised.value.status) == (21211, 400)
    assert raised.value.message == "Invalid 'To' Phone Number: +15005550001"
    assert str(raised.value) == "Twilio error 21211: Invalid 'To' Phone Number: +15005550001"


async def test_a_failing_list_becomes_a_provider_error_too(
    account: SandboxAccount, twilio_clients: TwilioClients
) -> None:
    wrong = twilio_clients.client_for("wrong-token", account.sid, "0" * 32)

    with pytest.raises(ProviderError) as raised:
        async with provider_errors():
            await wrong.messages.list_async()

    assert (raised.value.code, raised.value.status, raised.value.message) == (
        20003,
        401,
        "Authenticate",
    )


async def test_a_problem_details_error_keeps_its_code_and_detail(
    receiver: WebhookReceiver,
) -> None:
    path = f"/api/2010-04-01/Accounts/{SID}.json"
    problem = {
        "type": "https://www.twilio.com/docs/errors/20429",
        "title": "Too Many Requests",
        "status": 429,
        "code": 20429,
        "detail": "Slow down",
    }
    receiver.reply(path, json.dumps(problem), status=429, content_type="application/json")
    clients = TwilioClients(receiver.url(""))
    client = clients.client_for(1, SID, TOKEN)

    with pytest.raises(ProviderError) as raised:
        await call_twilio(client.api.v2010.accounts(SID).fetch_async())
    await clients.aclose()

    assert (raised.value.code, raised.value.status, raised.value.message) == (
        20429,
        429,
        "Slow down",
    )


async def test_an_answer_without_twilios_error_body_has_no_code(
    receiver: WebhookReceiver,
) -> None:
    receiver.reply(
        f"/api/2010-04-01/Accounts/{SID}.json",
        "<html>Bad gateway</html>",
        status=502,
        content_type="text/html",
    )
    clients = TwilioClients(receiver.url(""))
    client = clients.client_for(1, SID, TOKEN)

    with pytest.raises(ProviderError) as raised:
        await call_twilio(client.api.v2010.accounts(SID).fetch_async())
    await clients.aclose()

    assert (raised.value.code, raised.value.status) == (None, 502)
    assert raised.value.message == "Twilio answered HTTP 502"


async def test_twilio_not_answering_in_time_is_a_provider_error_without_code(
    receiver: WebhookReceiver,
) -> None:
    release = asyncio.Event()
    receiver.reply(f"/api/2010-04-01/Accounts/{SID}.json", hold=release)
    clients = TwilioClients(receiver.url(""), timeout=0.2)
    client = clients.client_for(1, SID, TOKEN)

    with pytest.raises(ProviderError) as raised:
        await call_twilio(client.api.v2010.accounts(SID).fetch_async())
    release.set()
    await clients.aclose()

    assert (raised.value.code, raised.value.status) == (None, None)
    assert raised.value.message == "Twilio did not answer in time"


async def test_twilio_unreachable_is_a_provider_error_without_code() -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    clients = TwilioClients(f"http://127.0.0.1:{closed_port}/twilio")
    client = clients.client_for(1, SID, TOKEN)

    with pytest.raises(ProviderError) as raised:
        await call_twilio(client.api.v2010.accounts(SID).fetch_async())
    await clients.aclose()

    assert (raised.value.code, raised.value.status) == (None, None)
    assert raised.value.message == "Could not reach Twilio (ClientConnectorError)"


async def test_the_auth_token_appears_in_no_error_repr_or_log_line(
    account: SandboxAccount, twilio_clients: TwilioClients, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "d" * 32
    client = twilio_clients.client_for("leaky", account.sid, secret)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(ProviderError) as raised:
        await call_twilio(client.messages.create_async(to="+14155550100", from_="+1", body="x"))
    with pytest.raises(ProviderError) as listed:
        await call_twilio(client.messages.list_async())

    credentials = base64.b64encode(f"{account.sid}:{secret}".encode()).decode()
    shown = " ".join(
        [str(raised.value), repr(raised.value), repr(listed.value), repr(twilio_clients)]
    )
    assert caplog.text != ""  # the twilio library did log the requests
    for leak in (secret, credentials):
        assert leak not in shown
        assert leak not in caplog.text
