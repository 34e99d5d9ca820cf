"""Phone numbers: search Twilio's inventory, buy, list, assign, release.

Every function takes the tenant explicitly. A number of another tenant is "not found", exactly
like an absent one, so ids cannot be probed across tenants.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import phonenumbers
from tortoise.exceptions import BaseORMException

from trunkline.auth.principal import Principal, Role
from trunkline.models import NumberStatus, NumberType, PhoneNumber
from trunkline.services import validation
from trunkline.services.callbacks import Callback, callback_url
from trunkline.services.credentials import provider_failure, tenant_twilio
from trunkline.services.errors import (
    InactiveNumber,
    InvalidInput,
    NotAllowed,
    NumberUnavailable,
    PhoneNumberNotFound,
)
from trunkline.twilio import ProviderError, provider_errors

if TYPE_CHECKING:
    from twilio.rest import Client

    from trunkline.gateway import Gateway

logger = logging.getLogger(__name__)

# Twilio's codes for "that number cannot be had": not available, none in that area code.
UNAVAILABLE_CODES = {21422, 21452}
NOT_FOUND_AT_TWILIO = 20404
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_AREA_CODE = re.compile(r"^[0-9]{2,5}$")
_CONTAINS = re.compile(r"^[0-9A-Za-z*]{2,16}$")


class Capability(StrEnum):
    VOICE = "voice"
    SMS = "sms"
    MMS = "mms"


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    beta: bool


@dataclass(frozen=True)
class Price:
    """A monthly price, in ``unit`` (ISO 4217)."""

    amount: Decimal
    unit: str


@dataclass(frozen=True)
class AvailableNumber:
    phone_number: str
    friendly_name: str
    locality: str | None
    region: str | None
    iso_country: str
    number_type: NumberType
    capabilities: frozenset[Capability]
    monthly_price: Price | None = None


@dataclass(frozen=True)
class NumberSearch:
    country: str
    number_type: NumberType = NumberType.LOCAL
    area_code: str | None = None
    contains: str | None = None
    capabilities: frozenset[Capability] = frozenset()
    limit: int = 20


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


async def supported_countries(*, tenant_id: int, gateway: Gateway) -> list[Country]:
    client, _ = await tenant_twilio(tenant_id=tenant_id, gateway=gateway)
    try:
        async with provider_errors():
            countries = await client.available_phone_numbers.list_async()
    except ProviderError as exc:
        raise provider_failure(exc) from exc
    return sorted(
        (Country(code=c.country_code, name=c.country, beta=bool(c.beta)) for c in countries),
        key=lambda country: country.name,
    )


def _checked_search(search: NumberSearch) -> NumberSearch:
    if not _COUNTRY.match(search.country):
        raise InvalidInput("country", "country must be an ISO 3166 alpha-2 code, like US.")
    if search.area_code is not None and not _AREA_CODE.match(search.area_code):
        raise InvalidInput("areaCode", "areaCode must be 2 to 5 digits.")
    if search.contains is not None and not _CONTAINS.match(search.contains):
        raise InvalidInput("contains", "contains must be 2 to 16 digits, letters or *.")
    return search


async def available_numbers(
    *, tenant_id: int, search: NumberSearch, gateway: Gateway
) -> list[AvailableNumber]:
    search = _checked_search(search)
    client, _ = await tenant_twilio(tenant_id=tenant_id, gateway=gateway)
    country = client.available_phone_numbers(search.country)
    inventory = {
        NumberType.LOCAL: country.local,
        NumberType.MOBILE: country.mobile,
        NumberType.TOLL_FREE: country.toll_free,
    }[search.number_type]
    criteria: dict[str, Any] = {"limit": search.limit, "page_size": search.limit}
    if search.area_code:
        criteria["area_code"] = int(search.area_code)
    if search.contains:
        criteria["contains"] = search.contains
    for capability, argument in (
        (Capability.SMS, "sms_enabled"),
        (Capability.MMS, "mms_enabled"),
        (Capability.VOICE, "voice_enabled"),
    ):
        if capability in search.capabilities:
            criteria[argument] = True
    try:
        async with provider_errors():
            found = await inventory.list_async(**criteria)
    except ProviderError as exc:
        if exc.code in UNAVAILABLE_CODES:
            return []
        raise provider_failure(exc) from exc
    price = (await monthly_prices(client, search.country)).get(search.number_type)
    return [_available(number, search, price) for number in found]


# Twilio's Pricing API names the number types differently from its inventory lists.
_PRICED_TYPES = {
    "local": NumberType.LOCAL,
    "mobile": NumberType.MOBILE,
    "toll free": NumberType.TOLL_FREE,
}
_PRICE_CACHE_SECONDS = 3600.0
_price_cache: dict[tuple[str, str], tuple[float, dict[NumberType, Price]]] = {}


async def monthly_prices(client: Client, country: str) -> dict[NumberType, Price]:
    """Monthly number prices of a country for this account; cached an hour (they rarely move).

    Prices are decoration on a search: when Twilio's Pricing API fails, the search still
    answers, without prices.
    """
    key = (client.account_sid or "", country)
    cached = _price_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < _PRICE_CACHE_SECONDS:
        return cached[1]
    try:
        async with provider_errors():
            pricing = await client.pricing.v1.phone_numbers.countries(country).fetch_async()
    except ProviderError as exc:
        logger.warning("number prices for %s unavailable: %s", country, exc)
        return {}
    prices: dict[NumberType, Price] = {}
    for entry in pricing.phone_number_prices or []:
        number_type = _PRICED_TYPES.get(str(entry.get("number_type", "")).lower())
        amount = _decimal(entry.get("current_price"))
        if number_type is not None and amount is not None:
            prices[number_type] = Price(amount=amount, unit=pricing.price_unit or "USD")
    if len(_price_cache) > 10_000:
        _price_cache.clear()
    _price_cache[key] = (time.monotonic(), prices)
    return prices


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _available(number: Any, search: NumberSearch, price: Price | None) -> AvailableNumber:
    return AvailableNumber(
        phone_number=number.phone_number,
        friendly_name=number.friendly_name or number.phone_number,
        locality=number.locality,
        region=number.region,
        iso_country=number.iso_country or search.country,
        number_type=search.number_type,
        capabilities=_capabilities(number.capabilities),
        monthly_price=price,
    )


def _capabilities(raw: Any) -> frozenset[Capability]:
    raw = raw or {}
    # Twilio spells them in lower case in some resources and upper case in others.
    lowered = {str(key).lower(): bool(value) for key, value in dict(raw).items()}
    return frozenset(capability for capability in Capability if lowered.get(capability.value))


@dataclass(frozen=True)
class Purchase:
    phone_number: str
    label: str | None = None
    website_id: str | None = None
    owner_id: str | None = None


async def buy_number(*, tenant_id: int, purchase: Purchase, gateway: Gateway) -> PhoneNumber:
    """Buy at Twilio with this gateway's webhooks, then store it.

    If storing fails after Twilio sold us the number, the number is released again so the tenant
    is not billed for a number Trunkline does not know about.
    """
    validation.e164(purchase.phone_number, field="phoneNumber")
    label = _optional_text(purchase.label, "label", 100)
    website_id = _optional_text(purchase.website_id, "websiteId", 100)
    owner_id = _optional_text(purchase.owner_id, "ownerId", 128)
    client, _ = await tenant_twilio(tenant_id=tenant_id, gateway=gateway)
    iso_country = _iso_country(purchase.phone_number)
    number_type = _number_type(purchase.phone_number)
    prices = await monthly_prices(client, iso_country) if iso_country else {}
    price = prices.get(number_type)
    public_url = gateway.settings.public_url
    try:
        async with provider_errors():
            bought = await client.incoming_phone_numbers.create_async(
                phone_number=purchase.phone_number,
                friendly_name=label or purchase.phone_number,
                sms_url=callback_url(public_url, Callback.MESSAGING),
                sms_method="POST",
                voice_url=callback_url(public_url, Callback.VOICE),
                voice_method="POST",
                status_callback=callback_url(public_url, Callback.CALL_STATUS),
                status_callback_method="POST",
            )
    except ProviderError as exc:
        if exc.code in UNAVAILABLE_CODES:
            raise NumberUnavailable(f"{purchase.phone_number} is no longer available.") from exc
        raise provider_failure(exc) from exc
    capabilities = _capabilities(bought.capabilities)
    try:
        return await PhoneNumber.create(
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
    except BaseORMException:
        logger.exception("storing bought number %s failed; releasing it at Twilio", bought.sid)
        await _release_at_twilio(client, bought.sid)
        raise


def _iso_country(phone_number: str) -> str:
    region = phonenumbers.region_code_for_number(phonenumbers.parse(phone_number, None))
    return region if region and region != "ZZ" else ""


def _number_type(phone_number: str) -> NumberType:
    kind = phonenumbers.number_type(phonenumbers.parse(phone_number, None))
    if kind == phonenumbers.PhoneNumberType.TOLL_FREE:
        return NumberType.TOLL_FREE
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return NumberType.MOBILE
    return NumberType.LOCAL


def _optional_text(value: str | None, field: str, max_length: int) -> str | None:
    if value is None:
        return None
    return validation.text(value, field=field, max_length=max_length, allow_empty=True) or None


def visible_numbers(*, tenant_id: int, principal: Principal) -> Any:
    """The tenant's numbers this caller may see: all for admins, their own for agents."""
    query = PhoneNumber.filter(tenant_id=tenant_id)
    if not principal.has_role(Role.ADMIN):
        query = query.filter(owner_id=principal.user_id)
    return query


