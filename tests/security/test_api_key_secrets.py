"""The Twilio API Key secret saved with ``saveTwilioCredentials``: shape, encryption, rotation.

The API Key SID and its secret go together (both or neither); the secret is stored encrypted
under the tenant's key, never shown (not even masked) in a response, an error or a log line,
and ``trunkline rotate-keys`` re-encrypts it so that it still decrypts under the newest key.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from tests.support.graphql import GraphQLClient
from tests.support.identity import IdentityProvider
from tests.support.tenancy import SAVE_CREDENTIALS, SandboxAccount, Tenant, open_sandbox_account
from trunkline.models import Tenant as TenantRow
from trunkline.models import TwilioSettings
from trunkline.services.secrets import SecretBox, SecretUnreadable
from trunkline.settings import Settings

SETTINGS = """
{ twilioSettings { configured enabled accountSid fromNumber messagingServiceSid
  conversationsServiceSid twimlAppSid apiKeySid validatedAt updatedAt webhook { configured } } }
"""
API_KEY_SID = "SK" + "0123456789abcdef" * 2
API_KEY_SECRET = "Zq8vT3mW1xR7kP2nL5sY9bC4dF6gH0jA"  # 32 characters, as Twilio issues them


@pytest.fixture
def tenant(graphql: GraphQLClient, identity: IdentityProvider) -> Tenant:
    return Tenant(org=f"org_{uuid.uuid4().hex[:12]}", graphql=graphql, identity=identity)


@pytest.fixture
async def account(carrier: str) -> SandboxAccount:
    return await open_sandbox_account(carrier)


def credentials(account: SandboxAccount, **api_key: str) -> dict[str, Any]:
    return {
        "input": {"accountSid": account.account_sid, "authToken": account.auth_token, **api_key}
    }


async def stored(tenant: Tenant) -> TwilioSettings | None:
    row = await TenantRow.get_or_none(org_id=tenant.org)
    return await TwilioSettings.get_or_none(tenant_id=row.id) if row else None


SID_SHAPE = "apiKeySid must be 'SK' followed by 32 hex digits."
TOGETHER = "apiKeySid and apiKeySecret go together."
LENGTH = "apiKeySecret must be 16 to 64 characters."


@pytest.mark.parametrize(
    ("api_key", "field", "message"),
    [
        ({"apiKeySid": "SK123", "apiKeySecret": API_KEY_SECRET}, "apiKeySid", SID_SHAPE),
        (
            {"apiKeySid": "AK" + API_KEY_SID[2:], "apiKeySecret": API_KEY_SECRET},
            "apiKeySid",
            SID_SHAPE,
        ),
        (
            {"apiKeySid": "SK" + "0123456789ABCDEF" * 2, "apiKeySecret": API_KEY_SECRET},
            "apiKeySid",
            SID_SHAPE,
        ),
        ({"apiKeySid": API_KEY_SID + "0", "apiKeySecret": API_KEY_SECRET}, "apiKeySid", SID_SHAPE),
        ({"apiKeySid": API_KEY_SID}, "apiKeySecret", TOGETHER),
        ({"apiKeySid": API_KEY_SID, "apiKeySecret": ""}, "apiKeySecret", TOGETHER),
        ({"apiKeySecret": API_KEY_SECRET}, "apiKeySecret", TOGETHER),
        ({"apiKeySid": "", "apiKeySecret": API_KEY_SECRET}, "apiKeySecret", TOGETHER),
        ({"apiKeySid": API_KEY_SID, "apiKeySecret": API_KEY_SECRET[:15]}, "apiKeySecret", LENGTH),
        (
            {"apiKeySid": API_KEY_SID, "apiKeySecret": API_KEY_SECRET * 2 + "x"},
            "apiKeySecret",
            LENGTH,
        ),
    ],
    ids=[
        "sid too short",
        "sid with another prefix",
        "sid in upper-case hex",
        "sid too long",
        "sid without a secret",
        "sid with an empty secret",
        "secret without a sid",
        "secret with an empty sid",
        "secret of 15 characters",
        "secret of 65 characters",
    ],
)
async def test_a_malformed_api_key_is_a_typed_error_naming_the_field_and_nothing_is_saved(
    tenant: Tenant, account: SandboxAccount, api_key: dict[str, str], field: str, message: str
) -> None:
    result = await tenant.execute(SAVE_CREDENTIALS, credentials(account, **api_key), as_="support")

    payload = result["data"]["saveTwilioCredentials"]
    assert (payload["__typename"], payload["code"], payload["field"], payload["message"]) == (
        "UserInputError",
        "BAD_USER_INPUT",
        field,
        message,
    )
    secret = api_key.get("apiKeySecret", "")
    assert not secret or secret not in str(result)
    assert await stored(tenant) is None


@pytest.mark.parametrize(
    "secret",
    [API_KEY_SECRET[:16], API_KEY_SECRET, API_KEY_SECRET * 2],
    ids=["16 characters", "32 characters", "64 characters"],
)
async def test_an_api_key_of_sk_and_32_hex_with_a_secret_of_16_to_64_characters_is_saved(
    tenant: Tenant, account: SandboxAccount, settings: Settings, secret: str
) -> None:
    result = await tenant.execute(
        SAVE_CREDENTIALS,
        credentials(account, apiKeySid=API_KEY_SID, apiKeySecret=secret),
        as_="support",
    )

    assert result["data"]["saveTwilioCredentials"]["__typename"] == "TwilioSettings", result
    row = await stored(tenant)
    assert row is not None
    assert row.api_key_sid == API_KEY_SID
    box = SecretBox(settings.fernet_keys)
    tenant_id: int = row.tenant_id  # type: ignore[attr-defined]
    assert box.decrypt(tenant_id=tenant_id, ciphertext=row.api_key_secret_encrypted or "") == secret


async def test_the_sids_saved_beside_the_api_key_are_kept_as_given(
    tenant: Tenant, account: SandboxAccount
) -> None:
    # SIDs of this test's own: a Messaging Service SID routes webhooks to its tenant.
    sids = {
        "apiKeySid": API_KEY_SID,
        "messagingServiceSid": "MG" + uuid.uuid4().hex,
        "twimlAppSid": "AP" + uuid.uuid4().hex,
        "conversationsServiceSid": "IS" + uuid.uuid4().hex,
    }

    result = await tenant.execute(
        SAVE_CREDENTIALS, credentials(account, apiKeySecret=API_KEY_SECRET, **sids), as_="support"
    )
    shown = await tenant.execute(SETTINGS, as_="support")

    assert result["data"]["saveTwilioCredentials"]["__typename"] == "TwilioSettings", result
    view = shown["data"]["twilioSettings"]
    assert {name: view[name] for name in sids} == sids


async def test_the_secret_is_stored_encrypted_for_its_tenant_only(
    tenant: Tenant, account: SandboxAccount, settings: Settings
) -> None:
    await tenant.execute(
        SAVE_CREDENTIALS,
        credentials(account, apiKeySid=API_KEY_SID, apiKeySecret=API_KEY_SECRET),
        as_="support",
    )

    row = await stored(tenant)
    assert row is not None
    columns = await TwilioSettings.filter(id=row.id).values()
    assert [name for name, value in columns[0].items() if API_KEY_SECRET in str(value)] == []
    ciphertext = row.api_key_secret_encrypted or ""
    tenant_id: int = row.tenant_id  # type: ignore[attr-defined]
    box = SecretBox(settings.fernet_keys)
    assert box.decrypt(tenant_id=tenant_id, ciphertext=ciphertext) == API_KEY_SECRET
    # Bound to the tenant: the same ciphertext does not decrypt as another tenant's.
    with pytest.raises(SecretUnreadable):
        box.decrypt(tenant_id=tenant_id + 1, ciphertext=ciphertext)


async def test_saving_without_an_api_key_removes_the_stored_one(
    tenant: Tenant, account: SandboxAccount
) -> None:
    await tenant.execute(
        SAVE_CREDENTIALS,
        credentials(account, apiKeySid=API_KEY_SID, apiKeySecret=API_KEY_SECRET),
        as_="support",
    )

    result = await tenant.execute(SAVE_CREDENTIALS, credentials(account), as_="support")

    assert result["data"]["saveTwilioCredentials"]["__typename"] == "TwilioSettings"
    row = await stored(tenant)
    assert row is not None
    assert (row.api_key_sid, row.api_key_secret_encrypted) == (None, None)


async def test_the_secret_is_in_no_response_and_no_log_line(
    tenant: Tenant, account: SandboxAccount, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api_key = {"apiKeySid": API_KEY_SID, "apiKeySecret": API_KEY_SECRET}
    wrong_token = {**credentials(account, **api_key)["input"], "authToken": "e" * 32}

    responses = [
        await tenant.execute(SAVE_CREDENTIALS, {"input": wrong_token}, as_="support"),
        await tenant.execute(SAVE_CREDENTIALS, credentials(account, **api_key), as_="support"),
        await tenant.execute(SETTINGS, as_="support"),
        await tenant.execute(SETTINGS, as_="admin"),
    ]

    saved = responses[1]["data"]["saveTwilioCredentials"]
    shown = responses[2]["data"]["twilioSettings"]
    assert responses[0]["data"]["saveTwilioCredentials"]["__typename"] == "ProviderError"
    assert (saved["__typename"], shown["apiKeySid"]) == ("TwilioSettings", API_KEY_SID)
    assert shown["accountSid"] == f"AC…{account.account_sid[-4:]}"
    text = str(responses) + "\n".join(record.getMessage() for record in caplog.records)
    assert API_KEY_SECRET not in text
    assert account.auth_token not in text


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"input": {"authToken": "0" * 32, "apiKeySecret": API_KEY_SECRET}}, "accountSid"),
        (
            {"input": {"accountSid": "AC" + "0" * 32, "apiKeySecret": API_KEY_SECRET, "extra": 1}},
            "extra",
        ),
        ({"input": {"accountSid": 42, "apiKeySecret": API_KEY_SECRET}}, "accountSid"),
        ({"input": [API_KEY_SECRET]}, "input"),
    ],
    ids=["accountSid missing", "an unknown field", "accountSid not a string", "not an object"],
)
async def test_an_input_graphql_refuses_is_bad_user_input_that_does_not_echo_the_secret(
    tenant: Tenant, variables: dict[str, Any], field: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    response = await tenant.graphql.post(
        {"query": SAVE_CREDENTIALS, "variables": variables}, token=tenant.token("support")
    )

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [error["extensions"] for error in body["errors"]] == [
        {"code": "BAD_USER_INPUT", "field": field}
    ]
    text = response.text + "\n".join(record.getMessage() for record in caplog.records)
    assert API_KEY_SECRET not in text
    assert await stored(tenant) is None


SEED = """
import asyncio
from trunkline.models import Tenant, TwilioSettings
from trunkline.models.database import close_database, open_database
from trunkline.services.secrets import SecretBox, SecretUnreadable
from trunkline.settings import Settings

