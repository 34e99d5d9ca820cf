"""What a newcomer runs: ``trunkline serve`` on the embedded default, and ``trunkline token``.

These start the real console script in a subprocess with a fresh data dir and nothing else
configured, exactly as ``make run`` does.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.servers import base_url, reserve_socket

TRUNKLINE = str(Path(sys.executable).with_name("trunkline"))
ME = "{ me { orgId roles } }"


def _clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUNKLINE_")}
    env.update({"TRUNKLINE_DATA_DIR": str(data_dir), "TRUNKLINE_SANDBOX_STEP_SECONDS": "0"})
    env.update(extra)
    return env


@asynccontextmanager
async def running_gateway(env: dict[str, str], *args: str) -> AsyncIterator[str]:
    sock = reserve_socket()
    url = base_url(sock)
    port = sock.getsockname()[1]
    sock.close()  # the child binds it; the port stays free on loopback in the meantime
    process = await asyncio.create_subprocess_exec(
        TRUNKLINE,
        "serve",
        "--port",
        str(port),
        *args,
        env=env,
        cwd=env["TRUNKLINE_DATA_DIR"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        async with httpx.AsyncClient(base_url=url, timeout=2.0) as client:
            for _ in range(300):  # up to ~30 s on a slow machine
                if process.returncode is not None:
                    output = await process.stdout.read() if process.stdout else b""
                    pytest.fail(f"trunkline serve exited: {output.decode()[-2000:]}")
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("trunkline serve did not come up")
        yield url
    finally:
        process.terminate()
        await process.wait()


def _token(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [TRUNKLINE, "token", *args], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


async def test_serve_on_the_embedded_default_accepts_a_token_from_trunkline_token(
    tmp_path: Path,
) -> None:
    env = _clean_env(tmp_path)
    async with running_gateway(env, "--sandbox") as url, httpx.AsyncClient(base_url=url) as client:
        token = _token(
            env, "--org", "org_demo", "--sub", "user_1", "--role", "admin", "--role", "support"
        )

        with_token = await client.post(
            "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
        )
        without = await client.post("/graphql", json={"query": ME})
        graphiql = await client.get("/graphql", headers={"Accept": "text/html"})
        introspection = await client.post(
            "/graphql",
            json={"query": '{ __type(name: "Me") { name } }'},
            headers={"Authorization": f"Bearer {token}"},
        )
        sandbox = await client.post("/sandbox/control/accounts")

    assert with_token.json() == {
        "data": {"me": {"orgId": "org_demo", "roles": ["admin", "support"]}}
    }
    assert without.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert graphiql.status_code == 200
    assert "graphiql" in graphiql.text.lower()
    assert introspection.json() == {"data": {"__type": {"name": "Me"}}}
    assert sandbox.status_code in {200, 201}
    assert sandbox.json()["account_sid"].startswith("AC")
    assert (tmp_path / "var" / "trunkline.sqlite3").exists() or (
        tmp_path / "trunkline.sqlite3"
    ).exists()


async def test_token_from_another_data_dir_is_refused(tmp_path: Path) -> None:
    env = _clean_env(tmp_path / "a")
    other = _clean_env(tmp_path / "b")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with running_gateway(env) as url, httpx.AsyncClient(base_url=url) as client:
        foreign = _token(other, "--org", "org_demo", "--sub", "user_1", "--role", "admin")

        response = await client.post(
            "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {foreign}"}
        )

    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_readyz_names_an_unreachable_bus(tmp_path: Path) -> None:
    env = _clean_env(tmp_path, TRUNKLINE_REDIS_URL="redis://127.0.0.1:9/0")
    async with running_gateway(env) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failing": ["bus"]}


async def test_readyz_names_an_unreachable_database(tmp_path: Path) -> None:
    env = _clean_env(tmp_path, TRUNKLINE_DATABASE_URL="postgres://postgres@127.0.0.1:9/none")
    async with running_gateway(env) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failing": ["database"]}


def test_token_refuses_when_development_auth_is_off(tmp_path: Path) -> None:
    env = _clean_env(
        tmp_path,
        TRUNKLINE_AUTH0_ISSUER="https://example.eu.auth0.com/",
        TRUNKLINE_AUTH0_AUDIENCE="https://api.example.com",
        TRUNKLINE_ENCRYPTION_KEYS="x5OQ1KJ2yZ0Qm6d9kMx3lq7cYbRz8VnA4sT1uW2eF3g=",
    )

    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [TRUNKLINE, "token", "--org", "o", "--sub", "u"], env=env, capture_output=True, text=True
    )

    assert result.returncode == 2
    assert "development auth is off" in result.stderr


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({}, "TRUNKLINE_REDIS_URL"),
        ({"TRUNKLINE_REDIS_URL": "redis://127.0.0.1:9/0"}, "TRUNKLINE_DATABASE_URL"),
    ],
)
def test_several_workers_are_refused_without_postgresql_and_redis(
    tmp_path: Path, extra: dict[str, str], reason: str
) -> None:
    result = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [TRUNKLINE, "serve", "--workers", "2"],
        env=_clean_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2
    assert reason in result.stderr
