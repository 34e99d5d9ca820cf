"""Deterministic available numbers per country, drawn from ranges reserved for fiction.

Each block uses numbers regulators set aside for drama and documentation (NANP 555-0100..0199,
Ofcom's 020 7946 0xxx / 07700 900xxx, ACMA's 5550 xxxx ...), so a sandbox number can never ring a
real person if it leaks into a real call. The same query always yields the same numbers, minus
those some sandbox account already bought.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

NUMBER_TYPES = {"Local": "local", "Mobile": "mobile", "TollFree": "tollfree"}
SANDBOX_MARK = " (sandbox)"

# Telephone keypad letters, for Contains patterns such as "STORM".
_KEYPAD = {
    letter: digit
    for digit, letters in {
        "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL",
        "6": "MNO", "7": "PQRS", "8": "TUV", "9": "WXYZ",
    }.items()
    for letter in letters
}  # fmt: skip


@dataclass(frozen=True)
class Capabilities:
    voice: bool
    sms: bool
    mms: bool


VOICE_ONLY = Capabilities(voice=True, sms=False, mms=False)
VOICE_SMS = Capabilities(voice=True, sms=True, mms=False)
VOICE_SMS_MMS = Capabilities(voice=True, sms=True, mms=True)


@dataclass(frozen=True)
class NumberBlock:
    """A run of ``size`` consecutive numbers starting at ``first`` (E.164)."""

    number_type: str
    first: str
    size: int
    locality: str | None
    region: str | None
    postal_code: str | None
    latitude: float | None
    longitude: float | None
    capabilities: Capabilities
    lata: str | None = None

    def numbers(self) -> Iterator[str]:
        start = int(self.first[1:])
        for offset in range(self.size):
            yield f"+{start + offset}"

    def holds(self, phone_number: str) -> bool:
        start = int(self.first[1:])
        return phone_number[1:].isdigit() and start <= int(phone_number[1:]) < start + self.size


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    blocks: tuple[NumberBlock, ...]

    @property
    def number_types(self) -> list[str]:
        """The list names this country offers (``Local``, ``Mobile``, ``TollFree``), in order."""
        present = {block.number_type for block in self.blocks}
        return [name for name, kind in NUMBER_TYPES.items() if kind in present]


def _nanp(
    area_code: str,
    place: tuple[str, str, str],
    lat_long: tuple[float, float],
    lata: str,
    capabilities: Capabilities = VOICE_SMS_MMS,
) -> NumberBlock:
    locality, region, postal = place
    return NumberBlock(
        "local",
        f"+1{area_code}5550100",
        100,
        locality,
        region,
        postal,
        *lat_long,
        capabilities,
        lata,
    )


def _local(
    first: str, size: int, place: tuple[str, str | None, str | None], lat_long: tuple[float, float]
) -> NumberBlock:
    locality, region, postal = place
    return NumberBlock("local", first, size, locality, region, postal, *lat_long, VOICE_ONLY)


def _mobile(first: str, size: int, capabilities: Capabilities) -> NumberBlock:
    return NumberBlock("mobile", first, size, None, None, None, None, None, capabilities)


def _toll_free(first: str, size: int, capabilities: Capabilities) -> NumberBlock:
    return NumberBlock("tollfree", first, size, None, None, None, None, None, capabilities)


COUNTRIES: dict[str, Country] = {
    country.code: country
    for country in (
        Country(
            "AU",
            "Australia",
            (
                _local("+61255500000", 100, ("Sydney", "NSW", "2000"), (-33.87, 151.21)),
                _local("+61355500000", 100, ("Melbourne", "VIC", "3000"), (-37.81, 144.96)),
                _local("+61755500000", 100, ("Brisbane", "QLD", "4000"), (-27.47, 153.03)),
                _mobile("+61491570100", 100, VOICE_SMS_MMS),
                _toll_free("+611800975700", 100, VOICE_ONLY),
            ),
        ),
        Country(
            "CA",
            "Canada",
            (
                _nanp("416", ("Toronto", "ON", "M5H"), (43.65, -79.38), "888"),
                _nanp("604", ("Vancouver", "BC", "V6B"), (49.28, -123.12), "888"),
                _nanp("514", ("Montreal", "QC", "H2Y"), (45.50, -73.57), "888"),
                _toll_free("+18885550100", 100, VOICE_SMS),
            ),
        ),
        Country(
            "DO",
            "Dominican Republic",
            (
                _nanp("809", ("Santo Domingo", "DN", "10101"), (18.49, -69.93), "888", VOICE_ONLY),
                _nanp("829", ("Santiago", "ST", "51000"), (19.45, -70.69), "888", VOICE_ONLY),
            ),
        ),
        Country(
            "GB",
            "United Kingdom",
            (
                _local("+442079460000", 1000, ("London", None, None), (51.51, -0.13)),
                _local("+441134960000", 1000, ("Leeds", None, None), (53.80, -1.55)),
                _local("+441614960000", 1000, ("Manchester", None, None), (53.48, -2.24)),
                _mobile("+447700900000", 1000, VOICE_SMS),
                _toll_free("+448081570000", 1000, VOICE_ONLY),
            ),
        ),
        Country(
            "US",
            "United States",
            (
                _nanp("415", ("San Francisco", "CA", "94103"), (37.77, -122.42), "722"),
                _nanp("212", ("New York", "NY", "10001"), (40.75, -73.99), "132"),
                _nanp("312", ("Chicago", "IL", "60601"), (41.88, -87.63), "358"),
                _nanp("512", ("Austin", "TX", "78701"), (30.27, -97.74), "558"),
                _nanp("206", ("Seattle", "WA", "98101"), (47.61, -122.33), "674"),
                _nanp("213", ("Los Angeles", "CA", "90012"), (34.05, -118.24), "730"),
                _nanp("617", ("Boston", "MA", "02108"), (42.36, -71.06), "128"),
                _nanp("305", ("Miami", "FL", "33130"), (25.77, -80.19), "460"),
                _nanp("303", ("Denver", "CO", "80202"), (39.74, -104.99), "656"),
                _nanp("404", ("Atlanta", "GA", "30303"), (33.75, -84.39), "438"),
                _nanp("202", ("Washington", "DC", "20001"), (38.90, -77.04), "236"),
                _nanp("503", ("Portland", "OR", "97204"), (45.52, -122.68), "672"),
                _nanp("615", ("Nashville", "TN", "37201"), (36.16, -86.78), "468"),
                _toll_free("+18005550100", 100, VOICE_SMS_MMS),
            ),
        ),
    )
}


@dataclass(frozen=True)
class AvailableNumber:
    phone_number: str
    friendly_name: str
    iso_country: str
    block: NumberBlock


@dataclass(frozen=True)
class NumberQuery:
    """The filters of ``AvailablePhoneNumbers/{CC}/{Type}.json``."""

    area_code: str | None = None
    contains: str | None = None
    sms_enabled: bool | None = None
    mms_enabled: bool | None = None
    voice_enabled: bool | None = None
    limit: int = 50


def friendly_name(phone_number: str) -> str:
    """The national format Twilio uses as a friendly name, e.g. ``(415) 555-0100``."""
    parsed = phonenumbers.parse(phone_number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def search(
    country: Country, number_type: str, query: NumberQuery, taken: set[str]
) -> list[AvailableNumber]:
    """Numbers of ``country`` and ``number_type`` matching ``query`` that nobody owns."""
    pattern = _contains_pattern(query.contains) if query.contains else None
    found: list[AvailableNumber] = []
    for block in country.blocks:
        if block.number_type != number_type or not _capable(block.capabilities, query):
            continue
        for number in block.numbers():
            if number in taken:
                continue
            if query.area_code and not _national(number).startswith(query.area_code):
                continue
            if pattern is not None and not _matches(number[1:], pattern):
                continue
            name = friendly_name(number) + SANDBOX_MARK
            found.append(AvailableNumber(number, name, country.code, block))
            if len(found) >= query.limit:
                return found
    return found


def find(phone_number: str) -> AvailableNumber | None:
    """The catalog entry for one E.164 number, whether or not someone owns it."""
    for country in COUNTRIES.values():
        for block in country.blocks:
            if block.holds(phone_number):
                name = friendly_name(phone_number) + SANDBOX_MARK
                return AvailableNumber(phone_number, name, country.code, block)
    return None


def _national(phone_number: str) -> str:
    return str(phonenumbers.parse(phone_number).national_number)


def _capable(capabilities: Capabilities, query: NumberQuery) -> bool:
    wanted = (
        (query.voice_enabled, capabilities.voice),
        (query.sms_enabled, capabilities.sms),
        (query.mms_enabled, capabilities.mms),
    )
    return all(has == want for want, has in wanted if want is not None)


def _contains_pattern(contains: str) -> str:
    return "".join(_KEYPAD.get(char.upper(), char) for char in contains)


def _matches(digits: str, pattern: str) -> bool:
    width = len(pattern)
    return any(
        all(p == "*" or p == d for p, d in zip(pattern, digits[i : i + width], strict=True))
        for i in range(len(digits) - width + 1)
    )
