"""A tenant's Twilio account: finding it (by tenant, Account SID, sender) and its secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from tortoise.exceptions import IntegrityError
from twilio.rest import Client

from trunkline.models import Channel, Direction, Message, NumberStatus, PhoneNumber, TwilioSettings
from trunkline.services import validation
from trunkline.services.callbacks import Callback, callback_url
from trunkline.services.errors import Conflict, InvalidInput, ProviderFailure, TwilioNotConfigured
from trunkline.services.lookups import Revocation
from trunkline.services.messages import history_entry
from trunkline.services.secrets import SecretBox
from trunkline.twilio import ProviderError, provider_errors

if TYPE_CHECKING:
    from trunkline.gateway import Gateway


@dataclass(frozen=True)
class TwilioAccount:
    """Decrypted credentials of one tenant. ``auth_token`` never appears in a repr or log."""

    tenant_id: int
    account_sid: str
    auth_token: str = field(repr=False)
    enabled: bool
    from_number: str | None = None
    messaging_service_sid: str | None = None
    conversations_service_sid: str | None = None
    twiml_app_sid: str | None = None
    api_key_sid: str | None = None
    api_key_secret: str | None = field(default=None, repr=False)


def _account(row: TwilioSettings, box: SecretBox) -> TwilioAccount:
    tenant_id = row.tenant_id  # type: ignore[attr-defined]
    return TwilioAccount(
        tenant_id=tenant_id,
        account_sid=row.account_sid,
        auth_token=box.decrypt(tenant_id=tenant_id, ciphertext=row.auth_token_encrypted),
        enabled=row.enabled,
        from_number=row.from_number,
        messaging_service_sid=row.messaging_service_sid,
        conversations_service_sid=row.conversations_service_sid,
        twiml_app_sid=row.twiml_app_sid,
        api_key_sid=row.api_key_sid,
        api_key_secret=(
            box.decrypt(tenant_id=tenant_id, ciphertext=row.api_key_secret_encrypted)
            if row.api_key_secret_encrypted
            else None
        ),
    )


async def twilio_account_for_tenant(*, tenant_id: int, box: SecretBox) -> TwilioAccount | None:
    """The tenant's account, enabled or not; None when none is configured."""
    row = await TwilioSettings.get_or_none(tenant_id=tenant_id)
    return _account(row, box) if row else None


async def twilio_account_by_sid(*, account_sid: str, box: SecretBox) -> TwilioAccount | None:
    """The account a webhook's ``AccountSid`` names (each SID belongs to one tenant)."""
    row = await TwilioSettings.get_or_none(account_sid=account_sid)
    return _account(row, box) if row else None


async def twilio_account_by_messaging_service(
    *, messaging_service_sid: str, box: SecretBox
) -> TwilioAccount | None:
    """For sender pools: the tenant whose Messaging Service it is."""
    row = await TwilioSettings.filter(messaging_service_sid=messaging_service_sid).first()
    return _account(row, box) if row else None


async def twilio_account_by_number(*, phone_number: str, box: SecretBox) -> TwilioAccount | None:
    """The tenant that holds ``phone_number`` (E.164) now; released numbers belong to nobody.

    A number held by two tenants at once (possible only across Twilio accounts that both claim
    it, e.g. two sandboxes) resolves to nobody: traffic is never guessed into a tenant.
    """
    holders = (
        await PhoneNumber.filter(phone_number=phone_number)
        .exclude(status=NumberStatus.RELEASED)
        .limit(2)
    )
    if len(holders) != 1:
        return None
    return await twilio_account_for_tenant(tenant_id=holders[0].tenant_id, box=box)  # type: ignore[attr-defined]


