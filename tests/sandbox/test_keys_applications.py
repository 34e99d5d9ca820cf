"""API keys and TwiML Apps: create, list, fetch, update, delete, as Twilio's 2010 API has them."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException

from tests.sandbox.fixtures import SandboxAccount, SandboxServer, open_account
from tests.support.servers import serve_asgi
from trunkline.sandbox import create_sandbox_app
from trunkline.twilio import TwilioClients

VOICE_URL = "https://gateway.example/webhooks/twilio/voice#rc=3&rp=ct,rt,5xx"
FALLBACK_URL = "https://gateway.example/webhooks/twilio/voice-fallback"
STATUS_URL = "https://gateway.example/webhooks/twilio/call-status"


async def test_a_new_key_shows_its_secret_once_and_never_again(
    account: SandboxAccount, sandbox_server: SandboxServer
) -> None:
    created = await account.client.new_keys.create_async(friendly_name="Voice tokens")

    fetched = await account.client.keys(created.sid).fetch_async()
    listed = await account.client.keys.list_async()

    assert re.fullmatch(r"SK[0-9a-f]{32}", created.sid)
    assert re.fullmatch(r"[A-Za-z0-9]{32}", created.secret)
    assert created.friendly_name == fetched.friendly_name == "Voice tokens"
    assert not hasattr(fetched, "secret")
    assert [key.sid for key in listed] == [created.sid]
    kept = sandbox_server.sandbox.store.key_owned_by(account.sid, created.sid)
    assert kept is not None
    assert kept.secret == created.secret


async def test_a_key_is_renamed_and_deleted(account: SandboxAccount) -> None:
    created = await account.client.new_keys.create_async()

    renamed = await account.client.keys(created.sid).update_async(friendly_name="Renamed")
    deleted = await account.client.keys(created.sid).delete_async()

    assert created.friendly_name is None
    assert renamed.friendly_name == "Renamed"
    assert deleted is True
    with pytest.raises(TwilioRestException) as raised:
        await account.client.keys(created.sid).fetch_async()
    assert (raised.value.status, raised.value.code) == (404, 20404)


async def test_the_key_list_pages_newest_first(account: SandboxAccount) -> None:
    created = [await account.client.new_keys.create_async() for _ in range(3)]

    first_page = await account.client.keys.page_async(page_size=2)
    everything = await account.client.keys.list_async(page_size=2)

    assert [key.sid for key in first_page] == [created[2].sid, created[1].sid]
    assert [key.sid for key in everything] == [key.sid for key in reversed(created)]


async def test_an_application_keeps_its_voice_urls_and_methods(
    account: SandboxAccount, sandbox_server: SandboxServer
) -> None:
    created = await account.client.applications.create_async(
        friendly_name="Trunkline voice",
        voice_url=VOICE_URL,
        voice_method="POST",
        voice_fallback_url=FALLBACK_URL,
        status_callback=STATUS_URL,
        status_callback_method="POST",
    )

    fetched = await account.client.applications(created.sid).fetch_async()

    assert re.fullmatch(r"AP[0-9a-f]{32}", created.sid)
    assert (fetched.sid, fetched.account_sid, fetched.friendly_name) == (
        created.sid,
        account.sid,
        "Trunkline voice",
    )
    assert (fetched.voice_url, fetched.voice_method) == (VOICE_URL, "POST")
    assert (fetched.voice_fallback_url, fetched.voice_fallback_method) == (FALLBACK_URL, "POST")
    assert (fetched.status_callback, fetched.status_callback_method) == (STATUS_URL, "POST")
    assert (fetched.sms_url, fetched.voice_caller_id_lookup, fetched.api_version) == (
        None,
        False,
        "2010-04-01",
    )
    found = sandbox_server.sandbox.store.application_owned_by(account.sid, created.sid)
    assert found is not None
    assert found.voice_url == VOICE_URL


async def test_an_application_update_changes_only_what_it_names(account: SandboxAccount) -> None:
    created = await account.client.applications.create_async(
        friendly_name="Before", voice_url=VOICE_URL, status_callback=STATUS_URL
    )

    updated = await account.client.applications(created.sid).update_async(
        voice_url="https://elsewhere.example/voice", voice_method="GET", status_callback=""
    )

    assert updated.friendly_name == "Before"
    assert (updated.voice_url, updated.voice_method) == ("https://elsewhere.example/voice", "GET")
    assert updated.status_callback is None


async def test_applications_are_listed_newest_first_and_filtered_by_name(
    account: SandboxAccount,
) -> None:
    first = await account.client.applications.create_async(friendly_name="One")
    second = await account.client.applications.create_async(friendly_name="Two")

    everything = await account.client.applications.list_async()
    named = await account.client.applications.list_async(friendly_name="One")

    assert [a.sid for a in everything] == [second.sid, first.sid]
    assert [a.sid for a in named] == [first.sid]


async def test_a_deleted_application_is_gone(account: SandboxAccount) -> None:
    created = await account.client.applications.create_async(friendly_name="Doomed")

    deleted = await account.client.applications(created.sid).delete_async()

    assert deleted is True
    with pytest.raises(TwilioRestException) as raised:
        await account.client.applications(created.sid).fetch_async()
    assert (raised.value.status, raised.value.code) == (404, 20404)


async def test_another_accounts_keys_and_applications_are_not_found_nor_listed(
    account: SandboxAccount,
    control: httpx.AsyncClient,
    twilio_clients: TwilioClients,
    sandbox_server: SandboxServer,
) -> None:
    theirs = await open_account(control, twilio_clients)
    key = await theirs.client.new_keys.create_async(friendly_name="Theirs")
    application = await theirs.client.applications.create_async(friendly_name="Theirs")

    keys = await account.client.keys.list_async()
    applications = await account.client.applications.list_async()

    assert (keys, applications) == ([], [])
    for resource in (
        account.client.keys(key.sid),
        account.client.applications(application.sid),
    ):
        with pytest.raises(TwilioRestException) as raised:
            await resource.delete_async()
        assert (raised.value.status, raised.value.code) == (404, 20404)
    store = sandbox_server.sandbox.store
    assert store.application_owned_by(account.sid, application.sid) is None
    assert store.application_owned_by(theirs.sid, application.sid) is not None
    assert store.key_owned_by(account.sid, key.sid) is None
    assert store.key_owned_by(theirs.sid, key.sid) is not None


async def test_keys_and_applications_survive_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    async with (
        serve_asgi(create_sandbox_app(step_seconds=0, state_path=state)) as url,
        httpx.AsyncClient(base_url=f"{url}/control") as control,
    ):
        clients = TwilioClients(f"{url}/twilio")
        created = await open_account(control, clients)
        key = await created.client.new_keys.create_async(friendly_name="Kept")
        application = await created.client.applications.create_async(voice_url=VOICE_URL)
        await clients.aclose()

    restarted = create_sandbox_app(step_seconds=0, state_path=state)
    async with serve_asgi(restarted) as url:
        clients = TwilioClients(f"{url}/twilio")
        client = clients.client_for(1, created.sid, created.auth_token)
        keys = await client.keys.list_async()
        applications = await client.applications.list_async()
        await clients.aclose()

    assert [(k.sid, k.friendly_name) for k in keys] == [(key.sid, "Kept")]
    assert [(a.sid, a.voice_url) for a in applications] == [(application.sid, VOICE_URL)]
    kept = restarted.state.sandbox.store.key_owned_by(created.sid, key.sid)
    assert kept is not None
    assert kept.secret == key.secret
