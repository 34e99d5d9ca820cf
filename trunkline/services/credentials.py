"""A tenant's Twilio credentials: validated, proven against Twilio, stored encrypted, toggled.

Finding an account (for an operation or a webhook) is :mod:`trunkline.services.accounts`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from trunkline import metrics
from trunkline.models import NumberStatus, PhoneNumber, TwilioSettings
from trunkline.services import validation
from trunkline.services.accounts import TwilioAccounts
from trunkline.services.errors import Conflict, InvalidInput, TwilioNotConfigured, provider_failure
from trunkline.services.health import HealthLog
from trunkline.services.numbers import release_with
from trunkline.twilio import ProviderError, provider_errors


@dataclass(frozen=True)
class TwilioCredentialsInput:
    """What support staff submit. ``auth_token`` may be omitted to keep the stored one."""

    account_sid: str
    auth_token: str | None = field(default=None, repr=False)
    from_number: str | None = None
    messaging_service_sid: str | None = None
    conversations_service_sid: str | None = None
    twiml_app_sid: str | None = None
    api_key_sid: str | None = None
    api_key_secret: str | None = field(default=None, repr=False)


logger = logging.getLogger(__name__)


def _checked(data: TwilioCredentialsInput) -> TwilioCredentialsInput:
    """Shape first, field by field, before anything is sent to Twilio."""
    validation.sid(data.account_sid, prefix="AC", field="accountSid")
    if data.auth_token is not None:
        validation.hex32(data.auth_token, field="authToken")
    if data.from_number:
        validation.e164(data.from_number, field="fromNumber")
    optional_sids = (
        (data.messaging_service_sid, "MG", "messagingServiceSid"),
        (data.conversations_service_sid, "IS", "conversationsServiceSid"),
        (data.twiml_app_sid, "AP", "twimlAppSid"),
        (data.api_key_sid, "SK", "apiKeySid"),
    )
    for value, prefix, name in optional_sids:
        if value:
            validation.sid(value, prefix=prefix, field=name)
    if bool(data.api_key_sid) != bool(data.api_key_secret):
        raise InvalidInput("apiKeySecret", "apiKeySid and apiKeySecret go together.")
    if data.api_key_secret is not None and not 16 <= len(data.api_key_secret) <= 64:
        raise InvalidInput("apiKeySecret", "apiKeySecret must be 16 to 64 characters.")
    return data


async def save_twilio_credentials(
    *,
    tenant_id: int,
    data: TwilioCredentialsInput,
    accounts: TwilioAccounts,
    health: HealthLog,
) -> TwilioSettings:
    """Validate, prove the credentials against Twilio, then store them encrypted.

    Nothing is saved unless Twilio accepted the pair. The tenant's cached client is dropped so
    the next call uses the new credentials, and its webhook look-ups are revoked on every
    instance before this returns: a webhook signed with a replaced token is refused at once.
    """
    data = _checked(data)
    claimed = await TwilioSettings.filter(account_sid=data.account_sid).exclude(tenant_id=tenant_id)
    if claimed:
        raise Conflict("This Twilio account is already connected to another organization.")
    existing = await TwilioSettings.get_or_none(tenant_id=tenant_id)
    auth_token = data.auth_token
    if auth_token is None:
        if existing is None or existing.account_sid != data.account_sid:
            raise InvalidInput("authToken", "authToken is required for a new account.")
        auth_token = accounts.secrets.decrypt(
            tenant_id=tenant_id, ciphertext=existing.auth_token_encrypted
        )
    await _prove_with_twilio(data.account_sid, auth_token, accounts)

    row = existing or TwilioSettings(tenant_id=tenant_id)
    row.account_sid = data.account_sid
    row.auth_token_encrypted = accounts.secrets.encrypt(tenant_id=tenant_id, plaintext=auth_token)
    row.from_number = data.from_number or None
    row.messaging_service_sid = data.messaging_service_sid or None
    row.conversations_service_sid = data.conversations_service_sid or None
    row.twiml_app_sid = data.twiml_app_sid or None
    row.api_key_sid = data.api_key_sid or None
    row.api_key_secret_encrypted = (
        accounts.secrets.encrypt(tenant_id=tenant_id, plaintext=data.api_key_secret)
        if data.api_key_secret
        else None
    )
    row.validated_at = datetime.now(UTC)
    if existing is None:
        row.enabled = True
    try:
        await row.save()
    except IntegrityError as exc:
        # Lost a race with another tenant saving the same account.
        raise Conflict("This Twilio account is already connected to another organization.") from exc
    await accounts.forget_tenant(tenant_id)
    await health.records.forget_check(tenant_id)  # checked against the old credentials
    logger.info("Twilio settings saved for tenant %s", tenant_id)
    return row


async def _prove_with_twilio(account_sid: str, auth_token: str, accounts: TwilioAccounts) -> None:
    # A throwaway key: these credentials are not the tenant's until Twilio has accepted them.
    probe_key = f"probe:{account_sid}"
    client = accounts.clients.client_for(probe_key, account_sid, auth_token)
    started = time.perf_counter()
    outcome = "error"
    try:
        async with provider_errors():
            await client.api.v2010.accounts(account_sid).fetch_async()
        outcome = "accepted"
    except ProviderError as exc:
        outcome = "refused"
        raise provider_failure(exc) from exc
    finally:
        metrics.CREDENTIAL_VALIDATION_DURATION.labels(outcome).observe(
            time.perf_counter() - started
        )
        accounts.clients.invalidate(probe_key)


async def twilio_settings(*, tenant_id: int) -> TwilioSettings | None:
    return await TwilioSettings.get_or_none(tenant_id=tenant_id)


async def set_twilio_enabled(
    *, tenant_id: int, enabled: bool, accounts: TwilioAccounts
) -> TwilioSettings:
    """Pause (or resume) what Trunkline does with the tenant's Twilio account.

    A disabled account sends nothing, but its webhooks are still accepted: its credentials are
    still the tenant's, and Twilio does not retry a refused webhook, so refusing would lose the
    inbound traffic of numbers the tenant still holds and the statuses of messages already sent.
    To stop trusting the credentials, save new ones or delete them.
    """
    row = await TwilioSettings.get_or_none(tenant_id=tenant_id)
    if row is None:
        raise TwilioNotConfigured("Twilio is not configured for this tenant.")
    row.enabled = enabled
    await row.save(update_fields=["enabled", "updated_at"])
    # Nothing a webhook resolves to changed, but no instance keeps an account as it was.
    await accounts.forget_tenant(tenant_id)
    logger.info("Twilio %s for tenant %s", "enabled" if enabled else "disabled", tenant_id)
    return row


async def delete_twilio_credentials(
    *,
    tenant_id: int,
    release_numbers: bool,
    accounts: TwilioAccounts,
    health: HealthLog,
) -> bool:
    """Forget the tenant's Twilio account; True when there was one.

    While the tenant holds numbers (not released), this is a CONFLICT: they would stay bought at
    Twilio, pointing here, with no credentials left to verify their webhooks or release them.
    With ``release_numbers`` they are released at Twilio first (even if the account is
    disabled), one by one, each marked released here as soon as Twilio has let it go. If Twilio
    refuses one, the credentials are kept and PROVIDER_ERROR answered: every number is then
    either released on both sides or held on both, and deleting again picks up the rest.

    Its webhooks are refused on every instance from the moment this returns.
    """
    account = await accounts.for_tenant(tenant_id)
    if account is None:
        return False  # nothing to delete (numbers left by an older deletion stay as they are)
    held = await held_numbers(tenant_id=tenant_id)
    if held and not release_numbers:
        raise Conflict(
            f"The tenant holds {len(held)} number(s): release them first, or delete with "
            "releaseNumbers: true to release them at Twilio."
        )
    if held:
        client = accounts.clients.client_for(tenant_id, account.account_sid, account.auth_token)
        for number in held:
            await release_with(client, number=number, accounts=accounts)
    deleted = await TwilioSettings.filter(tenant_id=tenant_id).delete()
    await accounts.forget_tenant(tenant_id)
    await health.records.forget_check(tenant_id)
    logger.info("Twilio settings deleted for tenant %s (%d numbers released)", tenant_id, len(held))
    return bool(deleted)


async def held_numbers(*, tenant_id: int) -> list[PhoneNumber]:
    """The tenant's numbers not released (active or inactive), oldest first."""
    return (
        await PhoneNumber.filter(tenant_id=tenant_id)
        .exclude(status=NumberStatus.RELEASED)
        .order_by("id")
    )
