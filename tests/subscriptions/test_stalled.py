"""A stalled subscriber is dropped (1013), holds nobody back, and resumes with `after`."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from urllib.parse import urlsplit

import pytest
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from tests.subscriptions.client import WAIT_SECONDS, subscribe
from tests.subscriptions.test_activity import admin_token
from tests.support.graphql import GRAPHQL_TRANSPORT_WS
from tests.support.identity import IdentityProvider
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.settings import Settings

# Many copies of a long body per event on several subscriptions of the socket: a few events fill
# every buffer between the client and the gateway (the kernel's send buffer grows to megabytes).
BULKY = (
    "subscription Bulky($after: String) { activity(after: $after) { cursor "
    + " ".join(f"copy{i}: message {{ body }}" for i in range(15))
    + " } }"
)
BULKY_SUBSCRIPTIONS = 10
LONG_BODY = "x" * 1500
CURSORS = "subscription Live($after: String) { activity(after: $after) { cursor } }"


class StallingClient:
    """graphql-transport-ws over a raw socket that reads nothing until :meth:`drain` is called.

    websockets' sans-I/O protocol frames the messages; no library reads ahead on our behalf, so
    the gateway's writes back up through TCP into its own send path, as for a frozen browser tab.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.protocol: ClientProtocol | None = None

    @classmethod
    async def connect(cls, gateway: str, token: str) -> StallingClient:
        address = urlsplit(gateway)
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: the window
        raw.connect((address.hostname, address.port))
        raw.setblocking(False)
        # A small stream limit: the reader stops taking from the socket once it holds that much.
        reader, writer = await asyncio.open_connection(sock=raw, limit=4096)
        client = cls(reader, writer)
        url = gateway.replace("http://", "ws://", 1) + "/graphql"
        client.protocol = ClientProtocol(
            parse_uri(url), subprotocols=[Subprotocol(GRAPHQL_TRANSPORT_WS)]
        )
        client.protocol.send_request(client.protocol.connect())
        client.flush()
        await client.receive()  # the handshake response
        client.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        acks = await client.receive()
        assert acks, "no connection_ack"
        assert json.loads(acks[0].data)["type"] == "connection_ack", acks
        return client

    def send(self, message: dict[str, object]) -> None:
        assert self.protocol is not None
        self.protocol.send_text(json.dumps(message).encode())
        self.flush()

    def flush(self) -> None:
        assert self.protocol is not None
        self.writer.write(b"".join(self.protocol.data_to_send()))

    async def receive(self) -> list[Frame]:
        """Read once from the socket; the frames that completed."""
        assert self.protocol is not None
        data = await self.reader.read(65536)
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
        self.flush()  # answers pings and the closing handshake
        return [event for event in self.protocol.events_received() if isinstance(event, Frame)]

    async def drain(self) -> tuple[dict[str, list[int]], int | None]:
        """Every cursor the socket still delivers, by operation, and the code it was closed with."""
        assert self.protocol is not None
        cursors: dict[str, list[int]] = {}
        async with asyncio.timeout(WAIT_SECONDS):
            while self.protocol.close_rcvd is None:
                for frame in await self.receive():
                    if frame.opcode is not Opcode.TEXT:
                        continue
                    message = json.loads(frame.data)
                    if message["type"] == "next":
                        cursor = int(message["payload"]["data"]["activity"]["cursor"])
                        cursors.setdefault(message["id"], []).append(cursor)
        self.writer.close()
        return cursors, self.protocol.close_rcvd.code


async def test_a_stalled_subscriber_is_closed_with_1013_and_resumes_from_its_cursor(
    gateway: str,
    settings: Settings,
    identity: IdentityProvider,
    twilio_tenant: TwilioTenant,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = admin_token(identity, twilio_tenant)
    # More events than the subscriber's queue holds, after the socket buffers have filled.
    total = settings.subscriber_queue_size + 64
    stalled = await StallingClient.connect(gateway, token)
    for op_id in range(BULKY_SUBSCRIPTIONS):
        stalled.send(
            {
                "id": str(op_id),
                "type": "subscribe",
                "payload": {"query": BULKY, "variables": {"after": "0"}},
            }
        )
    async with subscribe(gateway, token, CURSORS) as healthy:
        seen = []
        for _ in range(total):
            response = await twilio_tenant.post(
                MESSAGING, inbound(twilio_tenant, message_sid(), Body=LONG_BODY)
            )
            assert response.status_code == 200, response.text
            # Each event reaches the reading subscriber before the next is sent: the stalled
            # one holds nothing back.
            seen.append(int((await healthy.next())["activity"]["cursor"]))
    delivered, code = await stalled.drain()

    assert seen == list(range(1, total + 1))
    assert code == 1013
    # Dropping a subscriber is routine: a warning, not an error with a traceback.
    assert [
        record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR
    ] == []
    # Each subscription got a gapless prefix of the stream, short of its end.
    for cursors in delivered.values():
        assert cursors == list(range(1, len(cursors) + 1))
        assert len(cursors) < total

    # Reconnecting after the last cursor it saw loses nothing and repeats nothing.
    last = min((cursors[-1] for cursors in delivered.values() if cursors), default=0)
    async with subscribe(gateway, token, CURSORS, {"after": str(last)}) as resumed:
        rest = [int((await resumed.next())["activity"]["cursor"]) for _ in range(total - last)]
    assert rest == list(range(last + 1, total + 1))
