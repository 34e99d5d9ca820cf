"""A graphql-transport-ws subscriber over a real WebSocket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.support.graphql import ws_connect, ws_init

WAIT_SECONDS = 10.0


class Subscriber:
    def __init__(self, socket: ClientConnection, op_id: str) -> None:
        self.socket = socket
        self.op_id = op_id

    async def message(self, wait: float = WAIT_SECONDS) -> dict[str, Any]:
        """The next protocol message for this operation (pings answered on the way)."""
        async with asyncio.timeout(wait):
            while True:
                message = json.loads(await self.socket.recv())
                if message.get("type") == "ping":
                    await self.socket.send(json.dumps({"type": "pong"}))
                    continue
                if message.get("id") == self.op_id:
                    return message

    async def next(self, wait: float = WAIT_SECONDS) -> dict[str, Any]:
        """The data of the next ``next`` message; fails on anything else."""
        message = await self.message(wait)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message["payload"]
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def close_code(self, wait: float = WAIT_SECONDS) -> int | None:
        """Wait for the server to close the socket; its close code."""
        try:
            async with asyncio.timeout(wait):
                while True:
                    await self.socket.recv()
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        return None


@asynccontextmanager
async def subscribe(
    gateway: str, token: str, query: str, variables: dict[str, Any] | None = None
) -> AsyncIterator[Subscriber]:
    async with ws_connect(gateway) as socket:
        ack = await ws_init(socket, {"Authorization": f"Bearer {token}"})
        assert ack == {"type": "connection_ack"}, ack
        payload = {"query": query, "variables": variables or {}}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        yield Subscriber(socket, "1")


class Socket:
    """One connection holding several operations; messages are sorted by operation id."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.frames: dict[str, list[str]] = {}

    async def start(self, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.socket.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))

    async def frame(self, op_id: str, wait: float = WAIT_SECONDS) -> str:
        """The next raw text frame for ``op_id`` (pings answered on the way)."""
        async with asyncio.timeout(wait):
            while not self.frames.get(op_id):
                raw = await self.socket.recv()
                assert isinstance(raw, str)
                message = json.loads(raw)
                if message.get("type") == "ping":
                    await self.socket.send(json.dumps({"type": "pong"}))
                    continue
                self.frames.setdefault(str(message.get("id")), []).append(raw)
        return self.frames[op_id].pop(0)

    async def message(self, op_id: str, wait: float = WAIT_SECONDS) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await self.frame(op_id, wait))
        return message


@asynccontextmanager
async def connect(gateway: str, token: str) -> AsyncIterator[Socket]:
    async with ws_connect(gateway) as socket:
        ack = await ws_init(socket, {"Authorization": f"Bearer {token}"})
        assert ack == {"type": "connection_ack"}, ack
        yield Socket(socket)
