"""The controls that stand in for a person in Twilio's Console: a rotated token, edited webhooks."""

from __future__ import annotations

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException

from tests.sandbox.fixtures import SandboxAccount
from trunkline.twilio import TwilioClients


async def test_a_rotated_auth_token_replaces_the_old_one_at_once(
    account: SandboxAccount, control: httpx.AsyncClient, twilio_clients: TwilioClients
) -> None:
    response = await control.post(f"/accounts/{account.sid}/auth-token")
    new_token = response.json()["auth_token"]

    with pytest.raises(TwilioRestException) as raised:
        await account.client.api.v2010.accounts(account.sid).fetch_async()
    renewed = twilio_clients.client_for("renewed", account.sid, new_token)
    fetched = await renewed.api.v2010.accounts(account.sid).fetch_async()

    assert response.status_code == 200
    assert len(new_token) == 32
    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert fetched.sid == account.sid


async def test_edited_webhooks_are_what_twilio_answers_and_the_rest_is_kept(
    account: SandboxAccount, control: httpx.AsyncClient
) -> None:
    bought = await account.client.incoming_phone_numbers.create_async(
        area_code="512",
        sms_url="https://gateway.example/sms",
        voice_url="https://gateway.example/v",
    )

    response = await control.post(
        "/numbers/webhooks",
        json={"phone_number": bought.phone_number, "sms_url": "https://elsewhere.example/sms"},
    )
    fetched = await account.client.incoming_phone_numbers(bought.sid).fetch_async()

    assert response.status_code == 200
    assert fetched.sms_url == "https://elsewhere.example/sms"
    assert fetched.voice_url == "https://gateway.example/v"


async def test_editing_the_webhooks_of_no_sandbox_number_is_404(
    control: httpx.AsyncClient,
) -> None:
    response = await control.post(
        "/numbers/webhooks", json={"phone_number": "+15125550999", "sms_url": "https://x.example"}
    )

    assert response.status_code == 404
