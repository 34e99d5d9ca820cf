"""Webhook fields parsed against the columns they land in: the one parser every route uses.

A provider's callback is a flat set of string parameters. Each one a route reads is declared
once as a :class:`Field` (its name and older aliases, the column it is stored in, the characters
it may hold) and read only through that declaration, so no value reaches the database (or a
look-up: Tortoise refuses a filter value longer than its column) without its bounds. A value that
breaks them is a :class:`WebhookRejected` 400 naming the field: Twilio does not retry a 4xx,
whereas a failed write would answer 503 and be retried forever.

Lengths and integer ranges come from the Tortoise fields themselves (``CharField.max_length``;
``IntField`` holds int32, ``BigIntField`` int64, ``SmallIntField`` int16), never repeated here.
Text and JSON columns have no length of their own: the body limit bounds them.

Nothing here is Twilio's: a SendGrid route declares its own fields with the same classes and
reads them from any mapping of names to strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import Generic, TypeVar

from tortoise.fields import DecimalField
from tortoise.fields.base import Field as Column
from tortoise.models import Model


class WebhookRejected(Exception):
    """The webhook is answered with ``status`` and nothing is stored."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        reason: str | None = None,
        tenant_id: int | None = None,
        refusal: str | None = None,
        phone_number: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        # A metric label (``trunkline_webhooks_total``): one of a few fixed words, never the
        # detail (which may quote a field's name).
        self.reason = reason or ("malformed" if status == 400 else "refused")
        # When the webhook named one of a tenant's accounts or numbers: whose, and why refused
        # (a RefusalReason), shown in that tenant's twilioHealth.
        self.tenant_id = tenant_id
        self.refusal = refusal
        self.phone_number = phone_number


class Characters(Enum):
    """What a text field may hold, besides its length."""

    TEXT = "text"
    """Free text (a message body): anything but NUL, which no PostgreSQL text can hold."""
    LINE = "line"
    """One line (an address, a URL, a name): no control characters."""
    IDENTIFIER = "identifier"
    """An identifier (a SID, a provider's message id): printable ASCII, no spaces."""
    TOKEN = "token"
    """A keyword (a status, an event type): ASCII letters, digits, ``-`` and ``_``."""


T = TypeVar("T")

# C0 and C1 controls (Unicode category Cc); format characters such as an emoji's joiner are text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_IDENTIFIER = re.compile(r"[!-~]+")
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
# ASCII digits only: int() would also take "1_000", " 7 " and other scripts' digits.
_INTEGER = re.compile(r"-?[0-9]+")
# A signed decimal as Twilio writes amounts ("-0.01400"): ASCII digits, one optional point.
_DECIMAL = re.compile(r"-?(?P<whole>[0-9]+)(?:\.(?P<fraction>[0-9]+))?")
# An RFC 2822 date is about 31 characters; anything much longer is not one.
_MAX_DATE_LENGTH = 64
# More significant digits than any column holds (int64 has 19): out of range without int(),
# which refuses over 4,300 digits.
_MAX_DIGITS = 20


def column(model: type[Model], name: str) -> Column:
    """The Tortoise field ``model.name``: where a webhook field lands."""
    found: Column = model._meta.fields_map[name]
    return found


@dataclass(frozen=True)
class Field(Generic[T]):
    """One parameter of a callback: its name, then older names it is also sent under."""

    names: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.names[0]

    def read(self, params: Mapping[str, str]) -> T | None:
        """The first of the names present and non-empty, parsed; None when none is."""
        for name in self.names:
            raw = params.get(name)
            if raw:
                return self.parse(name, raw)
        return None

    def require(self, params: Mapping[str, str]) -> T:
        """As :meth:`read`, but absent or empty is a 400 naming the field."""
        value = self.read(params)
        if value is None:
            raise WebhookRejected(400, f"missing required field {self.name}")
        return value

    def parse(self, name: str, raw: str) -> T:
        """``raw`` (sent as ``name``) as the value stored, or a 400 naming ``name``."""
        raise NotImplementedError

    def at(self, index: int) -> Field[T]:
        """A numbered field (``MediaUrl{}`` -> ``MediaUrl0``)."""
        return replace(self, names=tuple(name.format(index) for name in self.names))


@dataclass(frozen=True)
class Text(Field[str]):
    max_length: int | None
    characters: Characters
    lower: bool = False

    def parse(self, name: str, raw: str) -> str:
        if self.max_length is not None and len(raw) > self.max_length:
            raise WebhookRejected(400, f"field {name} is longer than {self.max_length} characters")
        if not _holds_only(self.characters, raw):
            raise WebhookRejected(400, f"field {name} {_REFUSED[self.characters]}")
        return raw.lower() if self.lower else raw