async def list_numbers(
    *,
    tenant_id: int,
    principal: Principal,
    number_filter: NumberFilter,
    after_id: int | None,
    limit: int,
) -> tuple[list[PhoneNumber], bool]:
    """A page of numbers, newest first; returns the page and whether more follow."""
    query = visible_numbers(tenant_id=tenant_id, principal=principal)
    if number_filter.mine:
        query = query.filter(owner_id=principal.user_id)
    if number_filter.owner_id is not None:
        query = query.filter(owner_id=number_filter.owner_id)
    if number_filter.status is not None:
        query = query.filter(status=number_filter.status)
    if number_filter.capability is not None:
        query = query.filter(**{f"{number_filter.capability.value}_enabled": True})
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(limit + 1)
    return rows[:limit], len(rows) > limit


async def get_number(*, tenant_id: int, principal: Principal, number_id: int) -> PhoneNumber:
    number = await visible_numbers(tenant_id=tenant_id, principal=principal).get_or_none(
        id=number_id
    )
    if number is None:
        raise PhoneNumberNotFound()
    return number


def parse_number_id(value: str, *, field: str = "id") -> int:
    try:
        number_id = int(value)
    except ValueError:
        raise PhoneNumberNotFound() from None
    if number_id < 1:
        raise PhoneNumberNotFound()
    return number_id


