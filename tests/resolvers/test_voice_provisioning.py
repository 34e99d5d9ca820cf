"""provisionVoice through GraphQL against the sandbox carrier: a TwiML App pointing here and an
API key, made once, reused after, and saved by hand just as well."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from tortoise import Tortoise

from tests.conftest import BACKEND
from tests.resolvers.voice import (
    PROVISION,
    provision,
    sandbox_applications,
    sandbox_keys,
    stored_settings,
)
from tests.sandbox.conformance import ExchangeRecorder
from tests.support.graphql import error_codes
from tests.support.tenancy import SAVE_CREDENTIALS, Tenant
from trunkline.services.callbacks import Callback, callback_url
from trunkline.services.secrets import SecretBox
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients

SET_ENABLED = "mutation { setTwilioEnabled(enabled: false) { __typename } }"


def stored_secret(settings: Settings, row_tenant_id: int, ciphertext: str | None) -> str:
    assert ciphertext is not None
    return SecretBox(settings.fernet_keys).decrypt(tenant_id=row_tenant_id, ciphertext=ciphertext)


async def test_support_provisions_an_app_pointing_here_and_a_key_stored_encrypted(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder, settings: Settings
) -> None:
    await tenant.connect_twilio(carrier)

    result = await tenant.execute(PROVISION, as_="support")

    provisioned = result["data"]["provisionVoice"]
    (app,) = sandbox_applications(carrier_exchanges, tenant)
    (key,) = sandbox_keys(carrier_exchanges, tenant)
    assert provisioned == {
        "__typename": "VoiceProvisioning",
        "twimlAppSid": app.sid,
        "apiKeySid": key.sid,
        "twimlAppCreated": True,
        "apiKeyCreated": True,
    }
    assert (app.voice_url, app.voice_method) == (
        callback_url(settings.public_url, Callback.VOICE),
        "POST",
    )
    assert (app.voice_fallback_url, app.voice_fallback_method) == (
        callback_url(settings.public_url, Callback.VOICE_FALLBACK),
        "POST",
    )
    assert (app.status_callback, app.status_callback_method) == (
        callback_url(settings.public_url, Callback.CALL_STATUS),
        "POST",
    )
    row = await stored_settings(tenant)
    assert row is not None
    assert (row.twiml_app_sid, row.api_key_sid) == (app.sid, key.sid)
    assert key.secret not in (row.api_key_secret_encrypted or "")
    tenant_id: int = row.tenant_id  # type: ignore[attr-defined]
    assert stored_secret(settings, tenant_id, row.api_key_secret_encrypted) == key.secret
    assert key.secret not in str(result)


async def test_a_second_run_creates_nothing_new_and_reuses_both(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    await tenant.connect_twilio(carrier)
    first = await provision(tenant)

    second = await provision(tenant)

    assert second == {**first, "twimlAppCreated": False, "apiKeyCreated": False}
    assert [a.sid for a in sandbox_applications(carrier_exchanges, tenant)] == [
        first["twimlAppSid"]
    ]
    assert [k.sid for k in sandbox_keys(carrier_exchanges, tenant)] == [first["apiKeySid"]]


async def test_a_second_run_points_the_stored_app_here_again(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder, settings: Settings
) -> None:
    await tenant.connect_twilio(carrier)
    first = await provision(tenant)
    (app,) = sandbox_applications(carrier_exchanges, tenant)
    app.voice_url = "https://elsewhere.example/voice"
    app.status_callback = None

    second = await provision(tenant)

    assert second["twimlAppSid"] == first["twimlAppSid"]
    assert second["twimlAppCreated"] is False
    assert app.voice_url == callback_url(settings.public_url, Callback.VOICE)
    assert app.status_callback == callback_url(settings.public_url, Callback.CALL_STATUS)


async def test_an_app_deleted_at_twilio_is_made_anew_and_the_key_kept(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    await tenant.connect_twilio(carrier)
    first = await provision(tenant)
    del carrier_exchanges.state.sandbox.store.applications[first["twimlAppSid"]]

    second = await provision(tenant)

    (app,) = sandbox_applications(carrier_exchanges, tenant)
    assert (second["twimlAppSid"], second["twimlAppCreated"]) == (app.sid, True)
    assert app.sid != first["twimlAppSid"]
    assert (second["apiKeySid"], second["apiKeyCreated"]) == (first["apiKeySid"], False)
    row = await stored_settings(tenant)
    assert row is not None
    assert (row.twiml_app_sid, row.api_key_sid) == (app.sid, first["apiKeySid"])


async def test_a_key_deleted_at_twilio_is_made_anew_with_its_new_secret_stored(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder, settings: Settings
) -> None:
    await tenant.connect_twilio(carrier)
    first = await provision(tenant)
    del carrier_exchanges.state.sandbox.store.keys[first["apiKeySid"]]

    second = await provision(tenant)

    (key,) = sandbox_keys(carrier_exchanges, tenant)
    assert (second["apiKeySid"], second["apiKeyCreated"]) == (key.sid, True)
    assert key.sid != first["apiKeySid"]
    assert (second["twimlAppSid"], second["twimlAppCreated"]) == (first["twimlAppSid"], False)
    row = await stored_settings(tenant)
    assert row is not None
    tenant_id: int = row.tenant_id  # type: ignore[attr-defined]
    assert stored_secret(settings, tenant_id, row.api_key_secret_encrypted) == key.secret


async def test_an_app_and_key_saved_by_hand_are_reused_and_the_app_pointed_here(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder, settings: Settings
) -> None:
    # Given: an app and key someone made in Twilio's Console, saved with the credentials.
    await tenant.connect_twilio(carrier)
    assert tenant.account is not None
    clients = TwilioClients(f"{carrier}/twilio")
    try:
        client = clients.client_for("hand", tenant.account.account_sid, tenant.account.auth_token)
        app = await client.applications.create_async(friendly_name="Made by hand")
        key = await client.new_keys.create_async(friendly_name="Made by hand")
    finally:
        await clients.aclose()
    saved = await tenant.execute(
        SAVE_CREDENTIALS,
        {
            "input": {
                "accountSid": tenant.account.account_sid,
                "twimlAppSid": app.sid,
                "apiKeySid": key.sid,
                "apiKeySecret": key.secret,
            }
        },
        as_="support",
    )
    assert saved["data"]["saveTwilioCredentials"]["__typename"] == "TwilioSettings", saved

    # When: support provisions.
    provisioned = await provision(tenant)

    # Then: both are reused (nothing new at Twilio) and the app now calls this gateway.
    assert provisioned == {
        "__typename": "VoiceProvisioning",
        "twimlAppSid": app.sid,
        "apiKeySid": key.sid,
        "twimlAppCreated": False,
        "apiKeyCreated": False,
    }
    assert [a.sid for a in sandbox_applications(carrier_exchanges, tenant)] == [app.sid]
    assert [k.sid for k in sandbox_keys(carrier_exchanges, tenant)] == [key.sid]
    (kept,) = sandbox_applications(carrier_exchanges, tenant)
    assert kept.voice_url == callback_url(settings.public_url, Callback.VOICE)


async def test_a_hand_saved_key_twilio_does_not_have_is_replaced(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    await tenant.connect_twilio(carrier)
    assert tenant.account is not None
    unknown_key = "SK" + uuid.uuid4().hex
    await tenant.execute(
        SAVE_CREDENTIALS,
        {
            "input": {
                "accountSid": tenant.account.account_sid,
                "apiKeySid": unknown_key,
                "apiKeySecret": "x" * 32,
            }
        },
        as_="support",
    )

    provisioned = await provision(tenant)

    (key,) = sandbox_keys(carrier_exchanges, tenant)
    assert (provisioned["apiKeySid"], provisioned["apiKeyCreated"]) == (key.sid, True)
    assert key.sid != unknown_key


async def test_concurrent_runs_leave_one_app_and_one_key(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    await tenant.connect_twilio(carrier)

    results = await asyncio.gather(*(tenant.execute(PROVISION, as_="support") for _ in range(3)))

    answers = {
        (r["data"]["provisionVoice"]["twimlAppSid"], r["data"]["provisionVoice"]["apiKeySid"])
        for r in results
    }
    apps = sandbox_applications(carrier_exchanges, tenant)
    keys = sandbox_keys(carrier_exchanges, tenant)
    row = await stored_settings(tenant)
    assert row is not None
    assert answers == {(row.twiml_app_sid, row.api_key_sid)}
    assert ([a.sid for a in apps], [k.sid for k in keys]) == (
        [row.twiml_app_sid],
        [row.api_key_sid],
    )


async def test_without_twilio_it_is_not_configured_and_nothing_is_made(tenant: Tenant) -> None:
    result = await tenant.execute(PROVISION, as_="support")

    assert result["data"]["provisionVoice"] == {
        "__typename": "TwilioNotConfiguredError",
        "code": "TWILIO_NOT_CONFIGURED",
        "message": "Twilio is not configured or is disabled for this tenant.",
    }


async def test_with_twilio_disabled_it_is_not_configured_and_nothing_is_made(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    await tenant.connect_twilio(carrier)
    await tenant.execute(SET_ENABLED, as_="support")

    result = await tenant.execute(PROVISION, as_="support")

    assert result["data"]["provisionVoice"]["code"] == "TWILIO_NOT_CONFIGURED"
    assert sandbox_applications(carrier_exchanges, tenant) == []
    assert sandbox_keys(carrier_exchanges, tenant) == []


async def test_credentials_twilio_no_longer_accepts_are_a_provider_error_and_nothing_is_made(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    # Given: the auth token was rotated in Twilio's Console after it was saved here.
    await tenant.connect_twilio(carrier)
    assert tenant.account is not None
    carrier_exchanges.state.sandbox.store.accounts[tenant.account.account_sid].auth_token = "f" * 32

    result = await tenant.execute(PROVISION, as_="support")

    payload = result["data"]["provisionVoice"]
    assert (payload["__typename"], payload["code"], payload["providerCode"]) == (
        "ProviderError",
        "PROVIDER_ERROR",
        20003,
    )
    assert sandbox_applications(carrier_exchanges, tenant) == []
    assert sandbox_keys(carrier_exchanges, tenant) == []
    row = await stored_settings(tenant)
    assert row is not None
    assert (row.twiml_app_sid, row.api_key_sid) == (None, None)


@pytest.mark.parametrize("roles", [(), ("agent",), ("admin",), ("platform-admin",)], ids=str)
async def test_only_support_provisions_and_a_refusal_makes_and_stores_nothing(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder, roles: tuple[str, ...]
) -> None:
    await tenant.connect_twilio(carrier)

    result = await tenant.execute(PROVISION, as_=roles)

    assert error_codes(result) == ["FORBIDDEN"]
    assert sandbox_applications(carrier_exchanges, tenant) == []
    assert sandbox_keys(carrier_exchanges, tenant) == []
    row = await stored_settings(tenant)
    assert row is not None
    assert (row.twiml_app_sid, row.api_key_sid, row.api_key_secret_encrypted) == (None, None, None)


async def test_provisioning_touches_only_the_callers_tenant(
    tenant: Tenant, other_tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    await tenant.connect_twilio(carrier)
    await other_tenant.connect_twilio(carrier)
    theirs = await provision(other_tenant)

    mine = await provision(tenant)

    assert (mine["twimlAppCreated"], mine["apiKeyCreated"]) == (True, True)
    assert (mine["twimlAppSid"], mine["apiKeySid"]) != (theirs["twimlAppSid"], theirs["apiKeySid"])
    assert [a.sid for a in sandbox_applications(carrier_exchanges, tenant)] == [mine["twimlAppSid"]]
    assert [a.sid for a in sandbox_applications(carrier_exchanges, other_tenant)] == [
        theirs["twimlAppSid"]
    ]
    other_row = await stored_settings(other_tenant)
    assert other_row is not None
    assert (other_row.twiml_app_sid, other_row.api_key_sid) == (
        theirs["twimlAppSid"],
        theirs["apiKeySid"],
    )


@pytest.mark.skipif(
    BACKEND != "services", reason="a refusing trigger raises a constraint error on SQLite"
)
async def test_an_app_and_key_that_cannot_be_stored_are_removed_at_twilio(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    # Given: a database that refuses to store this tenant's voice set-up (a driver error, not one
    # of tortoise's: asyncpg's reach the service unwrapped).
    await tenant.connect_twilio(carrier)
    row = await stored_settings(tenant)
    assert row is not None
    refusal = f"refuse_{uuid.uuid4().hex[:8]}"
    database = Tortoise.get_connection("default")
    await database.execute_script(
        f"CREATE FUNCTION {refusal}() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; "
        f"CREATE TRIGGER {refusal} BEFORE UPDATE ON twilio_settings FOR EACH ROW "
        f"WHEN (NEW.id = {row.id}) EXECUTE FUNCTION {refusal}();"
    )
    try:
        # When: support provisions.
        result = await tenant.execute(PROVISION, as_="support")
    finally:
        await database.execute_script(
            f"DROP TRIGGER {refusal} ON twilio_settings; DROP FUNCTION {refusal}();"
        )

    # Then: it failed, nothing is stored, and the account holds no app or key made for nothing.
    assert result["data"] is None
    after = await stored_settings(tenant)
    assert after is not None
    assert (after.twiml_app_sid, after.api_key_sid, after.api_key_secret_encrypted) == (
        None,
        None,
        None,
    )
    assert sandbox_applications(carrier_exchanges, tenant) == []
    assert sandbox_keys(carrier_exchanges, tenant) == []
