"""Fixtures shared by the sandbox and Twilio-client tests (each conftest imports them).

One sandbox per session, served by uvicorn on loopback with an instant clock; every exchange with
it is checked against Twilio's specs after each test (:func:`conforms_to_twilio_specs`). A test
marked ``own_sandbox`` gets a sandbox of its own instead: its catalogue of available numbers
is whole, whatever other tests bought before it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from twilio.rest import Client

from tests.sandbox.conformance import ExchangeRecorder, TwilioSpecs
from tests.sandbox.receiver import WebhookReceiver
from tests.support.servers import serve_asgi
from trunkline.sandbox import Sandbox, create_sandbox_app
from trunkline.twilio import TwilioClients

NONCONFORMING = "nonconforming_request"
OWN_SANDBOX = "own_sandbox"


@dataclass(frozen=True)
class SandboxServer:
    url: str
    app: FastAPI
    recorder: ExchangeRecorder

    @property
    def sandbox(self) -> Sandbox:
        sandbox: Sandbox = self.app.state.sandbox
        return sandbox


@dataclass(frozen=True)
class SandboxAccount:
    sid: str
    auth_token: str
    client: Client


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{NONCONFORMING}: the test sends a request Twilio's spec forbids, on purpose"
    )
    config.addinivalue_line(
        "markers",
        f"{OWN_SANDBOX}: the test counts on the sandbox's catalogue as it is before any purchase",
    )


@asynccontextmanager
async def serve_sandbox() -> AsyncIterator[SandboxServer]:
    """A new sandbox carrier (nothing bought yet), served on loopback until the context exits."""
    app = create_sandbox_app(step_seconds=0, callback_timeout=2.0)
    recorder = ExchangeRecorder(app)
    async with serve_asgi(recorder) as url:
        yield SandboxServer(url, app, recorder)


@pytest.fixture(scope="session")
async def shared_sandbox_server() -> AsyncIterator[SandboxServer]:
    async with serve_sandbox() as server:
        yield server


@pytest.fixture
async def sandbox_server(
    request: pytest.FixtureRequest, shared_sandbox_server: SandboxServer
) -> AsyncIterator[SandboxServer]:
    """The session's sandbox; a new one for a test marked ``own_sandbox``.

    The catalogue is shared by every account of a sandbox: a number any test bought is offered
    to nobody else, so what a search finds depends on the tests that ran before it.
    """
    if request.node.get_closest_marker(OWN_SANDBOX) is None:
        yield shared_sandbox_server
        return
    async with serve_sandbox() as server:
        yield server


@pytest.fixture(scope="session")
def twilio_specs() -> TwilioSpecs:
    return TwilioSpecs()


@pytest.fixture(autouse=True)
def conforms_to_twilio_specs(
    request: pytest.FixtureRequest, sandbox_server: SandboxServer, twilio_specs: TwilioSpecs
) -> Iterator[None]:
    """After each test: every exchange it had with the sandbox conforms to Twilio's specs."""
    first = len(sandbox_server.recorder.exchanges)
    yield
    check_request = request.node.get_closest_marker(NONCONFORMING) is None
    exchanges = sandbox_server.recorder.exchanges[first:]
    violations = [
        v for e in exchanges for v in twilio_specs.violations(e, check_request=check_request)
    ]
    assert not violations, "\n".join(violations)


@pytest.fixture
async def twilio_clients(sandbox_server: SandboxServer) -> AsyncIterator[TwilioClients]:
    clients = TwilioClients(f"{sandbox_server.url}/twilio", timeout=5.0)
    yield clients
    await clients.aclose()


@pytest.fixture
async def control(sandbox_server: SandboxServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{sandbox_server.url}/control") as client:
        yield client


@pytest.fixture
async def account(control: httpx.AsyncClient, twilio_clients: TwilioClients) -> SandboxAccount:
    """A fresh sandbox account and the gateway's twilio client for it."""
    return await open_account(control, twilio_clients)


async def open_account(control: httpx.AsyncClient, clients: TwilioClients) -> SandboxAccount:
    response = await control.post("/accounts")
    assert response.status_code == 201
    credentials = response.json()
    sid, token = credentials["account_sid"], credentials["auth_token"]
    return SandboxAccount(sid, token, clients.client_for(sid, sid, token))


@pytest.fixture(scope="session")
async def receiver_server() -> AsyncIterator[WebhookReceiver]:
    app = WebhookReceiver()
    async with serve_asgi(app) as url:
        app.base_url = url
        yield app


@pytest.fixture
def receiver(receiver_server: WebhookReceiver) -> WebhookReceiver:
    """The tenant's application: a loopback server recording the webhooks it gets."""
    return receiver_server.scoped(f"/{uuid.uuid4().hex[:12]}")
