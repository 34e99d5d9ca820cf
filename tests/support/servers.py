"""Serve ASGI apps on loopback with a real uvicorn, inside the test event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any


def reserve_socket(host: str = "127.0.0.1") -> socket.socket:
    """A bound loopback socket: its port is known before the server that will use it starts."""
    # IPPROTO_TCP spelled out: asyncio turns TCP_NODELAY on only for sockets whose proto says
    # TCP, and without it every answer sent in two writes waited ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


def free_port() -> int:
    """A loopback port nobody listens on (a child process binds it a moment later)."""
    sock = reserve_socket()
    try:
        return int(sock.getsockname()[1])
    finally:
        sock.close()


def base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@asynccontextmanager
async def serve_asgi(
    app: Any, *, host: str = "127.0.0.1", sock: socket.socket | None = None
) -> AsyncIterator[str]:
    """Run ``app`` under uvicorn on a loopback port; yield its base URL (no trailing slash).

    The context waits until the server has run its lifespan startup and accepts connections.
    """
    import uvicorn  # a test dependency only where a server is started

    sock = sock or reserve_socket(host)
    config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="websockets-sansio")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    # uvicorn exposes no awaitable for "started"; poll its flag, but fail fast if startup died.
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.005)
    try:
        yield base_url(sock)
    finally:
        server.should_exit = True
        await task
        sock.close()
