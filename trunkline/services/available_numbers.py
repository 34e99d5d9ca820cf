"""Twilio's number inventory: the countries it sells in, numbers for sale, and their prices."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from trunkline.models import NumberType
from trunkline.services.errors import InvalidInput, provider_failure
from trunkline.twilio import ProviderError, provider_errors
from trunkline.twilio.values import decimal_of

if TYPE_CHECKING:
    from twilio.rest import Client

    from trunkline.services.accounts import TwilioAccounts

logger = logging.getLogger(__name__)

# Twilio's codes for "that number cannot be had": not available, none in that area code.
UNAVAILABLE_CODES = {21422, 21452}
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


async def supported_countries(*, tenant_id: int, accounts: TwilioAccounts) -> list[Country]:
    client, _ = await accounts.client_for_tenant(tenant_id)
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
    *, tenant_id: int, search: NumberSearch, accounts: TwilioAccounts
) -> list[AvailableNumber]:
    search = _checked_search(search)
    client, _ = await accounts.client_for_tenant(tenant_id)
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
        amount = decimal_of(entry.get("current_price"))
        if number_type is not None and amount is not None:
            prices[number_type] = Price(amount=amount, unit=pricing.price_unit or "USD")
    if len(_price_cache) > 10_000:
        _price_cache.clear()
    _price_cache[key] = (time.monotonic(), prices)
    return prices


def _available(number: Any, search: NumberSearch, price: Price | None) -> AvailableNumber:
    return AvailableNumber(
        phone_number=number.phone_number,
        friendly_name=number.friendly_name or number.phone_number,
        locality=number.locality,
        region=number.region,
        iso_country=number.iso_country or search.country,
        number_type=search.number_type,
        capabilities=capabilities_of(number.capabilities),
        monthly_price=price,
    )


def capabilities_of(raw: Any) -> frozenset[Capability]:
    raw = raw or {}
    # Twilio spells them in lower case in some resources and upper case in others.
    lowered = {str(key).lower(): bool(value) for key, value in dict(raw).items()}
    return frozenset(capability for capability in Capability if lowered.get(capability.value))
