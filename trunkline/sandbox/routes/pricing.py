"""Pricing v1: ``/v1/PhoneNumbers/Countries/{IsoCountry}``, the monthly price of each number type.

Twilio's Pricing API is not among the specifications in ``tests/twilio_oai``; the body follows
Twilio's documented shape (``country``, ``iso_country``, ``phone_number_prices``, ``price_unit``).
Prices are the sandbox's own, plausible and fixed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from trunkline.sandbox.auth import credentials_account
from trunkline.sandbox.catalog import COUNTRIES
from trunkline.sandbox.errors import not_found
from trunkline.sandbox.records import Account

router = APIRouter(prefix="/twilio/pricing/v1")

# Monthly USD prices by (country, Twilio number type), as the sandbox bills them.
MONTHLY_PRICES: dict[tuple[str, str], str] = {
    ("US", "local"): "1.15",
    ("US", "toll free"): "2.15",
    ("CA", "local"): "1.15",
    ("CA", "toll free"): "2.15",
    ("GB", "local"): "1.15",
    ("GB", "mobile"): "1.15",
    ("GB", "toll free"): "2.00",
    ("DO", "local"): "5.00",
    ("DO", "mobile"): "5.00",
    ("AU", "local"): "3.00",
    ("AU", "mobile"): "6.50",
    ("AU", "toll free"): "16.00",
}


@router.get("/PhoneNumbers/Countries/{iso_country}")
async def fetch_number_prices(
    iso_country: str, _: Annotated[Account, Depends(credentials_account)]
) -> dict[str, Any]:
    country = COUNTRIES.get(iso_country.upper())
    if country is None:
        raise not_found(f"/v1/PhoneNumbers/Countries/{iso_country}")
    prices = [
        {"number_type": kind, "base_price": price, "current_price": price}
        for (code, kind), price in MONTHLY_PRICES.items()
        if code == country.code
    ]
    return {
        "country": country.name,
        "iso_country": country.code,
        "phone_number_prices": prices,
        "price_unit": "USD",
        "url": f"https://pricing.twilio.com/v1/PhoneNumbers/Countries/{country.code}",
    }
