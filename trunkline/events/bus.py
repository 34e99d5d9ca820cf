"""The event bus: Redis pub/sub across instances, or in-process for the embedded default.

Both implement :class:`Bus`. Subscriber fan-out (one listener connection per process,
bounded per-subscriber queues) builds on this interface.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

import redis.asyncio as redis


class BusUnavailable(Exception):
    """The bus cannot be reached right now."""


class Bus(Protocol):
    name: str

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise :class:`BusUnavailable` when the bus cannot carry messages."""

    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...


class InProcessBus:
    """Everything in one process: nothing to reach, nothing to fail."""

    name = "in-process"

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        return None


class RedisBus:
    """Redis pub/sub. One client (and its small pool) per process."""

    name = "redis"

    def __init__(self, url: str, *, timeout: float = 2.0) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, max_connections=8
        )

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        await self._client.aclose()

    async def ping(self) -> None:
        try:
            await self._client.ping()
        except (redis.RedisError, OSError) as exc:
            raise BusUnavailable(str(exc)) from exc

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        try:
            await self._client.publish(channel, json.dumps(message, separators=(",", ":")))
        except (redis.RedisError, OSError) as exc:
            raise BusUnavailable(str(exc)) from exc


def create_bus(redis_url: str) -> Bus:
    return RedisBus(redis_url) if redis_url else InProcessBus()
