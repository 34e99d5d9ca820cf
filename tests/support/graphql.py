"""Real GraphQL clients: HTTP with httpx, and graphql-transport-ws with websockets."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"


class GraphQLClient:
    """Posts operations to ``/graphql`` and returns the decoded response body."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=10.0)

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        response = await self.post({"query": query, "variables": variables or {}}, token=token)
        assert response.status_code == 200, response.text
        return response.json()

    async def post(self, body: Any, *, token: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.http.post("/graphql", json=body, headers=headers)

    async def aclose(self) -> None:
        await self.http.aclose()


def error_codes(result: dict[str, Any]) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in result.get("errors") or []]


@asynccontextmanager
async def ws_connect(
    base_url: str, *, subprotocol: str = GRAPHQL_TRANSPORT_WS
) -> AsyncIterator[ClientConnection]:
    url = base_url.replace("http://", "ws://", 1) + "/graphql"
    async with websockets.connect(url, subprotocols=[subprotocol], open_timeout=5) as socket:  # type: ignore[list-item]
        yield socket


async def ws_init(socket: ClientConnection, payload: dict[str, Any] | None) -> dict[str, Any]:
    """Send connection_init and return the server's reply (``connection_ack``)."""
    message: dict[str, Any] = {"type": "connection_init"}
    if payload is not None:
        message["payload"] = payload
    await socket.send(json.dumps(message))
    return json.loads(await socket.recv())


async def ws_execute(socket: ClientConnection, op_id: str, query: str) -> dict[str, Any]:
    """Run one operation over the socket and return its first ``next`` (or ``error``) message."""
    await socket.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query}}))
    return json.loads(await socket.recv())