_REFUSED = {
    Characters.TEXT: "contains a NUL character",
    Characters.LINE: "contains a control character",
    Characters.IDENTIFIER: "must be printable ASCII without spaces",
    Characters.TOKEN: "must hold only ASCII letters, digits, '-' and '_'",
}


def _holds_only(characters: Characters, value: str) -> bool:
    match characters:
        case Characters.TEXT:
            return "\x00" not in value
        case Characters.LINE:
            return _CONTROL.search(value) is None
        case Characters.IDENTIFIER:
            return _IDENTIFIER.fullmatch(value) is not None
        case Characters.TOKEN:
            return _TOKEN.fullmatch(value) is not None


@dataclass(frozen=True)
class Integer(Field[int]):
    minimum: int
    maximum: int

    def parse(self, name: str, raw: str) -> int:
        if _INTEGER.fullmatch(raw) is None:
            raise WebhookRejected(400, f"field {name} must be an integer")
        digits = raw.lstrip("-").lstrip("0") or "0"
        if len(digits) > _MAX_DIGITS:
            value = None
        else:
            value = -int(digits) if raw.startswith("-") else int(digits)
        if value is None or not self.minimum <= value <= self.maximum:
            raise WebhookRejected(
                400, f"field {name} must be between {self.minimum} and {self.maximum}"
            )
        return value


@dataclass(frozen=True)
class Amount(Field[Decimal]):
    """A decimal amount (a price) that fits its ``DecimalField``: at most ``max_digits`` digits,
    ``decimal_places`` of them after the point. Trailing zeros past the places are dropped, not
    refused ("0.014000" fits five places)."""

    max_digits: int
    decimal_places: int

    def parse(self, name: str, raw: str) -> Decimal:
        match = _DECIMAL.fullmatch(raw)
        if match is None:
            raise WebhookRejected(400, f"field {name} must be a decimal number")
        whole = match["whole"].lstrip("0")
        fraction = (match["fraction"] or "").rstrip("0")
        if (
            len(fraction) > self.decimal_places
            or len(whole) > self.max_digits - self.decimal_places
        ):
            raise WebhookRejected(
                400,
                f"field {name} must have at most {self.max_digits - self.decimal_places} digits "
                f"before the point and {self.decimal_places} after it",
            )
        return Decimal(raw)


@dataclass(frozen=True)
class Instant(Field[datetime]):
    """An RFC 2822 date (``Timestamp``: "Mon, 30 Nov 2026 01:02:03 +0000"), as an aware UTC
    datetime. A date without a zone ("-0000") is read as UTC, as RFC 2822 says it is."""

    def parse(self, name: str, raw: str) -> datetime:
        if len(raw) > _MAX_DATE_LENGTH or not raw.isascii():
            raise WebhookRejected(400, f"field {name} must be an RFC 2822 date")
        try:
            value = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            raise WebhookRejected(400, f"field {name} must be an RFC 2822 date") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except OverflowError:  # a zone that moves it past year 1 or 9999
            raise WebhookRejected(400, f"field {name} must be an RFC 2822 date") from None


def text(
    *names: str,
    lands_in: Column | None,
    characters: Characters = Characters.LINE,
    lower: bool = False,
) -> Text:
    """A text field stored in ``lands_in``: no longer than it holds (a CharField's max_length).

    ``lands_in`` None: the value is not stored as sent (it selects a value of ours).
    """
    max_length = lands_in.constraints.get("max_length") if lands_in is not None else None
    return Text(names=names, max_length=max_length, characters=characters, lower=lower)


def integer(
    *names: str, lands_in: Column | None, minimum: int | None = None, maximum: int | None = None
) -> Integer:
    """An integer field stored in ``lands_in``, within its range and ``minimum``..``maximum``.

    ``lands_in`` None: the value is not stored (a count), and both bounds must be given.
    """
    bounds = lands_in.constraints if lands_in is not None else {}
    lows = [b for b in (bounds.get("ge"), minimum) if b is not None]
    highs = [b for b in (bounds.get("le"), maximum) if b is not None]
    if not lows or not highs:
        raise TypeError(f"{names[0]}: an integer stored nowhere needs both bounds")
    return Integer(names=names, minimum=max(lows), maximum=min(highs))


def amount(*names: str, lands_in: Column) -> Amount:
    """A decimal field stored in ``lands_in`` (a ``DecimalField``): no more digits than it holds."""
    if not isinstance(lands_in, DecimalField):
        raise TypeError(f"{names[0]}: an amount lands in a DecimalField")
    return Amount(
        names=names, max_digits=lands_in.max_digits, decimal_places=lands_in.decimal_places
    )


def instant(*names: str) -> Instant:
    """An RFC 2822 date field (stored in a ``DatetimeField``, which holds any such date)."""
    return Instant(names=names)
