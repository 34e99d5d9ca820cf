"""createVoiceAccessToken through GraphQL: a Voice SDK token the tenant's API secret verifies, with
the right grant and identity, never outliving the caller's session, and its grant recorded."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

import jwt
import pytest

from tests.resolvers.voice import (
    CREATE_TOKEN,
    create_token,
    provision,
    sandbox_keys,
)
from tests.sandbox.conformance import ExchangeRecorder
from tests.support.graphql import error_codes
from tests.support.identity import SESSION_CLAIM
from tests.support.tenancy import SAVE_CREDENTIALS, Tenant
from trunkline.models import Tenant as TenantRow
from trunkline.models import VoiceGrant
from trunkline.services.voice_identity import identity_of
from trunkline.settings import Settings
from trunkline.twilio import TwilioClients

AGENT = "auth0|agent"  # the subject of Tenant.token() with no roles
HOUR = 3600
SLACK = 5  # seconds a test may take between asking for a token and checking it
SET_ENABLED = "mutation { setTwilioEnabled(enabled: false) { __typename } }"
NOT_PROVISIONED = (
    "Browser calling is not set up for this tenant: support must run provisionVoice (or save "
    "twimlAppSid, apiKeySid and apiKeySecret with saveTwilioCredentials)."
)


@pytest.fixture
async def provisioned(
    tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> dict[str, Any]:
    """The tenant, connected and provisioned; its app and key SIDs and the key's secret."""
    await tenant.connect_twilio(carrier)
    done = await provision(tenant)
    (key,) = sandbox_keys(carrier_exchanges, tenant)
    return {**done, "secret": key.secret}


def decoded(token: str, secret: str) -> dict[str, Any]:
    """The token's claims, verified with ``secret`` as Twilio verifies them (HS256)."""
    claims: dict[str, Any] = jwt.decode(token, secret, algorithms=["HS256"])
    return claims


async def grants_of(tenant: Tenant) -> list[VoiceGrant]:
    row = await TenantRow.get_or_none(org_id=tenant.org)
    return await VoiceGrant.filter(tenant_id=row.id) if row else []


async def test_the_token_verifies_with_the_api_secret_and_carries_the_voice_grant(
    tenant: Tenant, provisioned: dict[str, Any]
) -> None:
    assert tenant.account is not None
    before = int(time.time())

    issued = await create_token(tenant)

    claims = decoded(issued["token"], provisioned["secret"])
    assert jwt.get_unverified_header(issued["token"])["cty"] == "twilio-fpa;v=1"
    assert (claims["iss"], claims["sub"]) == (provisioned["apiKeySid"], tenant.account.account_sid)
    assert claims["grants"] == {
        "identity": identity_of(AGENT),
        "voice": {
            "incoming": {"allow": True},
            "outgoing": {"application_sid": provisioned["twimlAppSid"]},
        },
    }
    assert issued["identity"] == identity_of(AGENT)
    assert before + HOUR - SLACK <= claims["exp"] <= int(time.time()) + HOUR
    assert datetime.fromisoformat(issued["expiresAt"]).timestamp() == claims["exp"]


async def test_the_token_does_not_verify_with_another_secret(
    tenant: Tenant, provisioned: dict[str, Any]
) -> None:
    issued = await create_token(tenant)

    with pytest.raises(jwt.InvalidSignatureError):
        decoded(issued["token"], "x" * 32)


async def test_a_caller_token_with_20_minutes_left_gets_at_most_20_minutes(
    tenant: Tenant, provisioned: dict[str, Any]
) -> None:
    caller_exp = int(time.time()) + 20 * 60
    bearer = tenant.identity.token(org=tenant.org, sub=AGENT, roles=[], exp=caller_exp)

    result = await tenant.graphql.execute(CREATE_TOKEN, token=bearer)

    issued = result["data"]["createVoiceAccessToken"]
    claims = decoded(issued["token"], provisioned["secret"])
    assert caller_exp - SLACK <= claims["exp"] <= caller_exp
    assert datetime.fromisoformat(issued["expiresAt"]).timestamp() == claims["exp"]


async def test_a_session_near_its_cap_gets_a_token_ending_with_it(
    tenant: Tenant, provisioned: dict[str, Any], settings: Settings
) -> None:
    # Given: a session that began long enough ago to have 10 minutes left under the cap, with an
    # access token that would itself last another hour.
    now = int(time.time())
    session_end = now + 10 * 60
    started = session_end - settings.max_session_hours * HOUR
    bearer = tenant.identity.token(
        org=tenant.org, sub=AGENT, roles=[], exp=now + HOUR, **{SESSION_CLAIM: started}
    )

    result = await tenant.graphql.execute(CREATE_TOKEN, token=bearer)

    claims = decoded(result["data"]["createVoiceAccessToken"]["token"], provisioned["secret"])
    assert session_end - SLACK <= claims["exp"] <= session_end


async def test_the_identity_is_stable_safe_and_the_users_own(
    tenant: Tenant, provisioned: dict[str, Any]
) -> None:
    first = await create_token(tenant, sub="google-oauth2|1098 7654+x@y")
    again = await create_token(tenant, "admin", sub="google-oauth2|1098 7654+x@y")
    other = await create_token(tenant, sub="google-oauth2|1098_7654_x_y")

    assert first["identity"] == again["identity"] == identity_of("google-oauth2|1098 7654+x@y")
    assert re.fullmatch(r"[A-Za-z0-9_]{1,121}", first["identity"])
    assert other["identity"] != first["identity"]
    claims = decoded(again["token"], provisioned["secret"])
    assert claims["grants"]["identity"] == first["identity"]


