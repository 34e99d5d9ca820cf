"""The tenant's phone numbers: buy, list, assign, release (searching is ``available_numbers``,
registering a number bought elsewhere ``registration``).

Every function takes the tenant explicitly. A number of another tenant is "not found", exactly
like an absent one, so ids cannot be probed across tenants.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import phonenumbers
from tortoise.queryset import QuerySet

from trunkline.activity import sees_every_number
from trunkline.auth.principal import Principal, Role
from trunkline.models import NumberStatus, NumberType, PhoneNumber, VoiceMode
from trunkline.services import validation
from trunkline.services.available_numbers import (
    UNAVAILABLE_CODES,
    Capability,
    capabilities_of,
    monthly_prices,
)
from trunkline.services.callbacks import Callback
from trunkline.services.errors import (
    InactiveNumber,
    InvalidInput,
    NotAllowed,
    NumberUnavailable,
    PhoneNumberNotFound,
    provider_failure,
)
from trunkline.services.lookups import Revocation
from trunkline.services.pages import Page, page_of
from trunkline.twilio import ProviderError, provider_errors

if TYPE_CHECKING:
    from twilio.rest import Client

    from trunkline.services.accounts import TwilioAccounts

logger = logging.getLogger(__name__)

NOT_FOUND_AT_TWILIO = 20404


@dataclass(frozen=True)
class NumberFilter:
    mine: bool = False
    owner_id: str | None = None
    status: NumberStatus | None = None
    capability: Capability | None = None


@dataclass(frozen=True)
class NumberChanges:
    """Fields to change; None leaves a field as it is, ``clear_*`` empties it."""

    label: str | None = None
    website_id: str | None = None
    status: NumberStatus | None = None
    owner_id: str | None = None
    clear_owner: bool = False
    whatsapp_enabled: bool | None = None
    voice: VoiceChanges | None = None


@dataclass(frozen=True)
class VoiceChanges:
    """How inbound calls are answered (``VoiceMode``); None leaves a field, ``forward_to`` ""
    clears it."""

    mode: VoiceMode | None = None
    forward_to: str | None = None
    greeting: str | None = None
    ring_seconds: int | None = None
    voicemail: bool | None = None


MIN_RING_SECONDS = 5
MAX_RING_SECONDS = 60
MAX_GREETING_LENGTH = 500  # PhoneNumber.voice_greeting


@dataclass(frozen=True)
class Purchase:
    phone_number: str
    label: str | None = None
    website_id: str | None = None
    owner_id: str | None = None


async def buy_number(
    *, tenant_id: int, purchase: Purchase, accounts: TwilioAccounts
) -> PhoneNumber:
    """Buy at Twilio with this gateway's webhooks, then store it.

    If storing fails after Twilio sold us the number, the number is released again so the tenant
    is not billed for a number Trunkline does not know about.
    """
    validation.e164(purchase.phone_number, field="phoneNumber")
    label = optional_text(purchase.label, "label", 100)
    website_id = optional_text(purchase.website_id, "websiteId", 100)
    owner_id = optional_text(purchase.owner_id, "ownerId", 128)
    client, _ = await accounts.client_for_tenant(tenant_id)
    iso_country = iso_country_of(purchase.phone_number)
    number_type = number_type_of(purchase.phone_number)
    prices = await monthly_prices(client, iso_country) if iso_country else {}
    price = prices.get(number_type)
    try:
        async with provider_errors():
            bought = await client.incoming_phone_numbers.create_async(
                phone_number=purchase.phone_number,
                friendly_name=label or purchase.phone_number,
                **webhook_settings(accounts),
            )
    except ProviderError as exc:
        if exc.code in UNAVAILABLE_CODES:
            raise NumberUnavailable(f"{purchase.phone_number} is no longer available.") from exc
        raise provider_failure(exc) from exc
    capabilities = capabilities_of(bought.capabilities)
    try:
        number = await PhoneNumber.create(
            tenant_id=tenant_id,
            sid=bought.sid,
            phone_number=bought.phone_number,
            friendly_name=(bought.friendly_name or "")[:64],
            iso_country=iso_country,
            number_type=number_type,
            voice_enabled=Capability.VOICE in capabilities,
            sms_enabled=Capability.SMS in capabilities,
            mms_enabled=Capability.MMS in capabilities,
            status=NumberStatus.ACTIVE,
            owner_id=owner_id,
            label=label,
            website_id=website_id,
            monthly_fee=price.amount if price else None,
            price_unit=price.unit if price else None,
        )
    except Exception:
        # Any failure, not only tortoise's: asyncpg's errors reach here unwrapped, and a number
        # bought but not stored would be paid for by the tenant and unknown to us.
        logger.exception("storing bought number %s failed; releasing it at Twilio", bought.sid)
        await _release_at_twilio(client, bought.sid)
        raise
    # Whoever else held this number (across Twilio accounts) no longer receives it alone.
    await accounts.revoke(revocation_of(number))
    return number


def webhook_settings(accounts: TwilioAccounts) -> dict[str, str]:
    """An IncomingPhoneNumber's webhook fields pointing at this gateway (buy, register)."""
    return {
        "sms_url": accounts.callback_url(Callback.MESSAGING),
        "sms_method": "POST",
        "voice_url": accounts.callback_url(Callback.VOICE),
        "voice_method": "POST",
        # Asked when the voice URL answers an error or nothing: safe TwiML, never silence.
        "voice_fallback_url": accounts.callback_url(Callback.VOICE_FALLBACK),
        "voice_fallback_method": "POST",
        "status_callback": accounts.callback_url(Callback.CALL_STATUS),
        "status_callback_method": "POST",
    }


