"""What the benchmarks share: a private PostgreSQL database and redis-server, gateway processes,
a tenant with a number, signed webhooks, and graphql-transport-ws subscribers.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust; ``BENCH_POSTGRES_URL`` to change) and
``redis-server`` on PATH. Nothing leaves loopback.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import redis.asyncio as redis
import websockets
from cryptography.fernet import Fernet
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
START_SECONDS = 30.0


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def percentiles(samples_ms: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    if not ordered:
        return {"count": 0}
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "count": len(ordered),
        "p50_ms": round(cuts[49], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(ordered[-1], 2),
    }


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds used so far: by a server, this (load-generating) process, every PostgreSQL
    process, and the whole machine (``busy`` of ``total``, over every core)."""

    server: float
    load_generator: float
    postgres: float
    busy: float
    total: float

    @classmethod
    def take(cls, server: Process) -> CpuSnapshot:
        user, nice, system, idle, iowait, irq, softirq, steal = (
            int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
        )
        tick = os.sysconf("SC_CLK_TCK")
        busy = user + nice + system + irq + softirq + steal
        own = resource.getrusage(resource.RUSAGE_SELF)
        return cls(
            server=_process_cpu(server.process.pid),
            load_generator=own.ru_utime + own.ru_stime,
            postgres=sum(_process_cpu(pid) for pid in _pids_named("postgres")),
            busy=busy / tick,
            total=(busy + idle + iowait) / tick,
        )

    def per_request(self, later: CpuSnapshot, requests: int) -> dict[str, float]:
        """Where the machine's CPU went between ``self`` and ``later``, per request.

        ``machine_busy`` near 1 says more speed needs less CPU per request, not more concurrency.
        """

        def us(seconds: float) -> float:
            return round(seconds / max(requests, 1) * 1e6, 1)

        return {
            "server_cpu_us_per_request": us(later.server - self.server),
            "postgres_cpu_us_per_request": us(later.postgres - self.postgres),
            "load_generator_cpu_us_per_request": us(later.load_generator - self.load_generator),
            "machine_cpu_us_per_request": us(later.busy - self.busy),
            "machine_busy": round((later.busy - self.busy) / (later.total - self.total), 2),
        }