async def update_number(
    *, tenant_id: int, principal: Principal, number_id: int, changes: NumberChanges
) -> PhoneNumber:
    """Admins change anything; the number's owner may change its label and website only."""
    number = await get_number(tenant_id=tenant_id, principal=principal, number_id=number_id)
    is_admin = principal.has_role(Role.ADMIN)
    if not is_admin and (
        changes.status is not None or changes.owner_id is not None or changes.clear_owner
    ):
        raise NotAllowed("Only an admin may change a number's status or owner.")
    if number.status == NumberStatus.RELEASED:
        raise InactiveNumber("This number was released; it can no longer be changed.")
    if changes.status == NumberStatus.RELEASED:
        raise InvalidInput("input.status", "Use releaseNumber to release a number.")
    updates: dict[str, Any] = {}
    if changes.label is not None:
        updates["label"] = _optional_text(changes.label, "input.label", 100)
    if changes.website_id is not None:
        updates["website_id"] = _optional_text(changes.website_id, "input.websiteId", 100)
    if changes.status is not None:
        updates["status"] = changes.status
    if changes.clear_owner:
        updates["owner_id"] = None
    elif changes.owner_id is not None:
        updates["owner_id"] = _optional_text(changes.owner_id, "input.ownerId", 128)
    if updates:
        number.update_from_dict(updates)
        await number.save(update_fields=[*updates, "updated_at"])
    return number


async def release_number(*, tenant_id: int, number_id: int, gateway: Gateway) -> PhoneNumber:
    """Release at Twilio, keep the row (status released) so its traffic stays queryable."""
    number = await PhoneNumber.get_or_none(id=number_id, tenant_id=tenant_id)
    if number is None:
        raise PhoneNumberNotFound()
    if number.status == NumberStatus.RELEASED:
        raise InactiveNumber("This number was already released.")
    client, _ = await tenant_twilio(tenant_id=tenant_id, gateway=gateway)
    await _release_at_twilio(client, number.sid)
    number.status = NumberStatus.RELEASED
    number.released_at = datetime.now(UTC)
    await number.save(update_fields=["status", "released_at", "updated_at"])
    return number


async def _release_at_twilio(client: Client, sid: str) -> None:
    try:
        async with provider_errors():
            await client.incoming_phone_numbers(sid).delete_async()
    except ProviderError as exc:
        if exc.code == NOT_FOUND_AT_TWILIO:
            return  # already gone at Twilio: releasing again is what we wanted anyway
        raise provider_failure(exc) from exc