def revocation_of(number: PhoneNumber) -> Revocation:
    """What webhooks of ``number`` resolved to, to forget on every instance."""
    return Revocation(tenant_id=number.tenant_id, phone_numbers=(number.phone_number,))  # type: ignore[attr-defined]


def iso_country_of(phone_number: str) -> str:
    region = phonenumbers.region_code_for_number(phonenumbers.parse(phone_number, None))
    return region if region and region != "ZZ" else ""


def number_type_of(phone_number: str) -> NumberType:
    kind = phonenumbers.number_type(phonenumbers.parse(phone_number, None))
    if kind == phonenumbers.PhoneNumberType.TOLL_FREE:
        return NumberType.TOLL_FREE
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return NumberType.MOBILE
    return NumberType.LOCAL


def optional_text(value: str | None, field: str, max_length: int) -> str | None:
    """``value`` trimmed and checked; None or blank is None (nothing set)."""
    if value is None:
        return None
    return validation.text(value, field=field, max_length=max_length, allow_empty=True) or None


def visible_numbers(*, tenant_id: int, principal: Principal) -> QuerySet[PhoneNumber]:
    """The tenant's numbers this caller may see: all for admins, their own for agents."""
    query = PhoneNumber.filter(tenant_id=tenant_id)
    if not sees_every_number(principal):
        query = query.filter(owner_id=principal.user_id)
    return query


async def tenant_number(*, tenant_id: int, phone_number: str) -> PhoneNumber | None:
    """The tenant's (unreleased) number ``phone_number``, if it holds it."""
    return (
        await PhoneNumber.filter(tenant_id=tenant_id, phone_number=phone_number)
        .exclude(status=NumberStatus.RELEASED)
        .first()
    )


async def list_numbers(
    *,
    tenant_id: int,
    principal: Principal,
    number_filter: NumberFilter,
    after_id: int | None,
    limit: int,
) -> Page[PhoneNumber]:
    """A page of numbers, newest first."""
    query = visible_numbers(tenant_id=tenant_id, principal=principal)
    if number_filter.mine:
        query = query.filter(owner_id=principal.user_id)
    if number_filter.owner_id is not None:
        # Checked like the owner ids it is compared with: PostgreSQL refuses a NUL or an
        # over-long value outright, which would surface as an unexpected error.
        owner_id = validation.text(
            number_filter.owner_id, field="filter.ownerId", max_length=128, allow_empty=True
        )
        query = query.filter(owner_id=owner_id)
    if number_filter.status is not None:
        query = query.filter(status=number_filter.status)
    if number_filter.capability is not None:
        query = query.filter(**{f"{number_filter.capability.value}_enabled": True})
    after = query.filter(id__lt=after_id) if after_id is not None else query
    return await page_of(query, after=after.order_by("-id"), limit=limit)


async def get_number(*, tenant_id: int, principal: Principal, number_id: int) -> PhoneNumber:
    number = await visible_numbers(tenant_id=tenant_id, principal=principal).get_or_none(
        id=number_id
    )
    if number is None:
        raise PhoneNumberNotFound()
    return number


