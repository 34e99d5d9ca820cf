"""Accounts and authentication: Basic auth with Account SID and auth token."""

from __future__ import annotations

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.sandbox.fixtures import SandboxAccount, SandboxServer
from trunkline.twilio import TwilioClients


async def test_a_new_account_can_fetch_itself_with_its_credentials(account: SandboxAccount) -> None:
    fetched = await account.client.api.v2010.accounts(account.sid).fetch_async()

    assert fetched.sid == account.sid
    assert fetched.status == "active"
    assert fetched.type == "Full"
    assert fetched.owner_account_sid == account.sid
    assert fetched.friendly_name == "Sandbox account"


async def test_control_api_names_the_new_account(control: httpx.AsyncClient) -> None:
    response = await control.post("/accounts", json={"friendly_name": "Acme dev"})

    credentials = response.json()
    assert response.status_code == 201
    assert sorted(credentials) == ["account_sid", "auth_token"]
    assert credentials["account_sid"].startswith("AC")
    assert len(credentials["account_sid"]) == 34
    assert len(credentials["auth_token"]) == 32


async def test_a_wrong_auth_token_gets_twilios_401_with_code_20003(
    account: SandboxAccount, twilio_clients: TwilioClients
) -> None:
    intruder = twilio_clients.client_for("intruder", account.sid, "0" * 32)

    with pytest.raises(TwilioRestException) as raised:
        await intruder.api.v2010.accounts(account.sid).fetch_async()

    assert raised.value.status == 401
    assert raised.value.code == 20003
    assert raised.value.msg == "Unable to fetch record: Authenticate"


async def test_a_401_carries_twilios_full_error_body(
    sandbox_server: SandboxServer, account: SandboxAccount
) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{sandbox_server.url}/twilio/api/2010-04-01/Accounts/{account.sid}.json",
            auth=(account.sid, "not-the-token"),
        )

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="Twilio API"'
    assert response.json() == {
        "code": 20003,
        "detail": "Your AccountSid or AuthToken was incorrect.",
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


@pytest.mark.nonconforming_request  # no Authorization header at all
async def test_a_request_without_credentials_gets_401(
    sandbox_server: SandboxServer, account: SandboxAccount
) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{sandbox_server.url}/twilio/api/2010-04-01/Accounts/{account.sid}/Messages.json"
        )

    assert response.status_code == 401
    assert response.json()["code"] == 20003


async def test_an_unknown_account_sid_gets_401(twilio_clients: TwilioClients) -> None:
    stranger_sid = "AC" + "1" * 32
    stranger = twilio_clients.client_for("stranger", stranger_sid, "1" * 32)

    with pytest.raises(TwilioRestException) as raised:
        await stranger.api.v2010.accounts(stranger_sid).fetch_async()

    assert (raised.value.status, raised.value.code) == (401, 20003)


async def test_another_accounts_resources_are_not_found(
    account: SandboxAccount, control: httpx.AsyncClient, twilio_clients: TwilioClients
) -> None:
    other = (await control.post("/accounts")).json()

    with pytest.raises(TwilioRestException) as raised:
        await account.client.api.v2010.accounts(other["account_sid"]).fetch_async()

    assert (raised.value.status, raised.value.code) == (404, 20404)
    assert raised.value.msg == (
        "Unable to fetch record: The requested resource "
        f"/2010-04-01/Accounts/{other['account_sid']}.json was not found"
    )


async def test_an_unknown_message_sid_gets_twilios_404_with_code_20404(
    account: SandboxAccount,
) -> None:
    missing = "SM" + "0" * 32

    with pytest.raises(TwilioRestException) as raised:
        await account.client.messages(missing).fetch_async()

    assert (raised.value.status, raised.value.code) == (404, 20404)
    assert raised.value.msg == (
        "Unable to fetch record: The requested resource "
        f"/2010-04-01/Accounts/{account.sid}/Messages/{missing}.json was not found"
    )


@pytest.mark.nonconforming_request  # a path Twilio's spec does not have
async def test_an_unknown_path_gets_twilios_404_body(
    sandbox_server: SandboxServer, account: SandboxAccount
) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{sandbox_server.url}/twilio/api/2010-04-01/Accounts/{account.sid}/Queues.json",
            auth=(account.sid, account.auth_token),
        )

    assert response.status_code == 404
    assert response.json() == {
        "code": 20404,
        "message": f"The requested resource /2010-04-01/Accounts/{account.sid}/Queues.json "
        "was not found",
        "more_info": "https://www.twilio.com/docs/errors/20404",
        "status": 404,
    }


def test_the_library_client_is_built_for_the_tenants_account(account: SandboxAccount) -> None:
    assert isinstance(account.client, Client)
    assert account.client.account_sid == account.sid
