"""Client-supplied ids and cursors, turned into database keys in one place.

Every ``ID`` argument and every cursor a client sends passes through here before it reaches a
query. Keys are BigIntField primary keys (and activity seqs are BIGINT): int64 on PostgreSQL and
SQLite alike, so a value over 2**63 - 1 would overflow in the driver and surface as a masked
"Unexpected error.". What is accepted is exactly what the gateway hands out: ASCII decimal digits
without sign, exponent, whitespace or leading zeros, within range. Anything else is
:class:`~trunkline.services.errors.InvalidInput` naming the argument (BAD_USER_INPUT).

A well-formed id says nothing about existence: an id that does not exist, or that belongs to
another tenant, parses fine here and is then "not found" in the service (null for a query,
NOT_FOUND or its domain's not-found error for a mutation or subscription), so ids cannot be
probed across tenants.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime, timedelta

from trunkline.activity.cursor import parse_cursor
from trunkline.services.errors import InvalidInput

MAX_KEY = 2**63 - 1  # the largest BIGINT
# At most as many digits as MAX_KEY has: bounds the work on hostile input before int() runs.
_MAX_DIGITS = len(str(MAX_KEY))
# [0-9], not \d: \d also matches other scripts' digits ("١٢"), which int() would accept.
_KEY = re.compile(rf"[1-9][0-9]{{0,{_MAX_DIGITS - 1}}}")
# The unpadded URL-safe base64 encode_cursor writes; decoding anything else is refused, since
# the standard decoder silently drops characters outside its alphabet.
_BASE64URL = re.compile(r"[A-Za-z0-9_-]{1,96}")
# Keyset cursors count microseconds since the epoch: exact, and the same on every backend.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# 0001-01-01 .. 9999-12-31, the range of a datetime, in microseconds from the epoch.
_MIN_INSTANT = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // _MICROSECOND
_MAX_INSTANT = (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC) - _EPOCH) // _MICROSECOND
_INSTANT = re.compile(r"-?(0|[1-9][0-9]{0,17})")


def parse_key(value: str, *, field: str) -> int:
    """The primary key a client's ``ID`` names: 1..2**63-1, written as the gateway writes it."""
    if not _KEY.fullmatch(value) or int(value) > MAX_KEY:
        raise InvalidInput(field, f"{field} is not a valid id.")
    return int(value)


def parse_optional_key(value: str | None, *, field: str) -> int | None:
    """:func:`parse_key` for an optional argument; None when the client sent none."""
    return None if value is None else parse_key(value, field=field)


def parse_seq(cursor: str | None, *, field: str = "after") -> int | None:
    """The activity seq a cursor names (``"0"``: before the first event); None for no cursor.

    The format is :mod:`trunkline.activity.cursor`'s; here a refused one becomes bad input.
    """
    if cursor is None:
        return None
    try:
        return parse_cursor(cursor)
    except ValueError:
        raise InvalidInput(field, f"{field} is not a cursor of this stream.") from None


def encode_cursor(kind: str, key: int) -> str:
    """An opaque list cursor: the kind of list and the key of the row it points after."""
    return _encode(f"{kind}:{key}")


def decode_cursor(kind: str, cursor: str | None, *, field: str = "after") -> int | None:
    """The key a cursor of list ``kind`` names; None for no cursor.

    Only a cursor exactly as :func:`encode_cursor` wrote it for this kind is accepted: another
    list's cursor, another spelling of the same bytes, or garbage is bad input.
    """
    if cursor is None:
        return None
    refused = InvalidInput(field, f"{field} is not a cursor this list handed out.")
    decoded = _decode(cursor)
    if decoded is None:
        raise refused
    prefix, separator, key = decoded.partition(":")
    if prefix != kind or not separator:
        raise refused
    try:
        position = parse_key(key, field=field)
    except InvalidInput:
        raise refused from None
    if encode_cursor(kind, position) != cursor:
        raise refused  # the same bytes spelled otherwise (trailing bits set)
    return position


def encode_keyset_cursor(kind: str, at: datetime, key: int) -> str:
    """An opaque cursor of a list ordered by (instant, key): it carries both, so the next page
    starts exactly after its row, however many rows share that instant."""
    return _encode(f"{kind}:{(at - _EPOCH) // _MICROSECOND}:{key}")


def decode_keyset_cursor(
    kind: str, cursor: str | None, *, field: str = "after"
) -> tuple[datetime, int] | None:
    """The (instant, key) a cursor of list ``kind`` names; None for no cursor.

    As strict as :func:`decode_cursor`: only a cursor exactly as :func:`encode_keyset_cursor`
    wrote it for this kind is accepted.
    """
    if cursor is None:
        return None
    refused = InvalidInput(field, f"{field} is not a cursor this list handed out.")
    decoded = _decode(cursor)
    if decoded is None:
        raise refused
    parts = decoded.split(":")
    if len(parts) != 3 or parts[0] != kind or not _INSTANT.fullmatch(parts[1]):
        raise refused
    microseconds = int(parts[1])
    if not _MIN_INSTANT <= microseconds <= _MAX_INSTANT:
        raise refused
    try:
        position = parse_key(parts[2], field=field)
    except InvalidInput:
        raise refused from None
    at = _EPOCH + microseconds * _MICROSECOND
    if encode_keyset_cursor(kind, at, position) != cursor:
        raise refused  # the same bytes spelled otherwise (trailing bits set)
    return at, position


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str | None:
    """What :func:`_encode` encoded as ``cursor``; None when it is not such a cursor."""
    if not _BASE64URL.fullmatch(cursor):
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
