"""Webhook signing and connection overrides, checked against Twilio's own validator."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from trunkline.sandbox.webhooks import ConnectionOverrides, WebhookSender, signature

TOKEN = "12345678901234567890123456789012"


def test_the_signature_is_the_one_twilios_validator_expects_even_with_repeated_fields() -> None:
    url = "https://gateway.example/webhooks/twilio/messaging?tenant=7"
    params = [("To", "+14155550100"), ("MediaUrl", "b"), ("Body", "hé"), ("MediaUrl", "a")]

    signed = signature(TOKEN, url, params)

    assert RequestValidator(TOKEN).validate(url, MultiDict(params), signed)
    assert not RequestValidator("x" * 32).validate(url, MultiDict(params), signed)
    assert not RequestValidator(TOKEN).validate(url, MultiDict(params[:-1]), signed)


def test_without_overrides_twilio_retries_once_and_only_when_it_cannot_connect() -> None:
    overrides = ConnectionOverrides.from_fragment("", default_timeout=5.0)

    assert overrides == ConnectionOverrides(
        connect_timeout=5.0,
        read_timeout=5.0,
        total_timeout=15.0,
        retry_count=1,
        retry_policy=frozenset({"ct"}),
    )


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("ct=1000&rt=2500&tt=9000&rc=3&rp=4xx,5xx", (1.0, 2.5, 9.0, 3, {"4xx", "5xx"})),
        ("rc=9&rp=all", (5.0, 5.0, 15.0, 5, {"4xx", "5xx", "ct", "rt"})),
        ("ct=5&rt=99999", (0.1, 15.0, 15.0, 1, {"ct"})),
        ("rp=bogus&rc=x", (5.0, 5.0, 15.0, 1, {"ct"})),
    ],
)
def test_connection_overrides_are_read_and_clamped_to_twilios_ranges(
    fragment: str, expected: tuple[float, float, float, int, set[str]]
) -> None:
    overrides = ConnectionOverrides.from_fragment(fragment, default_timeout=5.0)

    assert (
        overrides.connect_timeout,
        overrides.read_timeout,
        overrides.total_timeout,
        overrides.retry_count,
        set(overrides.retry_policy),
    ) == expected


class _Application:
    """A bare HTTP/1.1 server over a real socket: counts connections and requests, and stalls
    (never answers) the first ``stall`` requests."""

    def __init__(self, *, stall: int = 0) -> None:
        self.stall = stall
        self.connections = 0
        self.requests: list[bytes] = []
        self.url = ""
        self._server: asyncio.Server | None = None
        self._handlers: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> _Application:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/hook"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in self._handlers:
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        current = asyncio.current_task()
        assert current is not None
        self._handlers.append(current)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                self.requests.append(head + await reader.readexactly(length))
                if len(self.requests) <= self.stall:
                    await asyncio.sleep(30)  # the sender's read timeout ends it first
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")
                writer.write(b"Content-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def test_webhooks_to_one_application_reuse_one_connection() -> None:
    sender = WebhookSender(timeout=5.0)
    try:
        async with _Application() as application:
            replies = [
                await sender.send(application.url, [("Body", f"#{i}")], auth_token=TOKEN)
                for i in range(3)
            ]
    finally:
        await sender.close()

    assert [reply.status if reply else None for reply in replies] == [200, 200, 200]
    assert [reply.text if reply else None for reply in replies] == ["ok", "ok", "ok"]
    assert (len(application.requests), application.connections) == (3, 1)


async def test_a_read_timeout_is_retried_only_when_the_url_asks_for_it() -> None:
    sender = WebhookSender(timeout=5.0)
    try:
        async with _Application(stall=1) as retried:
            answered = await sender.send(
                retried.url + "#rt=100&rc=1&rp=rt", [("Body", "a")], auth_token=TOKEN
            )
        async with _Application(stall=1) as default:
            unanswered = await sender.send(
                default.url + "#rt=100", [("Body", "a")], auth_token=TOKEN
            )
    finally:
        await sender.close()

    assert answered is not None
    assert answered.ok
    assert len(retried.requests) == 2
    assert unanswered is None
    assert len(default.requests) == 1


async def test_a_refused_connection_is_retried_once_by_default_then_gives_no_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with _Application() as application:
        url = application.url  # a port nothing listens on once the application is gone
    sender = WebhookSender(timeout=5.0)
    try:
        with caplog.at_level(logging.INFO, logger="trunkline.sandbox.webhooks"):
            reply = await sender.send(url, [("Body", "a")], auth_token=TOKEN)
    finally:
        await sender.close()

    assert reply is None
    assert [r.getMessage() for r in caplog.records if "failed (ct)" in r.getMessage()] == [
        f"webhook {url} failed (ct), attempt 1",
        f"webhook {url} failed (ct), attempt 2",
    ]


async def test_a_get_webhook_carries_its_fields_in_the_signed_query_string() -> None:
    sender = WebhookSender(timeout=5.0)
    params = [("To", "+14155550100"), ("Body", "a b&c"), ("MediaUrl", "x"), ("MediaUrl", "y")]
    try:
        async with _Application() as application:
            reply = await sender.send(application.url, params, auth_token=TOKEN, method="GET")
    finally:
        await sender.close()

    assert reply is not None
    assert reply.ok
    request_line, *header_lines = application.requests[0].split(b"\r\n\r\n")[0].split(b"\r\n")
    target = request_line.split(b" ")[1].decode()
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.decode().partition(":") for line in header_lines)
    }
    url = application.url.removesuffix("/hook") + target
    assert target == "/hook?" + urlencode(params)
    assert RequestValidator(TOKEN).validate(url, {}, headers["x-twilio-signature"])