async def update_number(
    *,
    tenant_id: int,
    principal: Principal,
    number_id: int,
    changes: NumberChanges,
    accounts: TwilioAccounts,
) -> PhoneNumber:
    """Admins change anything; the number's owner may change its label, website and voice
    settings (how calls to it are answered is the owner's own business: whether they take
    calls in the browser, forward them to their mobile, or take messages)."""
    number = await get_number(tenant_id=tenant_id, principal=principal, number_id=number_id)
    is_admin = principal.has_role(Role.ADMIN)
    if not is_admin and (
        changes.status is not None
        or changes.owner_id is not None
        or changes.clear_owner
        or changes.whatsapp_enabled is not None
    ):
        raise NotAllowed("Only an admin may change a number's status, owner or WhatsApp sending.")
    if number.status == NumberStatus.RELEASED:
        raise InactiveNumber("This number was released; it can no longer be changed.")
    if changes.status == NumberStatus.RELEASED:
        raise InvalidInput("input.status", "Use releaseNumber to release a number.")
    updates: dict[str, Any] = {}
    if changes.label is not None:
        updates["label"] = optional_text(changes.label, "input.label", 100)
    if changes.website_id is not None:
        updates["website_id"] = optional_text(changes.website_id, "input.websiteId", 100)
    if changes.status is not None:
        updates["status"] = changes.status
    if changes.whatsapp_enabled is not None:
        updates["whatsapp_enabled"] = changes.whatsapp_enabled
    if changes.clear_owner:
        updates["owner_id"] = None
    elif changes.owner_id is not None:
        updates["owner_id"] = optional_text(changes.owner_id, "input.ownerId", 128)
    if changes.voice is not None:
        updates |= voice_updates(number, changes.voice)
    if updates:
        number.update_from_dict(updates)
        await number.save(update_fields=[*updates, "updated_at"])
    if "status" in updates or "owner_id" in updates:
        # A webhook's delivery carries the number as it was found: not as it was.
        await accounts.revoke(revocation_of(number))
    return number


def voice_updates(number: PhoneNumber, voice: VoiceChanges) -> dict[str, Any]:
    """The columns ``voice`` changes, checked against the number's settings as they will be."""
    updates: dict[str, Any] = {}
    if voice.mode is not None:
        updates["voice_mode"] = voice.mode
    if voice.forward_to == "":
        updates["voice_forward_to"] = None
    elif voice.forward_to is not None:
        updates["voice_forward_to"] = validation.e164(
            voice.forward_to.strip(), field="input.voice.forwardTo"
        )
    if voice.greeting is not None:
        updates["voice_greeting"] = validation.text(
            voice.greeting, field="input.voice.greeting", max_length=MAX_GREETING_LENGTH
        )
    if voice.ring_seconds is not None:
        if not MIN_RING_SECONDS <= voice.ring_seconds <= MAX_RING_SECONDS:
            raise InvalidInput(
                "input.voice.ringSeconds",
                f"input.voice.ringSeconds must be between {MIN_RING_SECONDS} and "
                f"{MAX_RING_SECONDS}.",
            )
        updates["voice_ring_seconds"] = voice.ring_seconds
    if voice.voicemail is not None:
        updates["voice_voicemail"] = voice.voicemail
    mode = updates.get("voice_mode", number.voice_mode)
    forward_to = updates.get("voice_forward_to", number.voice_forward_to)
    if mode == VoiceMode.FORWARD and not forward_to:
        raise InvalidInput(
            "input.voice.forwardTo", "input.voice.forwardTo is required to FORWARD calls."
        )
    return updates


async def release_number(
    *, tenant_id: int, number_id: int, accounts: TwilioAccounts
) -> PhoneNumber:
    """Release at Twilio, keep the row (status released) so its traffic stays queryable.

    A shared sender (no SID: the account never held it) is only released here: the tenant stops
    taking its traffic, and the other tenants that registered it keep theirs.
    """
    number = await PhoneNumber.get_or_none(id=number_id, tenant_id=tenant_id)
    if number is None:
        raise PhoneNumberNotFound()
    if number.status == NumberStatus.RELEASED:
        raise InactiveNumber("This number was already released.")
    client = None
    if number.sid is not None:
        client, _ = await accounts.client_for_tenant(tenant_id)
    return await release_with(client, number=number, accounts=accounts)


async def release_with(
    client: Client | None, *, number: PhoneNumber, accounts: TwilioAccounts
) -> PhoneNumber:
    """Release ``number`` at Twilio through ``client`` (unless it has no SID: a shared sender),
    then mark it released and revoke its webhooks on every instance.

    Raises ProviderFailure when Twilio refuses; nothing is then changed here.
    """
    if number.sid is not None:
        assert client is not None, "a number held at Twilio is released through its account"
        await _release_at_twilio(client, number.sid)
    number.status = NumberStatus.RELEASED
    number.released_at = datetime.now(UTC)
    await number.save(update_fields=["status", "released_at", "updated_at"])
    # Its webhooks are refused on every instance from the moment this returns.
    await accounts.revoke(revocation_of(number))
    return number


async def _release_at_twilio(client: Client, sid: str) -> None:
    try:
        async with provider_errors():
            await client.incoming_phone_numbers(sid).delete_async()
    except ProviderError as exc:
        if exc.code == NOT_FOUND_AT_TWILIO:
            return  # already gone at Twilio: releasing again is what we wanted anyway
        raise provider_failure(exc) from exc


async def numbers_by_id(*, tenant_id: int, ids: list[int]) -> dict[int, PhoneNumber]:
    """The tenant's numbers among ``ids``, by id, in one statement (another tenant's: absent)."""
    if not ids:
        return {}
    rows = await PhoneNumber.filter(tenant_id=tenant_id, id__in=sorted(set(ids)))
    return {row.id: row for row in rows}
