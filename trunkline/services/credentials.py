"""A tenant's Twilio account: finding it (by tenant, Account SID, sender) and its secrets."""

from __future__ import annotations

from dataclasses import dataclass, field

from trunkline.models import NumberStatus, PhoneNumber, TwilioSettings
from trunkline.services.secrets import SecretBox


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
    """The tenant that holds ``phone_number`` (E.164) now; released numbers belong to nobody."""
    number = (
        await PhoneNumber.filter(phone_number=phone_number)
        .exclude(status=NumberStatus.RELEASED)
        .first()
    )
    if number is None:
        return None
    return await twilio_account_for_tenant(tenant_id=number.tenant_id, box=box)  # type: ignore[attr-defined]
