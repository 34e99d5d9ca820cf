"""Database unavailable: the webhook answers 503 (Twilio retries), and the retry stores it once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from tests.conftest import BACKEND, POSTGRES_ADMIN_URL, _postgres_url
from tests.events.processes import gateway_process
from tests.webhooks.fixtures import TwilioTenant
from tests.webhooks.test_messaging import MESSAGING, inbound, message_sid
from trunkline.services.callbacks import Callback
from trunkline.services.secrets import SecretBox
from trunkline.settings import Settings
from trunkline.webhooks.voice import fallback_twiml

pytestmark = pytest.mark.skipif(
    BACKEND != "services", reason="PostgreSQL can refuse connections on demand; a file cannot"
)


@pytest.fixture
async def own_database() -> AsyncIterator[str]:
    """A database of this test's own, so refusing its connections disturbs no other test."""
    name = f"trunkline_down_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def set_connections(database: str, *, allowed: bool) -> None:
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                database,
            )
    finally:
        await admin.close()


async def seed_tenant(url: str, twilio_tenant: TwilioTenant, settings: Settings) -> None:
    """The tenant's rows in the other database (the gateway process has migrated it)."""
    connection = await asyncpg.connect(url)
    try:
        tenant_id = await connection.fetchval(
            "INSERT INTO tenant (org_id, name, activity_seq, created_at, updated_at) "
            "VALUES ($1, '', 0, now(), now()) RETURNING id",
            twilio_tenant.org,
        )
        token = SecretBox(settings.fernet_keys).encrypt(
            tenant_id=tenant_id, plaintext=twilio_tenant.auth_token
        )
        await connection.execute(
            "INSERT INTO twilio_settings (tenant_id, account_sid, auth_token_encrypted, enabled, "
            "webhook_configured, created_at, updated_at) "
            "VALUES ($1, $2, $3, true, false, now(), now())",
            tenant_id,
            twilio_tenant.account_sid,
            token,
        )
        await connection.execute(
            "INSERT INTO phone_number (tenant_id, sid, phone_number, friendly_name, iso_country, "
            "region, locality, number_type, voice_enabled, sms_enabled, mms_enabled, status, "
            "created_at, updated_at) VALUES ($1, $2, $3, '', 'US', '', '', 'local', true, true, "
            "true, 'active', now(), now())",
            tenant_id,
            "PN" + uuid.uuid4().hex,
            twilio_tenant.number.phone_number,
        )
    finally:
        await connection.close()


async def count(url: str, table: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        return int(await connection.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed table names
    finally:
        await connection.close()


async def test_webhook_answers_503_while_the_database_is_down_and_its_retry_stores_once(
    settings: Settings, twilio_tenant: TwilioTenant, own_database: str
) -> None:
    url = _postgres_url(own_database)
    sid = message_sid()
    async with gateway_process(
        settings, TRUNKLINE_DATABASE_URL=url, TRUNKLINE_AUTO_MIGRATE="true"
    ) as gateway_url:
        await seed_tenant(url, twilio_tenant, settings)
        async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as http:
            tenant = TwilioTenant(
                **{**twilio_tenant.__dict__, "gateway": gateway_url, "http": http}
            )
            params = inbound(tenant, sid)
            await set_connections(own_database, allowed=False)
            try:
                down = await tenant.post(MESSAGING, params, idempotency_token="retry-me")
            finally:
                await set_connections(own_database, allowed=True)
            retried = await tenant.post(MESSAGING, params, idempotency_token="retry-me")
            again = await tenant.post(MESSAGING, params, idempotency_token="retry-me")

    assert (down.status_code, retried.status_code, again.status_code) == (503, 200, 200)
    assert (await count(url, "message"), await count(url, "activity_event")) == (1, 1)
    assert await count(url, "webhook_receipt") == 1


async def test_the_voice_fallback_answers_its_twiml_while_the_database_is_down(
    settings: Settings, twilio_tenant: TwilioTenant, own_database: str
) -> None:
    # Twilio asks the fallback when the voice URL failed (as it does with the database down):
    # a 5xx from it too would leave the caller with Twilio's application-error message.
    url = _postgres_url(own_database)
    async with gateway_process(
        settings, TRUNKLINE_DATABASE_URL=url, TRUNKLINE_AUTO_MIGRATE="true"
    ) as gateway_url:
        await seed_tenant(url, twilio_tenant, settings)
        async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as http:
            tenant = TwilioTenant(
                **{**twilio_tenant.__dict__, "gateway": gateway_url, "http": http}
            )
            params = [
                ("AccountSid", tenant.account_sid),
                ("CallSid", "CA" + uuid.uuid4().hex),
                ("CallStatus", "ringing"),
                ("Direction", "inbound"),
                ("From", "+14155550199"),
                ("To", tenant.number.phone_number),
                ("ErrorCode", "11200"),
            ]
            await set_connections(own_database, allowed=False)
            try:
                down = await tenant.post(Callback.VOICE_FALLBACK.value, params)
            finally:
                await set_connections(own_database, allowed=True)

    assert (down.status_code, down.text) == (200, fallback_twiml())
