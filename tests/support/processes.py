"""Run the gateway's own commands in subprocesses, as compose, make or an operator runs them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

BIN = Path(sys.executable).parent
TRUNKLINE = str(BIN / "trunkline")


def environment_without_trunkline(**extra: str) -> dict[str, str]:
    """This process's environment without ``TRUNKLINE_*`` and ``PG*`` variables, plus ``extra``."""
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("TRUNKLINE_", "PG"))
    }
    env.update(extra)
    return env


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str


async def run_command(argv: Sequence[str], *, env: dict[str, str], cwd: Path) -> Finished:
    """Run ``argv`` to its end (without blocking the test's event loop)."""
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return Finished(process.returncode, stdout.decode(), stderr.decode())


@dataclass
class RunningServer:
    url: str
    process: asyncio.subprocess.Process

    async def output(self) -> str:
        stdout = self.process.stdout
        return (await stdout.read()).decode(errors="replace") if stdout else ""


@asynccontextmanager
async def running_server(
    argv: Sequence[str], *, env: dict[str, str], port: int, cwd: Path, ready_path: str = "/healthz"
) -> AsyncIterator[RunningServer]:
    """Start ``argv``, wait until ``ready_path`` answers 200 on ``port``, stop it on exit.

    It runs in a session of its own, so stopping it stops whatever it started (make's child).
    """
    process = await asyncio.create_subprocess_exec(
        *argv,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = RunningServer(url=f"http://127.0.0.1:{port}", process=process)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=2.0) as client:
            for _ in range(600):  # up to ~60 s on a busy machine
                if process.returncode is not None:
                    pytest.fail(f"{argv} exited: {(await server.output())[-3000:]}")
                try:
                    if (await client.get(ready_path)).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                pytest.fail(f"{argv} did not answer {ready_path} on port {port}")
        yield server
    finally:
        if process.returncode is None:
            os.killpg(process.pid, 15)
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                os.killpg(process.pid, 9)
                await process.wait()


@asynccontextmanager
async def serving_gateway(
    data_dir: Path, *, database_url: str, redis_url: str, **settings: str
) -> AsyncIterator[RunningServer]:
    """``trunkline serve`` on a free loopback port with only ``settings`` (``TRUNKLINE_*``) set."""
    port = free_port()
    env = environment_without_trunkline(
        TRUNKLINE_DATA_DIR=str(data_dir),
        TRUNKLINE_DATABASE_URL=database_url,
        TRUNKLINE_REDIS_URL=redis_url,
        TRUNKLINE_AUTO_MIGRATE="true",
        **settings,
    )
    argv = [TRUNKLINE, "serve", "--port", str(port)]
    async with running_server(argv, env=env, port=port, cwd=data_dir) as server:
        yield server