async def test_each_token_records_its_grant_with_the_callers_roles_and_latest_expiry(
    tenant: Tenant, provisioned: dict[str, Any]
) -> None:
    short_exp = int(time.time()) + 20 * 60
    short = tenant.identity.token(org=tenant.org, sub="auth0|dana", roles=["admin"], exp=short_exp)

    as_admin = await create_token(tenant, "admin", sub="auth0|dana")
    shorter = (await tenant.graphql.execute(CREATE_TOKEN, token=short))["data"]
    as_agent = await create_token(tenant, sub="auth0|dana")

    (grant,) = await grants_of(tenant)
    assert (grant.identity, grant.user_id) == (identity_of("auth0|dana"), "auth0|dana")
    assert grant.admin is False  # the latest token's roles
    latest = max(
        datetime.fromisoformat(t["expiresAt"])
        for t in (as_admin, shorter["createVoiceAccessToken"], as_agent)
    )
    assert grant.expires_at == latest


async def test_an_admins_grant_says_admin(tenant: Tenant, provisioned: dict[str, Any]) -> None:
    issued = await create_token(tenant, "admin", sub="auth0|erin")

    (grant,) = await grants_of(tenant)
    assert (grant.identity, grant.admin) == (issued["identity"], True)
    assert grant.expires_at == datetime.fromisoformat(issued["expiresAt"])


async def test_without_provisioning_it_says_to_run_provision_voice_and_grants_nothing(
    tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)

    issued = await create_token(tenant, "admin")

    assert issued == {
        "__typename": "TwilioNotConfiguredError",
        "code": "TWILIO_NOT_CONFIGURED",
        "message": NOT_PROVISIONED,
    }
    assert await grants_of(tenant) == []


async def test_without_twilio_it_is_not_configured(tenant: Tenant) -> None:
    issued = await create_token(tenant)

    assert issued == {
        "__typename": "TwilioNotConfiguredError",
        "code": "TWILIO_NOT_CONFIGURED",
        "message": "Twilio is not configured or is disabled for this tenant.",
    }


async def test_with_twilio_disabled_it_is_not_configured_as_every_twilio_operation(
    tenant: Tenant, provisioned: dict[str, Any]
) -> None:
    await tenant.execute(SET_ENABLED, as_="support")

    issued = await create_token(tenant)

    assert issued["message"] == "Twilio is not configured or is disabled for this tenant."
    assert await grants_of(tenant) == []


async def test_credentials_saved_by_hand_sign_the_token(tenant: Tenant, carrier: str) -> None:
    await tenant.connect_twilio(carrier)
    assert tenant.account is not None
    clients = TwilioClients(f"{carrier}/twilio")
    try:
        client = clients.client_for("hand", tenant.account.account_sid, tenant.account.auth_token)
        app = await client.applications.create_async(friendly_name="Made by hand")
        key = await client.new_keys.create_async(friendly_name="Made by hand")
    finally:
        await clients.aclose()
    await tenant.execute(
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

    issued = await create_token(tenant)

    claims = decoded(issued["token"], key.secret)
    assert claims["iss"] == key.sid
    assert claims["grants"]["voice"]["outgoing"] == {"application_sid": app.sid}


@pytest.mark.parametrize(
    ("roles", "allowed"),
    [
        ((), True),
        (("agent",), True),
        (("admin",), True),
        (("support", "agent"), True),
        (("support", "admin"), True),
        (("support",), False),
        (("platform-admin",), False),
        (("support", "platform-admin"), False),
    ],
    ids=str,
)
async def test_admins_and_agents_get_tokens_and_staff_only_callers_do_not(
    tenant: Tenant, provisioned: dict[str, Any], roles: tuple[str, ...], allowed: bool
) -> None:
    result = await tenant.execute(CREATE_TOKEN, as_=roles)

    if allowed:
        assert result["data"]["createVoiceAccessToken"]["__typename"] == "VoiceAccessToken"
        assert len(await grants_of(tenant)) == 1
    else:
        assert error_codes(result) == ["FORBIDDEN"]
        assert await grants_of(tenant) == []


async def test_a_token_is_signed_for_the_callers_tenant_only(
    tenant: Tenant, other_tenant: Tenant, carrier: str, carrier_exchanges: ExchangeRecorder
) -> None:
    await tenant.connect_twilio(carrier)
    await other_tenant.connect_twilio(carrier)
    mine = await provision(tenant)
    theirs = await provision(other_tenant)
    (their_key,) = sandbox_keys(carrier_exchanges, other_tenant)
    assert other_tenant.account is not None

    issued = await create_token(other_tenant, sub=AGENT)

    claims = decoded(issued["token"], their_key.secret)
    assert (claims["iss"], claims["sub"]) == (theirs["apiKeySid"], other_tenant.account.account_sid)
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == theirs["twimlAppSid"]
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] != mine["twimlAppSid"]
    assert await grants_of(tenant) == []
    assert [g.identity for g in await grants_of(other_tenant)] == [identity_of(AGENT)]


async def test_another_tenants_provisioning_does_not_provision_mine(
    tenant: Tenant, other_tenant: Tenant, carrier: str
) -> None:
    await tenant.connect_twilio(carrier)
    await other_tenant.connect_twilio(carrier)
    await provision(other_tenant)

    issued = await create_token(tenant)

    assert (issued["code"], issued["message"]) == ("TWILIO_NOT_CONFIGURED", NOT_PROVISIONED)
