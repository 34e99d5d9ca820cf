"""Oversized and malformed requests to /graphql: refused early, answered 4xx, never a 500.

Against the production-mode gateway on loopback. Bodies that must arrive slowly, or not at all,
go over a bare connection driven by h11, so the test decides when each byte is sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import h11
import httpx
import pytest
import websockets

from tests.support.graphql import GraphQLClient, ws_connect
from tests.support.identity import IdentityProvider
from trunkline.cli import server_options
from trunkline.graphql.requests import MAX_JSON_DEPTH
from trunkline.settings import Settings

ME = "{ me { orgId } }"
TYPENAME = "{ __typename }"
ACTIVITY = "subscription { activity { cursor kind } }"
NOT_AN_OBJECT = "Request body must be a JSON object"
TOO_DEEP = f"Request body is not valid JSON: JSON nested deeper than {MAX_JSON_DEPTH} levels"
# The adversarial run measured 5.9 s for the refusal and 5.8 s for /healthz beside it. A refusal
# that reads nothing takes milliseconds, and so does a health check's round trip; the health
# check's bound leaves room for a machine loaded by the rest of the suite.
PROMPTLY_SECONDS = 0.1
HEALTH_CHECK_SECONDS = 0.5


def _nested(depth: int) -> str:
    """A JSON array nested ``depth`` levels deep."""
    return "[" * depth + "]" * depth


def _with_variable_nested(depth: int) -> bytes:
    """A request whose variable nests ``depth`` levels (the request object adds two more)."""
    return f'{{"query": "{TYPENAME}", "variables": {{"a": {_nested(depth)}}}}}'.encode()


def _body_of(size: int, query: str) -> bytes:
    """A request for ``query`` padded (with an unused variable) to exactly ``size`` bytes."""
    empty = json.dumps({"query": query, "variables": {"padding": ""}}).encode()
    body = json.dumps({"query": query, "variables": {"padding": "x" * (size - len(empty))}})
    assert len(body) == size
    return body.encode()


def _refusal(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def _too_large(settings: Settings) -> dict[str, Any]:
    message = f"Request body is larger than {settings.max_body_bytes} bytes"
    return _refusal(message, "PAYLOAD_TOO_LARGE")


class BareRequest:
    """One ``POST /graphql`` whose body the test sends piece by piece."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.connection = h11.Connection(h11.CLIENT)

    async def start(self, base_url: str, headers: list[tuple[str, str]]) -> None:
        url = httpx.URL(base_url)
        head = [("host", f"{url.host}:{url.port}"), ("content-type", "application/json")]
        await self._write(h11.Request(method="POST", target="/graphql", headers=[*head, *headers]))

    async def send(self, data: bytes) -> None:
        await self._write(h11.Data(data=data))

    async def response(self) -> tuple[int, bytes]:
        """The status and body of the answer (which may come before the body is complete)."""
        status, body = 0, b""
        while True:
            event = self.connection.next_event()
            if event is h11.NEED_DATA:
                self.connection.receive_data(await self.reader.read(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return status, body

    async def _write(self, event: h11.Event) -> None:
        self.writer.write(self.connection.send(event) or b"")
        await self.writer.drain()


@asynccontextmanager
async def bare_request(base_url: str, headers: list[tuple[str, str]]) -> AsyncIterator[BareRequest]:
    url = httpx.URL(base_url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    request = BareRequest(reader, writer)
    try:
        await request.start(base_url, headers)
        yield request
    finally:
        writer.close()


@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Also uvicorn's own log, where a failing ASGI app's traceback goes (it does not propagate)."""
    uvicorn_log = logging.getLogger("uvicorn")
    uvicorn_log.addHandler(caplog.handler)
    try:
        yield caplog
    finally:
        uvicorn_log.removeHandler(caplog.handler)


def _errors_logged(log: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in log.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.fixture
def token(identity: IdentityProvider, unique_org: str) -> str:
    return identity.token(org=unique_org, roles=["admin"])


async def test_body_announced_larger_than_the_limit_is_refused_before_any_of_it_is_sent(
    gateway: str, settings: Settings
) -> None:
    started = time.perf_counter()
    async with bare_request(gateway, [("content-length", str(16 * 1024 * 1024))]) as request:
        status, body = await request.response()
    elapsed = time.perf_counter() - started

    assert status == 413
    assert json.loads(body) == _too_large(settings)
    assert elapsed < PROMPTLY_SECONDS, elapsed


async def test_body_streamed_past_the_limit_is_refused_and_healthz_answers_meanwhile(
    gateway: str, settings: Settings, token: str
) -> None:
    limit = settings.max_body_bytes
    # An authenticated caller's request, its variables growing without end (chunked: no length).
    headers = [("authorization", f"Bearer {token}"), ("transfer-encoding", "chunked")]
    prefix = json.dumps({"query": ME, "variables": {"unused": ""}})[:-3].encode()
    async with (
        bare_request(gateway, headers) as request,
        httpx.AsyncClient(base_url=gateway) as http,
    ):
        await request.send(prefix + b"x" * (limit - len(prefix)))  # exactly the limit so far

        started = time.perf_counter()
        health = await http.get("/healthz")
        health_seconds = time.perf_counter() - started

        await request.send(b"x")  # one byte past it
        status, body = await request.response()

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert health_seconds < HEALTH_CHECK_SECONDS, health_seconds
    assert status == 413
    assert json.loads(body) == _too_large(settings)


async def test_body_of_exactly_the_limit_is_answered(
    graphql: GraphQLClient, settings: Settings, token: str, unique_org: str
) -> None:
    body = _body_of(settings.max_body_bytes, ME)

    response = await graphql.http.post(
        "/graphql",
        content=body,
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"me": {"orgId": unique_org}}}


async def test_json_nested_as_deep_as_the_bound_is_read(graphql: GraphQLClient) -> None:
    body = _with_variable_nested(MAX_JSON_DEPTH - 2)

    response = await graphql.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"null", NOT_AN_OBJECT, id="null"),
        pytest.param(b"1", NOT_AN_OBJECT, id="number"),
        pytest.param(b'"{ me { orgId } }"', NOT_AN_OBJECT, id="string"),
        pytest.param(b"true", NOT_AN_OBJECT, id="boolean"),
        pytest.param(
            b'{"query": "\xff"}',
            "Request body is not valid JSON: Invalid UTF-8 at byte 11",
            id="invalid-utf8",
        ),
        pytest.param(
            b'{"query": ',
            "Request body is not valid JSON: Expecting value",
            id="truncated-json",
        ),
        pytest.param(
            _with_variable_nested(100_000),
            TOO_DEEP,
            id="100000-deep-variables",
        ),
        pytest.param(
            _with_variable_nested(MAX_JSON_DEPTH - 1),
            TOO_DEEP,
            id="one-level-too-deep-variables",
        ),
        pytest.param(
            b'{"query": 1}',
            "The GraphQL operation's `query` must be a string or null, if provided.",
            id="query-not-a-string",
        ),
        pytest.param(
            b'{"query": "{ __typename }", "variables": [1]}',
            "The GraphQL operation's `variables` must be an object or null, if provided.",
            id="variables-not-an-object",
        ),
        pytest.param(
            b'{"query": "{ __typename }", "operationName": 1}',
            "The GraphQL operation's `operationName` must be a string or null, if provided.",
            id="operation-name-not-a-string",
        ),
    ],
)
async def test_malformed_body_is_a_bad_request_with_nothing_logged(
    graphql: GraphQLClient, server_log: pytest.LogCaptureFixture, body: bytes, message: str
) -> None:
    response = await graphql.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == _refusal(message, "BAD_REQUEST")
    assert _errors_logged(server_log) == []


async def test_subscription_over_http_is_a_bad_request_pointing_to_websocket(
    graphql: GraphQLClient, token: str, server_log: pytest.LogCaptureFixture
) -> None:
    response = await graphql.post({"query": ACTIVITY}, token=token)

    assert response.status_code == 400
    assert response.json() == _refusal(
        "Subscriptions are not served over HTTP POST: subscribe over WebSocket "
        "(graphql-transport-ws) at the same URL",
        "BAD_REQUEST",
    )
    assert _errors_logged(server_log) == []


def _connection_init(size: int, token: str) -> str:
    """A ``connection_init`` carrying ``token``, padded to exactly ``size`` bytes."""
    message = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
    empty = json.dumps({**message, "padding": ""})
    padded = json.dumps({**message, "padding": "x" * (size - len(empty))})
    assert len(padded) == size
    return padded


async def test_websocket_message_of_exactly_the_limit_is_read(
    gateway: str, settings: Settings, token: str
) -> None:
    async with ws_connect(gateway) as socket:
        await socket.send(_connection_init(settings.max_body_bytes, token))

        reply = json.loads(await socket.recv())

    assert reply == {"type": "connection_ack"}


async def test_websocket_message_over_the_limit_closes_the_socket_as_too_big(
    gateway: str, settings: Settings, token: str, server_log: pytest.LogCaptureFixture
) -> None:
    async with ws_connect(gateway) as socket:
        await socket.send(_connection_init(settings.max_body_bytes + 1, token))

        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    assert _errors_logged(server_log) == []


def test_trunkline_serve_gives_the_websocket_server_the_same_limit(settings: Settings) -> None:
    options = server_options(settings, host="127.0.0.1", port=8000)

    assert options["ws_max_size"] == settings.max_body_bytes