def mask_account_sid(account_sid: str) -> str:
    """``AC…1234``: enough to recognise an account, not enough to use it."""
    return f"AC…{account_sid[-4:]}"


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
    *, tenant_id: int, data: TwilioCredentialsInput, gateway: Gateway
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
        auth_token = gateway.secrets.decrypt(
            tenant_id=tenant_id, ciphertext=existing.auth_token_encrypted
        )
    await _prove_with_twilio(data.account_sid, auth_token, gateway)

    row = existing or TwilioSettings(tenant_id=tenant_id)
    row.account_sid = data.account_sid
    row.auth_token_encrypted = gateway.secrets.encrypt(tenant_id=tenant_id, plaintext=auth_token)
    row.from_number = data.from_number or None
    row.messaging_service_sid = data.messaging_service_sid or None
    row.conversations_service_sid = data.conversations_service_sid or None
    row.twiml_app_sid = data.twiml_app_sid or None
    row.api_key_sid = data.api_key_sid or None
    row.api_key_secret_encrypted = (
        gateway.secrets.encrypt(tenant_id=tenant_id, plaintext=data.api_key_secret)
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
    gateway.twilio.invalidate(tenant_id)
    await gateway.lookups.revoke(Revocation(tenant_id=tenant_id))
    return row


async def _prove_with_twilio(account_sid: str, auth_token: str, gateway: Gateway) -> None:
    # A throwaway key: these credentials are not the tenant's until Twilio has accepted them.
    probe_key = f"probe:{account_sid}"
    client = gateway.twilio.client_for(probe_key, account_sid, auth_token)
    try:
        async with provider_errors():
            await client.api.v2010.accounts(account_sid).fetch_async()
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    finally:
        gateway.twilio.invalidate(probe_key)


def provider_failure(error: ProviderError) -> ProviderFailure:
    return ProviderFailure(error.message, provider="twilio", provider_code=error.code)


async def twilio_settings(*, tenant_id: int) -> TwilioSettings | None:
    return await TwilioSettings.get_or_none(tenant_id=tenant_id)


async def set_twilio_enabled(*, tenant_id: int, enabled: bool, gateway: Gateway) -> TwilioSettings:
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
    gateway.twilio.invalidate(tenant_id)
    # Nothing a webhook resolves to changed, but no instance keeps an account as it was.
    await gateway.lookups.revoke(Revocation(tenant_id=tenant_id))
    return row


async def delete_twilio_credentials(*, tenant_id: int, gateway: Gateway) -> bool:
    """Forget the tenant's Twilio account; True when there was one.

    Its webhooks are refused on every instance from the moment this returns.
    """
    deleted = await TwilioSettings.filter(tenant_id=tenant_id).delete()
    gateway.twilio.invalidate(tenant_id)
    await gateway.lookups.revoke(Revocation(tenant_id=tenant_id))
    return bool(deleted)


async def tenant_twilio(*, tenant_id: int, gateway: Gateway) -> tuple[Client, TwilioAccount]:
    """The tenant's client and account for an operation; TWILIO_NOT_CONFIGURED when absent."""
    account = await twilio_account_for_tenant(tenant_id=tenant_id, box=gateway.secrets)
    if account is None or not account.enabled:
        raise TwilioNotConfigured()
    client = gateway.twilio.client_for(tenant_id, account.account_sid, account.auth_token)
    return client, account


MAX_TEST_SMS_LENGTH = 320


async def send_test_sms(
    *, tenant_id: int, to: str, body: str, user_id: str, gateway: Gateway
) -> Message:
    """Send one SMS from the configured number (or Messaging Service) and record it.

    Its later statuses arrive on the message-status webhook like any other message's.
    """
    validation.e164(to, field="to")
    body = validation.text(body, field="body", max_length=MAX_TEST_SMS_LENGTH, multiline=True)
    client, account = await tenant_twilio(tenant_id=tenant_id, gateway=gateway)
    if not account.from_number and not account.messaging_service_sid:
        raise InvalidInput("fromNumber", "Save a from number or Messaging Service SID first.")
    sender: dict[str, str] = (
        {"from_": account.from_number}
        if account.from_number
        else {"messaging_service_sid": account.messaging_service_sid or ""}
    )
    status_callback = callback_url(gateway.settings.public_url, Callback.MESSAGE_STATUS)
    try:
        async with provider_errors():
            sent = await client.messages.create_async(
                to=to, body=body, status_callback=status_callback, **sender
            )
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    number = (
        await PhoneNumber.filter(tenant_id=tenant_id, phone_number=account.from_number).first()
        if account.from_number
        else None
    )
    # The status callback may beat us here: the ingestion writer creates a message it does not
    # know yet. One INSERT ... ON CONFLICT DO NOTHING (the conflict: this tenant's same sid) holds
    # no lock while it waits for that batch to commit (get_or_create's select-then-insert
    # transaction deadlocked with it).
    await Message.bulk_create(
        [
            Message(
                sid=sent.sid,
                tenant_id=tenant_id,
                channel=Channel.SMS,
                direction=Direction.OUTBOUND,
                from_address=sent.from_ or account.from_number or "",
                to_address=to,
                counterpart=to,
                body=body,
                status=sent.status or "queued",
                status_history=[history_entry(sent.status or "queued", applied=True)],
                number_id=number.id if number else None,
                user_id=user_id,
            )
        ],
        ignore_conflicts=True,
    )
    # Had the callback created it, the row lacks what only the sender knows (the callback's
    # writes touch status, history and error code only, so this cannot undo them).
    await Message.filter(tenant_id=tenant_id, sid=sent.sid, user_id__isnull=True).update(
        body=body, user_id=user_id
    )
    return await Message.get(tenant_id=tenant_id, sid=sent.sid)
