"""The suite runs once per backend (``TRUNKLINE_TEST_BACKEND``):

- ``embedded``: the embedded default, a SQLite file in a fresh data dir and the in-process bus;
- ``services``: PostgreSQL and Redis on loopback, a database of this run's own.

``make test`` runs both. With ``CI=true`` an unreachable PostgreSQL or Redis fails the run; on a
laptop without them the services pass is skipped, saying so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
import redis.asyncio as redis
from cryptography.fernet import Fernet

from tests.sandbox.conformance import ExchangeRecorder
from tests.support.graphql import GraphQLClient
from tests.support.identity import AUDIENCE, IdentityProvider
from tests.support.servers import base_url, reserve_socket, serve_asgi
from trunkline.app import create_app
from trunkline.sandbox import create_sandbox_app
from trunkline.settings import Settings

BACKEND = os.environ.get("TRUNKLINE_TEST_BACKEND", "embedded")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_ADMIN_URL = os.environ.get(
    "TRUNKLINE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TRUNKLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN_ID = uuid.uuid4().hex[:10]

if BACKEND not in {"embedded", "services"}:
    raise pytest.UsageError(f"TRUNKLINE_TEST_BACKEND={BACKEND!r}: use embedded or services")


def pytest_report_header() -> list[str]:
    return [f"trunkline backend: {BACKEND} (run {RUN_ID})"]


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str  # empty: the embedded default's SQLite file in the data dir
    redis_url: str


async def _services_reachable() -> str | None:
    try:
        connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
        await connection.close()
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {exc}"
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as exc:
        return f"Redis at {REDIS_URL} is unreachable: {exc}"
    finally:
        await client.aclose()
    return None


def _postgres_url(database: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"


@pytest.fixture(scope="session")
async def backend() -> AsyncIterator[Backend]:
    if BACKEND == "embedded":
        yield Backend(name="embedded", database_url="", redis_url="")
        return
    problem = await _services_reachable()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"CI requires PostgreSQL and Redis: {problem}", pytrace=False)
        pytest.skip(problem)
    database = f"trunkline_test_{RUN_ID}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{database}"')
    try:
        yield Backend(name="services", database_url=_postgres_url(database), redis_url=REDIS_URL)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="session")
async def identity() -> AsyncIterator[IdentityProvider]:
    provider = IdentityProvider()
    async with serve_asgi(provider.app) as url:
        provider.issuer = f"{url}/"
        yield provider


@pytest.fixture(scope="session")
def carrier_exchanges() -> ExchangeRecorder:
    """Every exchange the gateway has with the sandbox carrier, for the conformance checks."""
    return ExchangeRecorder(create_sandbox_app(step_seconds=0))


@pytest.fixture(scope="session")
async def carrier(carrier_exchanges: ExchangeRecorder) -> AsyncIterator[str]:
    """The sandbox carrier on its own loopback port, statuses advancing at once; its base URL."""
    async with serve_asgi(carrier_exchanges) as url:
        yield url


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture(scope="session")
def gateway_socket() -> Iterator[object]:
    sock = reserve_socket()
    yield sock
    sock.close()


@pytest.fixture(scope="session")
def settings(
    backend: Backend,
    identity: IdentityProvider,
    data_dir: Path,
    gateway_socket: object,
    carrier: str,
) -> Settings:
    """Production-shaped settings: Auth0 (our loopback JWKS), no development auth."""
    return Settings(
        data_dir=data_dir,
        database_url=backend.database_url,
        redis_url=backend.redis_url,
        bus_prefix=f"trunkline-test-{RUN_ID}",
        auth0_issuer=identity.issuer,
        auth0_audience=AUDIENCE,
        auth0_jwks_url=identity.jwks_url,
        jwks_refetch_cooldown_seconds=0.5,
        encryption_keys=Fernet.generate_key().decode(),  # type: ignore[arg-type]
        public_url=base_url(gateway_socket),  # type: ignore[arg-type]
        twilio_api_base=f"{carrier}/twilio",
        auto_migrate=True,
        # Small enough that the stalled-subscriber test overflows it in well under a second.
        subscriber_queue_size=64,
    )


@pytest.fixture(scope="session")
async def gateway(settings: Settings, gateway_socket: object) -> AsyncIterator[str]:
    """The gateway under test, served by uvicorn on loopback; yields its base URL."""
    async with serve_asgi(create_app(settings), sock=gateway_socket) as url:  # type: ignore[arg-type]
        yield url


@pytest.fixture(scope="session")
async def graphql(gateway: str) -> AsyncIterator[GraphQLClient]:
    client = GraphQLClient(gateway)
    yield client
    await client.aclose()


@pytest.fixture
def unique_org() -> str:
    """An organization no other test uses, so tests never see each other's rows."""
    return f"org_{uuid.uuid4().hex[:12]}"
