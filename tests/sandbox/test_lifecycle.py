"""The sandbox's life: persisted state across restarts, clean shutdown, mounting in a parent."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.sandbox.receiver import WebhookReceiver
from tests.support.servers import serve_asgi
from trunkline.sandbox import Sandbox, create_sandbox_app
from trunkline.twilio import TwilioClients


async def open_account(base_url: str) -> dict[str, str]:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{base_url}/control/accounts")
    credentials: dict[str, str] = response.json()
    return credentials


async def test_a_restarted_sandbox_keeps_accounts_numbers_history_and_media(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    async with serve_asgi(create_sandbox_app(step_seconds=0, state_path=state)) as url:
        credentials = await open_account(url)
        first = TwilioClients(f"{url}/twilio")
        client = first.client_for(1, credentials["account_sid"], credentials["auth_token"])
        number = await client.incoming_phone_numbers.create_async(
            area_code="415", sms_url="https://app.example/sms"
        )
        message = await client.messages.create_async(
            to="+14155550199",
            from_=number.phone_number,
            body="before the restart",
            media_url=["https://cdn.example/a.png"],
        )
        hosted = await client.messages(message.sid).media.list_async()
        await first.aclose()

    async with serve_asgi(create_sandbox_app(step_seconds=0, state_path=state)) as url:
        clients = TwilioClients(f"{url}/twilio")
        client = clients.client_for(1, credentials["account_sid"], credentials["auth_token"])
        numbers = await client.incoming_phone_numbers.list_async()
        kept = await client.messages(message.sid).fetch_async()
        kept_media = await client.messages(message.sid).media.list_async()
        await clients.aclose()

    assert [(n.sid, n.phone_number, n.sms_url) for n in numbers] == [
        (number.sid, number.phone_number, "https://app.example/sms")
    ]
    assert (kept.body, kept.status) == ("before the restart", "delivered")
    assert [(m.sid, m.content_type) for m in kept_media] == [(hosted[0].sid, "image/png")]
    assert json.loads(state.read_text())["version"] == 1


async def test_shutdown_cancels_progress_in_flight_and_a_restart_resumes_it(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    state = tmp_path / "sandbox.json"
    slow = create_sandbox_app(step_seconds=3600, state_path=state)
    sandbox: Sandbox = slow.state.sandbox
    async with serve_asgi(slow) as url:
        credentials = await open_account(url)
        clients = TwilioClients(f"{url}/twilio")
        client = clients.client_for(1, credentials["account_sid"], credentials["auth_token"])
        sender = await client.incoming_phone_numbers.create_async(area_code="312")
        queued = await client.messages.create_async(
            to="+14155550199",
            from_=sender.phone_number,
            body="slow carrier",
            status_callback=receiver.url("/status"),
        )
        pending_while_running = sandbox.pending
        await clients.aclose()
    pending_after_shutdown = sandbox.pending

    async with serve_asgi(create_sandbox_app(step_seconds=0, state_path=state)):
        statuses = [(await receiver.next("/status")).fields["MessageStatus"] for _ in range(3)]

    assert queued.status == "queued"
    assert (pending_while_running, pending_after_shutdown) == (1, 0)
    assert statuses == ["sending", "sent", "delivered"]


async def test_a_parent_app_mounts_the_sandbox_and_runs_it_from_its_own_lifespan() -> None:
    sandbox_app = create_sandbox_app(step_seconds=0)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with sandbox_app.state.sandbox:
            yield

    gateway = FastAPI(lifespan=lifespan)
    gateway.mount("/sandbox", sandbox_app)
    async with serve_asgi(gateway) as url:
        credentials = await open_account(f"{url}/sandbox")
        clients = TwilioClients(f"{url}/sandbox/twilio")
        client = clients.client_for(1, credentials["account_sid"], credentials["auth_token"])
        account = await client.api.v2010.accounts(credentials["account_sid"]).fetch_async()
        missing_call = f"/2010-04-01/Accounts/{account.sid}/Calls/CA{'0' * 32}.json"
        async with httpx.AsyncClient() as http:
            missing = await http.get(
                f"{url}/sandbox/twilio/api{missing_call}",
                auth=(credentials["account_sid"], credentials["auth_token"]),
            )
        await clients.aclose()

    assert account.sid == credentials["account_sid"]
    assert missing.json()["message"] == f"The requested resource {missing_call} was not found"


async def test_a_closed_sandbox_refuses_new_background_work() -> None:
    sandbox = Sandbox(step_seconds=0)
    async with sandbox:
        pass

    async def work() -> None:
        raise AssertionError("must never run")

    with pytest.raises(RuntimeError, match="the sandbox is shutting down"):
        sandbox.spawn(work(), name="late")
    await sandbox.close()  # closing again is harmless
    assert sandbox.pending == 0
