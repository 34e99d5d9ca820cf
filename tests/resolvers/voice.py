"""Browser calling's set-up through GraphQL: provisioning a tenant and reading what the sandbox
carrier holds for its account (its API keys and TwiML Apps, secrets included)."""

from __future__ import annotations

from typing import Any

from tests.sandbox.conformance import ExchangeRecorder
from tests.support.tenancy import Tenant
from trunkline.models import Tenant as TenantRow
from trunkline.models import TwilioSettings
from trunkline.sandbox.records import Application, Key

PROVISION = """
mutation {
  provisionVoice {
    __typename
    ... on VoiceProvisioning { twimlAppSid apiKeySid twimlAppCreated apiKeyCreated }
    ... on Error { code message }
    ... on ProviderError { providerCode }
  }
}
"""
CREATE_TOKEN = """
mutation {
  createVoiceAccessToken {
    __typename
    ... on VoiceAccessToken { token identity expiresAt }
    ... on Error { code message }
  }
}
"""


async def provision(tenant: Tenant) -> dict[str, Any]:
    """Run provisionVoice as support; its VoiceProvisioning."""
    result = await tenant.execute(PROVISION, as_="support")
    provisioned = result["data"]["provisionVoice"]
    assert provisioned["__typename"] == "VoiceProvisioning", result
    return provisioned


async def create_token(tenant: Tenant, *roles: str, sub: str | None = None) -> dict[str, Any]:
    """createVoiceAccessToken's result for a caller with ``roles`` (and ``sub`` if given)."""
    token = tenant.token(*roles, sub=sub)
    result = await tenant.graphql.execute(CREATE_TOKEN, token=token)
    payload: dict[str, Any] = result["data"]["createVoiceAccessToken"]
    return payload


def sandbox_keys(carrier: ExchangeRecorder, tenant: Tenant) -> list[Key]:
    """The API keys the tenant's sandbox account holds, oldest first."""
    assert tenant.account is not None
    keys = carrier.state.sandbox.store.keys.values()
    return [key for key in keys if key.account_sid == tenant.account.account_sid]


def sandbox_applications(carrier: ExchangeRecorder, tenant: Tenant) -> list[Application]:
    """The TwiML Apps the tenant's sandbox account holds, oldest first."""
    assert tenant.account is not None
    applications = carrier.state.sandbox.store.applications.values()
    return [app for app in applications if app.account_sid == tenant.account.account_sid]


async def stored_settings(tenant: Tenant) -> TwilioSettings | None:
    row = await TenantRow.get_or_none(org_id=tenant.org)
    return await TwilioSettings.get_or_none(tenant_id=row.id) if row else None
