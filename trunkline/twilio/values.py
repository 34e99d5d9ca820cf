"""Values as Twilio's answers hold them: numbers written as strings, absent as null or ""."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def decimal_of(value: object) -> Decimal | None:
    """A price or amount (``"-0.00790"``); None when absent or not a number."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def integer_of(value: object) -> int | None:
    """A count (``num_segments``: ``"1"``); None when absent or not an integer."""
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        return None