async def main():
    settings = Settings()
    await open_database(settings.effective_database_url)
    tenant = await Tenant.create(org_id="org_rotate")
    box = SecretBox(settings.fernet_keys)
    await TwilioSettings.create(
        tenant=tenant,
        account_sid="AC" + "1" * 32,
        auth_token_encrypted=box.encrypt(tenant_id=tenant.id, plaintext="a" * 32),
        api_key_sid="SK" + "2" * 32,
        api_key_secret_encrypted=box.encrypt(tenant_id=tenant.id, plaintext={secret!r}),
    )
    await close_database()

asyncio.run(main())
"""
READ = """
import asyncio, json
from trunkline.models import TwilioSettings
from trunkline.models.database import close_database, open_database
from trunkline.services.secrets import SecretBox, SecretUnreadable
from trunkline.settings import Settings

async def main():
    settings = Settings()
    await open_database(settings.effective_database_url)
    row = await TwilioSettings.get(account_sid="AC" + "1" * 32)
    box = SecretBox(settings.fernet_keys)
    print(json.dumps({
        "ciphertext": row.api_key_secret_encrypted,
        "secret": box.decrypt(tenant_id=row.tenant_id, ciphertext=row.api_key_secret_encrypted),
    }))
    await close_database()

asyncio.run(main())
"""


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout.strip()


def test_rotate_keys_re_encrypts_the_api_key_secret_so_the_newest_key_alone_reads_it(
    tmp_path: Path,
) -> None:
    # A fresh embedded database of its own: rotating the suite's would re-key every tenant.
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRUNKLINE_")}
    env |= {"TRUNKLINE_DATA_DIR": str(tmp_path), "TRUNKLINE_ENCRYPTION_KEYS": old_key}
    trunkline = str(Path(sys.executable).with_name("trunkline"))
    run([trunkline, "migrate"], env)
    run([sys.executable, "-c", SEED.format(secret=API_KEY_SECRET)], env)
    before = run([sys.executable, "-c", READ], env)

    rotated = run(
        [trunkline, "rotate-keys"], env | {"TRUNKLINE_ENCRYPTION_KEYS": f"{new_key},{old_key}"}
    )

    after = run([sys.executable, "-c", READ], env | {"TRUNKLINE_ENCRYPTION_KEYS": new_key})
    assert rotated == "re-encrypted 2 secret(s) under the newest key"
    assert API_KEY_SECRET not in rotated
    before_rotation, after_rotation = json.loads(before), json.loads(after)
    assert before_rotation["secret"] == after_rotation["secret"] == API_KEY_SECRET
    assert after_rotation["ciphertext"] != before_rotation["ciphertext"]
