"""Twilio settings through GraphQL, against the sandbox carrier over loopback HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from twilio.rest import Client

from tests.support.graphql import error_codes, ws_connect, ws_execute, ws_init
from tests.support.tenancy import SAVE_CREDENTIALS, Tenant, open_sandbox_account
from trunkline.models import Message, TwilioSettings
from trunkline.models import Tenant as TenantRow
from trunkline.services.secrets import SecretBox
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients

SETTINGS = """
{ twilioSettings { configured enabled accountSid fromNumber messagingServiceSid validatedAt
  conversationsServiceSid webhook { configured } } }
"""
SET_ENABLED = """
mutation SetEnabled($enabled: Boolean!) {
  setTwilioEnabled(enabled: $enabled) {
    __typename ... on TwilioSettings { enabled } ... on Error { code }
  }
}
"""
DELETE = """
mutation { deleteTwilioCredentials {
  __typename ... on DeleteTwilioCredentialsPayload { deleted } ... on Error { code }
} }
"""
CONFIGURE_WEBHOOK = """
mutation { configureConversationsWebhook {
  __typename
  ... on ConversationsWebhook { serviceSid postWebhookUrl method filters pointsHere }
  ... on Error { code message } ... on UserInputError { field }
} }
"""
READ_WEBHOOK = "{ conversationsWebhook { postWebhookUrl filters pointsHere } }"
SEND_TEST_SMS = """
mutation Send($to: String!, $body: String!) {
  sendTestSms(to: $to, body: $body) {
    __typename
    ... on TestSmsSent { messageId sid status to }
    ... on Error { code message }
    ... on UserInputError { field }
    ... on ProviderError { providerCode }
  }
}
"""
COUNTRIES = "{ supportedCountries { isoCountry name } }"
CONVERSATIONS_SID = "IS" + "0" * 32


def _input(account_sid: str, auth_token: str, **extra: str) -> dict[str, object]:
    return {"input": {"accountSid": account_sid, "authToken": auth_token, **extra}}


async def _stored(tenant: Tenant) -> TwilioSettings | None:
    row = await TenantRow.get_or_none(org_id=tenant.org)
    return await TwilioSettings.get_or_none(tenant_id=row.id) if row else None


async def test_support_saves_credentials_and_sees_them_masked(
    tenant: Tenant, carrier: str, settings: Settings
) -> None:
    saved = await tenant.connect_twilio(carrier)
    assert tenant.account is not None

    result = await tenant.execute(SETTINGS, as_="support")

    view = result["data"]["twilioSettings"]
    assert saved["accountSid"] == f"AC…{tenant.account.account_sid[-4:]}"
    assert view["configured"] is True
    assert view["enabled"] is True
    assert view["accountSid"] == f"AC…{tenant.account.account_sid[-4:]}"
    assert view["validatedAt"] is not None
    row = await _stored(tenant)
    assert row is not None
    assert tenant.account.auth_token not in row.auth_token_encrypted
    box = SecretBox(settings.fernet_keys)
    assert box.decrypt(tenant_id=row.tenant_id, ciphertext=row.auth_token_encrypted) == (  # type: ignore[attr-defined]
        tenant.account.auth_token
    )


async def test_admin_reads_settings_that_are_not_configured_yet(tenant: Tenant) -> None:
    result = await tenant.execute(SETTINGS, as_="admin")

    assert result["data"]["twilioSettings"]["configured"] is False
    assert result["data"]["twilioSettings"]["accountSid"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("accountSid", "AC123"),
        ("accountSid", "XX" + "0" * 32),
        ("authToken", "not-hex-" + "0" * 24),
        ("fromNumber", "0412345678"),
        ("fromNumber", "61412345678"),
        ("fromNumber", "+61 412 345 678"),
        ("messagingServiceSid", "MX" + "0" * 32),
        ("conversationsServiceSid", "IS123"),
        ("twimlAppSid", "AP" + "z" * 32),
    ],
)
async def test_malformed_input_is_a_typed_error_naming_the_field_and_nothing_is_saved(
    tenant: Tenant, carrier: str, field: str, value: str
) -> None:
    account = await open_sandbox_account(carrier)
    variables = _input(account.account_sid, account.auth_token, **{field: value})

    result = await tenant.execute(SAVE_CREDENTIALS, variables, as_="support")

    payload = result["data"]["saveTwilioCredentials"]
    assert payload["__typename"] == "UserInputError"
    assert payload["code"] == "BAD_USER_INPUT"
    assert payload["field"] == field
    assert await _stored(tenant) is None


async def test_credentials_twilio_rejects_are_a_provider_error_and_nothing_is_saved(
    tenant: Tenant, carrier: str
) -> None:
    account = await open_sandbox_account(carrier)
    wrong_token = "f" * 32

    result = await tenant.execute(
        SAVE_CREDENTIALS, _input(account.account_sid, wrong_token), as_="support"
    )

    payload = result["data"]["saveTwilioCredentials"]
    assert payload["__typename"] == "ProviderError"
    assert payload["code"] == "PROVIDER_ERROR"
    assert payload["providerCode"] == 20003
    assert wrong_token not in str(result)
    assert await _stored(tenant) is None


async def test_account_already_claimed_by_another_tenant_is_refused(
    tenant: Tenant, other_tenant: Tenant, carrier: str
) -> None:
    await other_tenant.connect_twilio(carrier)
    assert other_tenant.account is not None
    theirs = other_tenant.account

    result = await tenant.execute(
        SAVE_CREDENTIALS, _input(theirs.account_sid, theirs.auth_token), as_="support"
    )

    assert result["data"]["saveTwilioCredentials"]["code"] == "CONFLICT"
    assert await _stored(tenant) is None


async def test_saving_again_without_the_token_keeps_the_stored_one(
    tenant: Tenant, carrier: str
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)

    result = await tenant.execute(SETTINGS, as_="support")

    assert result["data"]["twilioSettings"]["fromNumber"] == bought["phoneNumber"]


@pytest.mark.parametrize("roles", [(), ("admin",), ("platform-admin",)])
async def test_only_support_saves_credentials_and_a_refusal_changes_nothing(
    tenant: Tenant, carrier: str, roles: tuple[str, ...]
) -> None:
    account = await open_sandbox_account(carrier)

    result = await tenant.execute(
        SAVE_CREDENTIALS, _input(account.account_sid, account.auth_token), as_=roles
    )

    assert error_codes(result) == ["FORBIDDEN"]
    assert await _stored(tenant) is None


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (SET_ENABLED, {"enabled": False}),
        (DELETE, None),
        (CONFIGURE_WEBHOOK, None),
        (SEND_TEST_SMS, {"to": "+14155550123", "body": "hi"}),
    ],
)
@pytest.mark.parametrize("roles", [(), ("admin",), ("platform-admin",)])
async def test_only_support_changes_the_configuration(
    tenant: Tenant,
    carrier: str,
    document: str,
    variables: dict[str, object] | None,
    roles: tuple[str, ...],
) -> None:
    await tenant.connect_twilio(carrier)
    before = await _stored(tenant)

    result = await tenant.execute(document, variables, as_=roles)

    assert error_codes(result) == ["FORBIDDEN"]
    after = await _stored(tenant)
    assert before is not None
    assert after is not None
    assert (after.enabled, after.updated_at) == (before.enabled, before.updated_at)
    assert await Message.filter(tenant_id=after.tenant_id).count() == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("roles", [(), ("platform-admin",)])
async def test_agents_cannot_read_the_configuration(tenant: Tenant, roles: tuple[str, ...]) -> None:
    result = await tenant.execute(SETTINGS, as_=roles)

    assert error_codes(result) == ["FORBIDDEN"]


async def test_disabled_or_deleted_configuration_answers_twilio_not_configured(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)

    disabled = await tenant.execute(SET_ENABLED, {"enabled": False}, as_="support")
    while_disabled = await tenant.execute(COUNTRIES, as_="admin")
    enabled = await tenant.execute(SET_ENABLED, {"enabled": True}, as_="support")
    while_enabled = await tenant.execute(COUNTRIES, as_="admin")
    deleted = await tenant.execute(DELETE, as_="support")
    after_delete = await tenant.execute(COUNTRIES, as_="admin")
    set_after_delete = await tenant.execute(SET_ENABLED, {"enabled": True}, as_="support")

    assert disabled["data"]["setTwilioEnabled"] == {
        "__typename": "TwilioSettings",
        "enabled": False,
    }
    assert error_codes(while_disabled) == ["TWILIO_NOT_CONFIGURED"]
    assert enabled["data"]["setTwilioEnabled"]["enabled"] is True
    assert {"isoCountry": "US", "name": "United States"} in while_enabled["data"][
        "supportedCountries"
    ]
    assert deleted["data"]["deleteTwilioCredentials"] == {
        "__typename": "DeleteTwilioCredentialsPayload",
        "deleted": True,
    }
    assert error_codes(after_delete) == ["TWILIO_NOT_CONFIGURED"]
    assert set_after_delete["data"]["setTwilioEnabled"]["code"] == "TWILIO_NOT_CONFIGURED"
    assert await _stored(tenant) is None


async def test_conversations_webhook_is_pointed_here_and_read_back_from_twilio(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    await tenant.connect_twilio(carrier)  # no service SID: the account's default service is used

    configured = await tenant.execute(CONFIGURE_WEBHOOK, as_="support")
    read_back = await tenant.execute(READ_WEBHOOK, as_="admin")
    view = await tenant.execute(SETTINGS, as_="support")

    events = [
        "onMessageAdded",
        "onConversationAdded",
        "onConversationRemoved",
        "onParticipantAdded",
        "onParticipantRemoved",
    ]
    payload = configured["data"]["configureConversationsWebhook"]
    assert payload["serviceSid"].startswith("IS")
    assert payload == {
        "__typename": "ConversationsWebhook",
        "serviceSid": payload["serviceSid"],
        "postWebhookUrl": f"{gateway}/webhooks/twilio/conversations#rc=3&rp=ct,rt,5xx",
        "method": "POST",
        "filters": events,
        "pointsHere": True,
    }
    assert read_back["data"]["conversationsWebhook"] == {
        "postWebhookUrl": f"{gateway}/webhooks/twilio/conversations#rc=3&rp=ct,rt,5xx",
        "filters": events,
        "pointsHere": True,
    }
    assert view["data"]["twilioSettings"]["webhook"] == {"configured": True}
    assert view["data"]["twilioSettings"]["conversationsServiceSid"] == payload["serviceSid"]


async def test_conversations_webhook_of_an_unknown_service_is_a_provider_error(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier, conversationsServiceSid=CONVERSATIONS_SID)

    result = await tenant.execute(CONFIGURE_WEBHOOK, as_="support")

    payload = result["data"]["configureConversationsWebhook"]
    assert payload["__typename"] == "ProviderError"
    assert payload["code"] == "PROVIDER_ERROR"


async def test_test_sms_is_sent_from_the_configured_number_and_recorded(
    tenant: Tenant, carrier: str
) -> None:
    bought = await tenant.connect_twilio_with_a_number(carrier)

    result = await tenant.execute(
        SEND_TEST_SMS, {"to": "+14155550123", "body": "Trunkline test"}, as_="support"
    )

    sent = result["data"]["sendTestSms"]
    assert sent["__typename"] == "TestSmsSent"
    assert sent["sid"].startswith("SM")
    assert sent["to"] == "+14155550123"
    message = await Message.get(sid=sent["sid"])
    assert (message.from_address, message.body, message.direction) == (
        bought["phoneNumber"],
        "Trunkline test",
        "outbound",
    )
    assert message.number_id == int(bought["id"])  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("to", "body", "field"),
    [
        ("0412345678", "hi", "to"),
        ("+14155550123", "  ", "body"),
        ("+14155550123", "x" * 321, "body"),
    ],
)
async def test_test_sms_with_bad_input_is_a_typed_error(
    tenant: Tenant, carrier: str, to: str, body: str, field: str
) -> None:
    await tenant.connect_twilio(carrier)

    result = await tenant.execute(SEND_TEST_SMS, {"to": to, "body": body}, as_="support")

    assert result["data"]["sendTestSms"]["field"] == field


async def test_test_sms_to_twilios_invalid_magic_number_is_a_provider_error(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio_with_a_number(carrier)

    result = await tenant.execute(
        SEND_TEST_SMS, {"to": "+15005550001", "body": "hi"}, as_="support"
    )

    assert result["data"]["sendTestSms"]["providerCode"] == 21211


async def test_new_credentials_replace_the_cached_client(tenant: Tenant, carrier: str) -> None:
    await tenant.connect_twilio(carrier)
    first_account = tenant.account
    await tenant.buy_any_number()  # the client for the first account is now cached

    await tenant.connect_twilio(carrier)  # a different sandbox account
    bought = await tenant.buy_any_number()

    assert tenant.account is not None
    assert first_account is not None
    assert tenant.account.account_sid != first_account.account_sid
    clients = TwilioClients(f"{carrier}/twilio")
    try:
        client = clients.client_for("check", tenant.account.account_sid, tenant.account.auth_token)
        owned = await client.incoming_phone_numbers.list_async()
    finally:
        await clients.aclose()
    assert [n.sid for n in owned] == [bought["sid"]]
    assert isinstance(client, Client)


async def test_no_secret_reaches_a_response_or_a_log_line(
    tenant: Tenant, carrier: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    account = await open_sandbox_account(carrier)
    responses = [
        await tenant.execute(
            SAVE_CREDENTIALS, _input(account.account_sid, "e" * 32), as_="support"
        ),
        await tenant.execute(
            SAVE_CREDENTIALS, _input(account.account_sid, account.auth_token), as_="support"
        ),
        await tenant.execute(SETTINGS, as_="admin"),
        await tenant.execute(COUNTRIES, as_="admin"),
    ]

    text = str(responses) + "\n".join(record.getMessage() for record in caplog.records)
    assert account.auth_token not in text
    assert "e" * 32 not in text
    assert account.account_sid not in str(responses)


def test_rotate_keys_re_encrypts_every_secret_under_the_newest_key(
    settings: Settings, tmp_path: Path
) -> None:
    # Runs against a copy of nothing: a fresh embedded database with one stored secret.
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUNKLINE_")}
    env |= {"TRUNKLINE_DATA_DIR": str(tmp_path), "TRUNKLINE_ENCRYPTION_KEYS": old_key}
    trunkline = str(Path(sys.executable).with_name("trunkline"))
    subprocess.run([trunkline, "migrate"], env=env, check=True, capture_output=True)  # noqa: S603
    seed = (
        "import asyncio\n"
        "from trunkline.models.database import open_database, close_database\n"
        "from trunkline.models import Tenant, TwilioSettings\n"
        "from trunkline.services.secrets import SecretBox\n"
        "from trunkline.settings import Settings\n"
        "async def main():\n"
        "    s = Settings()\n"
        "    await open_database(s.effective_database_url)\n"
        "    t = await Tenant.create(org_id='org_rotate')\n"
        "    box = SecretBox(s.fernet_keys)\n"
        "    await TwilioSettings.create(tenant=t, account_sid='AC'+'1'*32,\n"
        "        auth_token_encrypted=box.encrypt(tenant_id=t.id, plaintext='a'*32))\n"
        "    await close_database()\n"
        "asyncio.run(main())\n"
    )
    subprocess.run([sys.executable, "-c", seed], env=env, check=True)  # noqa: S603

    rotated = subprocess.run(  # noqa: S603
        [trunkline, "rotate-keys"],
        env=env | {"TRUNKLINE_ENCRYPTION_KEYS": f"{new_key},{old_key}"},
        check=True,
        capture_output=True,
        text=True,
    )
    check = seed.split("async def main")[0] + (
        "async def main():\n"
        "    s = Settings()\n"
        "    await open_database(s.effective_database_url)\n"
        "    row = await TwilioSettings.get(account_sid='AC'+'1'*32)\n"
        "    print(SecretBox(s.fernet_keys).decrypt(tenant_id=row.tenant_id,\n"
        "        ciphertext=row.auth_token_encrypted))\n"
        "    await close_database()\n"
        "asyncio.run(main())\n"
    )
    readable_with_new_key_only = subprocess.run(  # noqa: S603
        [sys.executable, "-c", check],
        env=env | {"TRUNKLINE_ENCRYPTION_KEYS": new_key},
        check=True,
        capture_output=True,
        text=True,
    )

    assert rotated.stdout.strip() == "re-encrypted 1 secret(s) under the newest key"
    assert readable_with_new_key_only.stdout.strip() == "a" * 32


STATUS_FEED = "subscription { activity { kind message { sid status } } }"


async def test_test_sms_later_statuses_arrive_on_the_activity_subscription(
    tenant: Tenant, carrier: str, gateway: str
) -> None:
    await tenant.connect_twilio_with_a_number(carrier)
    async with ws_connect(gateway) as socket:
        await ws_init(socket, {"Authorization": f"Bearer {tenant.token('admin')}"})
        await socket.send(
            json.dumps({"id": "feed", "type": "subscribe", "payload": {"query": STATUS_FEED}})
        )
        # A round trip on the same socket: once answered, the subscription above is listening.
        await ws_execute(socket, "ready", "{ me { orgId } }")

        result = await tenant.execute(
            SEND_TEST_SMS, {"to": "+14155550123", "body": "status please"}, as_="support"
        )
        sid = result["data"]["sendTestSms"]["sid"]
        statuses: list[str] = []
        sent = []
        while "delivered" not in statuses or not sent:
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
            if message.get("id") != "feed":
                continue  # the round trip's own `complete`
            event = message["payload"]["data"]["activity"]
            assert event["message"]["sid"] == sid
            if event["kind"] == "MESSAGE_SENT":
                sent.append(event)
                continue
            assert event["kind"] == "MESSAGE_STATUS"
            statuses.append(event["message"]["status"])

    # The send itself is announced once; the sandbox posts a callback for each step after
    # `queued`, and each reaches the subscriber.
    assert len(sent) == 1
    assert statuses == ["sending", "sent", "delivered"]