def _process_cpu(pid: int) -> float:
    """User plus system CPU seconds of ``pid`` (0 if it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pids_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue  # it ended while we looked
    return pids


async def _wait_until(check: Any, what: str) -> None:
    async with asyncio.timeout(START_SECONDS):
        while True:  # child processes offer nothing to await: poll
            try:
                if await check():
                    return
            except (OSError, redis.RedisError):
                pass
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{what} did not start")


@asynccontextmanager
async def redis_server() -> AsyncIterator[str]:
    port = spare_port()
    process = await asyncio.create_subprocess_exec(
        *("redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""),
        *("--appendonly", "no"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        await _wait_until(client.ping, "redis-server")
        yield url
    finally:
        await client.aclose()
        process.terminate()
        await process.wait()


@asynccontextmanager
async def postgres_database(*, durable: bool = True) -> AsyncIterator[str]:
    """A fresh database; ``durable=False`` turns off ``synchronous_commit`` in it.

    Only as a diagnosis: a commit then returns before its WAL reaches the disk, so a crash could
    lose webhooks already answered 200. The gateway never runs so.
    """
    name = f"trunkline_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    if not durable:
        await admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@dataclass
class Deployment:
    """Settings shared by every gateway process of one benchmark run."""

    database_url: str
    redis_url: str
    data_dir: Path
    dev_secret: str = uuid.uuid4().hex + uuid.uuid4().hex
    encryption_key: str = Fernet.generate_key().decode()
    prefix: str = f"bench-{uuid.uuid4().hex[:8]}"

    def environment(self, public_url: str) -> dict[str, str]:
        return {
            **os.environ,
            "TRUNKLINE_DATABASE_URL": self.database_url,
            "TRUNKLINE_REDIS_URL": self.redis_url,
            "TRUNKLINE_DATA_DIR": str(self.data_dir),
            "TRUNKLINE_DEV_JWT_SECRET": self.dev_secret,
            "TRUNKLINE_ENCRYPTION_KEYS": self.encryption_key,
            "TRUNKLINE_BUS_PREFIX": self.prefix,
            "TRUNKLINE_PUBLIC_URL": public_url,
            "TRUNKLINE_AUTO_MIGRATE": "true",
            "TRUNKLINE_MAX_SUBSCRIPTIONS_PER_SOCKET": "100",
        }

    def token(self, org: str, *, roles: Sequence[str] = ("admin",)) -> str:
        from trunkline.auth.tokens import mint_dev_token

        return mint_dev_token(
            self.dev_secret,
            org_id=org,
            user_id="auth0|bench",
            roles=roles,
            ttl_seconds=3600,
            roles_claim="https://trunkline.dev/roles",
        )


SERVE = (
    "import sys, uvicorn; from trunkline.app import create_app; "
    "uvicorn.run(create_app(), host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', "
    "access_log=False, ws='websockets-sansio', "
    "ws_per_message_deflate=sys.argv[2] == 'deflate')"
)
BARE = (
    "import sys, uvicorn\n"
    "async def app(scope, receive, send):\n"
    "    if scope['type'] != 'http':\n"
    "        return\n"
    "    while (await receive()).get('more_body'):\n"
    "        pass\n"
    "    await send({'type': 'http.response.start', 'status': 200,\n"
    "                'headers': [(b'content-type', b'text/xml'), (b'content-length', b'11')]})\n"
    "    await send({'type': 'http.response.body', 'body': b'<Response/>'})\n"
    "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', "
    "access_log=False)\n"
)


@dataclass
class Process:
    url: str
    process: asyncio.subprocess.Process

    def rss_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")


@asynccontextmanager
async def serve(
    source: str, environment: dict[str, str] | None = None, *, deflate: bool = False
) -> AsyncIterator[Process]:
    port = spare_port()
    url = f"http://127.0.0.1:{port}"
    env = environment(url) if callable(environment) else environment  # type: ignore[operator]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        source,
        str(port),
        "deflate" if deflate else "plain",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
    )

    async def up() -> bool:
        if process.returncode is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        return True

    try:
        await _wait_until(up, "server")
        yield Process(url, process)
    finally:
        process.terminate()
        await process.wait()


@asynccontextmanager
async def gateway(deployment: Deployment, *, deflate: bool = False) -> AsyncIterator[Process]:
    """A gateway process; ``deflate``: WebSocket permessage-deflate on (off, as ``serve`` runs)."""
    async with serve(SERVE, deployment.environment, deflate=deflate) as process:  # type: ignore[arg-type]
        yield process


@dataclass
class Tenant:
    org: str
    tenant_id: int
    account_sid: str
    auth_token: str
    number: str
    number_id: int


async def create_tenant(deployment: Deployment) -> Tenant:
    """Rows written through the models (the gateway has migrated the database)."""
    from tortoise import Tortoise

    from trunkline.models import PhoneNumber, TwilioSettings
    from trunkline.models import Tenant as TenantRow
    from trunkline.models.database import open_database
    from trunkline.services.secrets import SecretBox

    await open_database(deployment.database_url)
    try:
        org = f"org_{uuid.uuid4().hex[:10]}"
        account_sid = "AC" + uuid.uuid4().hex
        auth_token = uuid.uuid4().hex
        tenant = await TenantRow.create(org_id=org)
        await TwilioSettings.create(
            tenant=tenant,
            account_sid=account_sid,
            auth_token_encrypted=SecretBox([deployment.encryption_key]).encrypt(
                tenant_id=tenant.id, plaintext=auth_token
            ),
        )
        number = await PhoneNumber.create(
            tenant=tenant,
            sid="PN" + uuid.uuid4().hex,
            phone_number=f"+1555{uuid.uuid4().int % 10**7:07d}",
            sms_enabled=True,
        )
    finally:
        await Tortoise.close_connections()
    return Tenant(org, tenant.id, account_sid, auth_token, number.phone_number, number.id)


def inbound_request(tenant: Tenant, base_url: str, body: str) -> bytes:
    """A complete signed HTTP/1.1 request for an inbound SMS, ready for a raw socket."""
    params = {
        "AccountSid": tenant.account_sid,
        "MessageSid": "SM" + uuid.uuid4().hex,
        "From": "+14155550123",
        "To": tenant.number,
        "Body": body,
        "NumMedia": "0",
    }
    return signed_request(tenant, base_url, "/webhooks/twilio/messaging", params)


def status_request(tenant: Tenant, base_url: str, sid: str, status: str) -> bytes:
    """A signed status callback for an outbound message sent from the tenant's number."""
    params = {
        "AccountSid": tenant.account_sid,
        "MessageSid": sid,
        "MessageStatus": status,
        "From": tenant.number,
        "To": "+14155550123",
    }
    return signed_request(tenant, base_url, "/webhooks/twilio/message-status", params)


