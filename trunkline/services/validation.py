"""Shape checks for what callers type: E.164 numbers, Twilio SIDs, secrets, free text."""

from __future__ import annotations

import re

import phonenumbers

from trunkline.models import WHATSAPP_PREFIX
from trunkline.services.errors import InvalidInput

_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_SID = re.compile(r"^(?P<prefix>[A-Z]{2})[0-9a-f]{32}$")
# An address as mail systems write it: one @, no spaces or control characters, a dotted domain.
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,253}\.[A-Za-z]{2,63}")
MAX_EMAIL_LENGTH = 320  # Message.counterpart


def e164(value: str, *, field: str) -> str:
    """``value`` if it is a phone number written exactly in E.164 (``+61412345678``).

    National forms (``0412345678``), a missing ``+`` (``61412345678``) and spaced forms
    (``+61 412 345 678``) are refused rather than guessed at: a guess texts the wrong person.
    """
    message = f"{field} must be a phone number in E.164 form, like +14155550123."
    if not value.startswith("+"):
        raise InvalidInput(field, message)
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(field, message) from exc
    canonical = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if canonical != value or not phonenumbers.is_possible_number(parsed):
        raise InvalidInput(field, message)
    return value


def address(value: str, *, field: str) -> str:
    """An E.164 number, or ``whatsapp:`` followed by one."""
    if value.startswith(WHATSAPP_PREFIX):
        return WHATSAPP_PREFIX + e164(value.removeprefix(WHATSAPP_PREFIX), field=field)
    return e164(value, field=field)


def counterpart(value: str, *, field: str) -> str:
    """The other party of a message as stored: E.164, ``whatsapp:`` and E.164, or an email
    address."""
    if "@" in value:
        if len(value) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(value):
            raise InvalidInput(
                field,
                f"{field} must be a phone number in E.164 form, whatsapp: followed by one, "
                "or an email address.",
            )
        return value
    return address(value, field=field)


def sid(value: str, *, prefix: str, field: str) -> str:
    """A Twilio SID: two-letter prefix and 32 lowercase hex digits (``AC…``, ``MG…``, ...)."""
    match = _SID.match(value)
    if match is None or match.group("prefix") != prefix:
        raise InvalidInput(field, f"{field} must be '{prefix}' followed by 32 hex digits.")
    return value


def hex32(value: str, *, field: str) -> str:
    if not _HEX32.match(value):
        raise InvalidInput(field, f"{field} must be 32 lowercase hex digits.")
    return value


def text(
    value: str, *, field: str, max_length: int, allow_empty: bool = False, multiline: bool = False
) -> str:
    """Trimmed free text of bounded length without control characters (newlines if multiline)."""
    value = value.strip()
    if not value and not allow_empty:
        raise InvalidInput(field, f"{field} must not be empty.")
    if len(value) > max_length:
        raise InvalidInput(field, f"{field} must be at most {max_length} characters.")
    allowed = "\n\r\t" if multiline else ""
    if any(not character.isprintable() for character in value if character not in allowed):
        raise InvalidInput(field, f"{field} must not contain control characters.")
    return value
