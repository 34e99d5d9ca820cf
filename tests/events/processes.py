"""Real processes for bus tests: a private redis-server, and another ``trunkline serve``."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import redis.asyncio as redis

from tests.support.servers import free_port
from trunkline.settings import Settings

# Importing the app alone took 13-17 s on this 2-core machine under a full suite and other work:
# a start that needs longer has failed.
START_SECONDS = 60.0
ROOT = Path(__file__).resolve().parents[2]


class RedisServer:
    """A redis-server of the test's own on a loopback port: it can be stopped and restarted."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        try:
            async with asyncio.timeout(START_SECONDS):
                while True:  # no readiness signal to await: poll the port
                    try:
                        await client.ping()
                        return
                    except (redis.RedisError, OSError):
                        await asyncio.sleep(0.02)
        finally:
            await client.aclose()

    async def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            await self.process.wait()
            self.process = None


@asynccontextmanager
async def redis_server() -> AsyncIterator[RedisServer]:
    server = RedisServer(free_port())
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def _environment(settings: Settings, **overrides: str) -> dict[str, str]:
    assert settings.encryption_keys is not None
    values = {
        "TRUNKLINE_DATA_DIR": str(settings.data_dir),
        "TRUNKLINE_DATABASE_URL": settings.database_url,
        "TRUNKLINE_REDIS_URL": settings.redis_url,
        "TRUNKLINE_BUS_PREFIX": settings.bus_prefix,
        "TRUNKLINE_AUTH0_ISSUER": settings.auth0_issuer,
        "TRUNKLINE_AUTH0_AUDIENCE": settings.auth0_audience,
        "TRUNKLINE_AUTH0_JWKS_URL": settings.auth0_jwks_url,
        "TRUNKLINE_ENCRYPTION_KEYS": settings.encryption_keys.get_secret_value(),
        "TRUNKLINE_AUTO_MIGRATE": "false",
        **overrides,
    }
    return {**os.environ, **values}


@dataclass(frozen=True)
class ServeProcess:
    url: str
    pid: int

    def worker_pids(self) -> list[int]:
        """Its worker processes (``--workers`` > 1 spawns each; not multiprocessing's helpers)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [
            int(child)
            for child in children
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()
        ]


@asynccontextmanager
async def gateway_process(settings: Settings, **overrides: str) -> AsyncIterator[str]:
    """Another gateway process on the same database (and bus, unless overridden)."""
    async with serve_process(settings, **overrides) as served:
        yield served.url


@asynccontextmanager
async def serve_process(
    settings: Settings, *arguments: str, start_seconds: float = START_SECONDS, **overrides: str
) -> AsyncIterator[ServeProcess]:
    """``trunkline serve [arguments]`` on a spare port, with ``settings`` in its environment."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = await asyncio.create_subprocess_exec(
        *[
            sys.executable,
            "-m",
            "trunkline.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *arguments,
        ],
        env=_environment(settings, TRUNKLINE_PUBLIC_URL=url, **overrides),
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=url) as http, asyncio.timeout(start_seconds):
            while True:  # a child process offers nothing to await: poll its health endpoint
                if process.returncode is not None:
                    raise RuntimeError(f"trunkline serve exited with {process.returncode}")
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        yield ServeProcess(url, process.pid)
    finally:
        process.terminate()
        await process.wait()