def signed_request(tenant: Tenant, base_url: str, path: str, params: dict[str, str]) -> bytes:
    signature = RequestValidator(tenant.auth_token).compute_signature(base_url + path, params)
    content = urlencode(params).encode()
    host = base_url.removeprefix("http://")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(content)}\r\nX-Twilio-Signature: {signature}\r\n"
        f"I-Twilio-Idempotency-Token: {uuid.uuid4()}\r\n\r\n"
    )
    return head.encode() + content


class RawClient:
    """One keep-alive HTTP/1.1 connection: cheap enough not to be the bottleneck it measures."""

    def __init__(self, base_url: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, payload: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


ACTIVITY = "subscription { activity { cursor message { body } } }"


async def open_subscriber(
    base_url: str, token: str, *, operations: int = 1
) -> websockets.ClientConnection:
    url = base_url.replace("http://", "ws://") + "/graphql"
    socket = await websockets.connect(
        url,
        subprotocols=["graphql-transport-ws"],
        open_timeout=30,
        max_queue=None,  # type: ignore[list-item]
    )
    await socket.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    ack = json.loads(await socket.recv())
    assert ack["type"] == "connection_ack", ack
    for index in range(operations):
        await socket.send(
            json.dumps({"id": str(index), "type": "subscribe", "payload": {"query": ACTIVITY}})
        )
    return socket


def now_ms() -> float:
    return time.time() * 1000.0


class LeanSubscriber(asyncio.Protocol):
    """A graphql-transport-ws subscriber on websockets' sans-I/O protocol, for the load side.

    Each read from the socket is parsed in one go and every complete text message handed to
    ``on_message``: the websockets asyncio client's per-message machinery (a future, a queue and
    a task wake-up per message) made the measuring process, not the gateway, the bottleneck at
    20,000 messages/s on this machine.
    """

    def __init__(self, url: str, on_message: Any) -> None:
        from websockets.client import ClientProtocol
        from websockets.typing import Subprotocol
        from websockets.uri import parse_uri

        self.protocol = ClientProtocol(
            parse_uri(url), subprotocols=[Subprotocol("graphql-transport-ws")], max_size=None
        )
        self.on_message = on_message
        self.transport: asyncio.Transport | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @classmethod
    async def open(cls, base_url: str, token: str, on_message: Any) -> LeanSubscriber:
        url = base_url.replace("http://", "ws://") + "/graphql"
        host, port = base_url.removeprefix("http://").split(":")
        subscriber = cls(url, on_message)
        await asyncio.get_running_loop().create_connection(lambda: subscriber, host, int(port))
        await asyncio.wait_for(subscriber.opened, 30)
        subscriber.send(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        )
        subscriber.send({"id": "0", "type": "subscribe", "payload": {"query": ACTIVITY}})
        return subscriber

    def send(self, message: dict[str, Any]) -> None:
        self.protocol.send_text(json.dumps(message).encode())
        self._flush()

    def _flush(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"".join(self.protocol.data_to_send()))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.protocol.send_request(self.protocol.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        from websockets.frames import Frame, Opcode

        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Frame):
                if event.opcode is Opcode.TEXT:
                    self.on_message(event.data)
            elif not self.opened.done():
                self.opened.set_result(None)  # the handshake response
        self._flush()  # pongs, and the closing handshake

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
