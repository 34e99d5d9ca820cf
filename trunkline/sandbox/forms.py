"""Reading Twilio's form-encoded request parameters, with Twilio's validation errors."""

from __future__ import annotations

import phonenumbers
from fastapi import Request
from starlette.datastructures import FormData

from trunkline.sandbox.errors import bad_request

HTTP_METHODS = ("GET", "POST")


class Form:
    """The ``application/x-www-form-urlencoded`` body of a Twilio API request."""

    def __init__(self, data: FormData) -> None:
        self._data = data

    def __contains__(self, name: str) -> bool:
        return name in self._data

    def text(self, name: str) -> str | None:
        """The field's value; None when absent or empty (Twilio treats both as unset)."""
        value = self._data.get(name)
        return value if isinstance(value, str) and value != "" else None

    def values(self, name: str) -> list[str]:
        """Every value of a repeatable field such as ``MediaUrl`` or ``StatusCallbackEvent``."""
        return [v for v in self._data.getlist(name) if isinstance(v, str) and v != ""]

    def flag(self, name: str) -> bool | None:
        """A boolean field (``true``/``false``, as the twilio library sends them)."""
        value = self.text(name)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise bad_request(20001, f"Invalid value for {name}: expected true or false")
        return value.lower() == "true"

    def integer(self, name: str) -> int | None:
        """An integer field such as ``Timeout``."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise bad_request(20001, f"Invalid value for {name}: expected an integer") from None

    def method(self, name: str, default: str = "POST") -> str:
        """An HTTP method field such as ``SmsMethod``: GET or POST."""
        value = (self.text(name) or default).upper()
        if value not in HTTP_METHODS:
            raise bad_request(20001, f"Invalid {name}: must be GET or POST")
        return value


async def read_form(request: Request) -> Form:
    return Form(await request.form())


def e164(value: str) -> str | None:
    """The number in E.164, or None when it is not a possible phone number."""
    try:
        parsed = phonenumbers.parse(value, None if value.startswith("+") else "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def split_channel(address: str) -> tuple[str | None, str]:
    """``whatsapp:+1555`` -> ``("whatsapp", "+1555")``; a plain number has no channel."""
    channel, separator, rest = address.partition(":")
    return (channel.lower(), rest) if separator else (None, address)


def country_of(phone_number: str) -> str:
    """ISO country of an E.164 number (``US``), or empty when unknown, as in Twilio's webhooks."""
    try:
        parsed = phonenumbers.parse(phone_number)
    except phonenumbers.NumberParseException:
        return ""
    # Numbers in drama ranges belong to no region; their country code still names a country.
    region = phonenumbers.region_code_for_number(parsed)
    if region is None:
        region = phonenumbers.region_code_for_country_code(parsed.country_code)
    return "" if region in (None, phonenumbers.UNKNOWN_REGION) else region
