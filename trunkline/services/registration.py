"""Registering a number Trunkline did not buy: one the tenant's Twilio account already holds, or
Twilio's shared WhatsApp Sandbox sender.

A held number is looked up among the account's IncomingPhoneNumbers (so a tenant can only claim
a number its own account holds) and, unless asked not to, its webhooks are pointed here exactly
as ``buy_number`` points them. The shared sender is held by no account: it is stored without a
SID, as a WhatsApp-only sender, and its inbound traffic is routed by ``AccountSid``
(``TwilioAccounts.by_number`` never resolves it). Twilio has no API for the WhatsApp Sandbox's
inbound URL (it is set in the Console), so ``configure_webhooks`` does not apply to it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from trunkline.models import (
    NumberProvider,
    NumberStatus,
    PhoneNumber,
    Tenant,
    is_shared_sender,
)
from trunkline.services import validation
from trunkline.services.available_numbers import (
    Capability,
    Price,
    capabilities_of,
    monthly_prices,
)
from trunkline.services.errors import (
    Conflict,
    InvalidInput,
    PhoneNumberNotFound,
    provider_failure,
)
from trunkline.services.numbers import (
    iso_country_of,
    number_type_of,
    optional_text,
    revocation_of,
    webhook_settings,
)
from trunkline.twilio import ProviderError, provider_errors

if TYPE_CHECKING:
    from twilio.rest import Client
    from twilio.rest.api.v2010.account.incoming_phone_number import IncomingPhoneNumberInstance

    from trunkline.services.accounts import TwilioAccounts

logger = logging.getLogger(__name__)

# Providers whose WhatsApp traffic Trunkline carries; the others are refused until built.
SUPPORTED_PROVIDERS = frozenset({NumberProvider.TWILIO})
SHARED_SENDER_NAME = "Twilio WhatsApp Sandbox"


@dataclass(frozen=True)
class Registration:
    phone_number: str
    label: str | None = None
    website_id: str | None = None
    owner_id: str | None = None
    configure_webhooks: bool = True
    provider: NumberProvider = NumberProvider.TWILIO
    whatsapp_enabled: bool = False


@dataclass(frozen=True)
class _Checked:
    phone_number: str
    label: str | None
    website_id: str | None
    owner_id: str | None


async def register_number(
    *, tenant_id: int, registration: Registration, accounts: TwilioAccounts
) -> PhoneNumber:
    """Store a number the tenant's account holds (or the shared WhatsApp sender) as the tenant's.

    Raises:
        InvalidInput: a malformed field, or a provider not built yet (``input.provider``).
        TwilioNotConfigured: the tenant has no enabled Twilio account.
        PhoneNumberNotFound: the account holds no such number.
        Conflict: the tenant has registered (or bought) it already and not released it.
        ProviderFailure: Twilio refused the look-up or the webhook update.
    """
    checked = _checked(registration)
    # Also for the shared sender: its traffic is routed by the tenant's Account SID.
    client, _ = await accounts.client_for_tenant(tenant_id)
    if is_shared_sender(checked.phone_number):
        number = await _store(
            tenant_id,
            checked,
            sid=None,
            friendly_name=SHARED_SENDER_NAME,
            capabilities=frozenset(),
            whatsapp_enabled=True,  # it sends nothing else
        )
    else:
        await _refuse_if_registered(tenant_id, checked.phone_number)
        found = await _held_number(client, checked.phone_number)
        held = found
        if registration.configure_webhooks:
            held = await _point_webhooks_here(client, found.sid, accounts)
        iso_country = iso_country_of(checked.phone_number)
        prices = await monthly_prices(client, iso_country) if iso_country else {}
        try:
            number = await _store(
                tenant_id,
                checked,
                sid=held.sid,
                friendly_name=held.friendly_name or "",
                capabilities=capabilities_of(held.capabilities),
                whatsapp_enabled=registration.whatsapp_enabled,
                price=prices.get(number_type_of(checked.phone_number)),
            )
        except Conflict:
            raise  # registered at the same moment: its webhooks rightly point here
        except Exception:
            # Any failure to store (the driver's own errors reach here unwrapped too): its
            # traffic would be refused here, so send it back where it went, then fail.
            if registration.configure_webhooks:
                logger.exception("storing registered number %s failed; restoring it", found.sid)
                await _restore_webhooks(client, found)
            raise
    # A webhook of this number may have been resolved a moment ago (to another tenant holding it
    # across Twilio accounts, or sharing the sender): forget that on every instance.
    await accounts.revoke(revocation_of(number))
    return number


def _checked(registration: Registration) -> _Checked:
    if registration.provider not in SUPPORTED_PROVIDERS:
        raise InvalidInput(
            "input.provider",
            f"Provider {registration.provider.name} is not supported yet; use TWILIO.",
        )
    return _Checked(
        phone_number=validation.e164(registration.phone_number, field="input.phoneNumber"),
        label=optional_text(registration.label, "input.label", 100),
        website_id=optional_text(registration.website_id, "input.websiteId", 100),
        owner_id=optional_text(registration.owner_id, "input.ownerId", 128),
    )


async def _refuse_if_registered(tenant_id: int, phone_number: str) -> None:
    held = (
        await PhoneNumber.filter(tenant_id=tenant_id, phone_number=phone_number)
        .exclude(status=NumberStatus.RELEASED)
        .exists()
    )
    if held:
        raise Conflict(f"{phone_number} is already one of this tenant's numbers.")


async def _held_number(client: Client, phone_number: str) -> IncomingPhoneNumberInstance:
    """The account's IncomingPhoneNumber ``phone_number``; Twilio's filter also matches partial
    numbers, so only an exact match counts."""
    try:
        async with provider_errors():
            found = await client.incoming_phone_numbers.list_async(
                phone_number=phone_number, limit=20
            )
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    for number in found:
        if number.phone_number == phone_number:
            return number
    raise PhoneNumberNotFound(f"{phone_number} is not a number of this tenant's Twilio account.")


async def _point_webhooks_here(
    client: Client, sid: str, accounts: TwilioAccounts
) -> IncomingPhoneNumberInstance:
    try:
        async with provider_errors():
            return await client.incoming_phone_numbers(sid).update_async(
                **webhook_settings(accounts)
            )
    except ProviderError as exc:
        raise provider_failure(exc) from exc


async def _restore_webhooks(client: Client, found: IncomingPhoneNumberInstance) -> None:
    try:
        async with provider_errors():
            await client.incoming_phone_numbers(found.sid).update_async(
                sms_url=found.sms_url or "",
                sms_method=found.sms_method or "POST",
                voice_url=found.voice_url or "",
                voice_method=found.voice_method or "POST",
                voice_fallback_url=found.voice_fallback_url or "",
                voice_fallback_method=found.voice_fallback_method or "POST",
                status_callback=found.status_callback or "",
                status_callback_method=found.status_callback_method or "POST",
            )
    except ProviderError:
        logger.exception("restoring the webhooks of %s failed", found.sid)


async def _store(
    tenant_id: int,
    checked: _Checked,
    *,
    sid: str | None,
    friendly_name: str,
    capabilities: frozenset[Capability],
    whatsapp_enabled: bool,
    price: Price | None = None,
) -> PhoneNumber:
    """Insert the row unless the tenant holds the number already (checked under the tenant's
    row lock, so two registrations at once store one)."""
    try:
        async with in_transaction():
            await Tenant.select_for_update().get(id=tenant_id)
            await _refuse_if_registered(tenant_id, checked.phone_number)
            return await PhoneNumber.create(
                tenant_id=tenant_id,
                sid=sid,
                phone_number=checked.phone_number,
                friendly_name=friendly_name[:64],
                iso_country=iso_country_of(checked.phone_number),
                number_type=number_type_of(checked.phone_number),
                voice_enabled=Capability.VOICE in capabilities,
                sms_enabled=Capability.SMS in capabilities,
                mms_enabled=Capability.MMS in capabilities,
                status=NumberStatus.ACTIVE,
                owner_id=checked.owner_id,
                label=checked.label,
                website_id=checked.website_id,
                provider=NumberProvider.TWILIO,
                whatsapp_enabled=whatsapp_enabled,
                monthly_fee=price.amount if price else None,
                price_unit=price.unit if price else None,
            )
    except IntegrityError as exc:
        # The SID is unique: the same number registered at the same moment by the same tenant.
        raise Conflict(f"{checked.phone_number} is already one of this tenant's numbers.") from exc
