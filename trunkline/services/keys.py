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

from trunkline.activity.cursor import parse_cursor
from trunkline.services.errors import InvalidInput

MAX_KEY = 2**63 - 1  # the largest BIGINT
# At most as many digits as MAX_KEY has: bounds the work on hostile input before int() runs.
_MAX_DIGITS = len(str(MAX_KEY))
# [0-9], not \d: \d also matches other scripts' digits ("١٢"), which int() would accept.
_KEY = re.compile(rf"[1-9][0-9]{{0,{_MAX_DIGITS - 1}}}")
# The unpadded URL-safe base64 encode_cursor writes; decoding anything else is refused, since
# the standard decoder silently drops characters outside its alphabet.
_BASE64URL = re.compile(r"[A-Za-z0-9_-]{1,64}")


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
    return base64.urlsafe_b64encode(f"{kind}:{key}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None, *, field: str = "after") -> int | None:
    """The key a cursor of list ``kind`` names; None for no cursor.

    Only a cursor exactly as :func:`encode_cursor` wrote it for this kind is accepted: another
    list's cursor, another spelling of the same bytes, or garbage is bad input.
    """
    if cursor is None:
        return None
    refused = InvalidInput(field, f"{field} is not a cursor this list handed out.")
    if not _BASE64URL.fullmatch(cursor):
        raise refused
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise refused from None
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


def encode_keyset_cursor(kind: str, keys: tuple[int, ...]) -> str:
    """An opaque cursor of a list ordered by several keys (a time in microseconds, then an id):
    the row's keys, so the next page starts exactly after it even if rows moved meanwhile."""
    text = ":".join((kind, *(str(key) for key in keys)))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_keyset_cursor(
    kind: str, cursor: str | None, *, size: int, field: str = "after"
) -> tuple[int, ...] | None:
    """The ``size`` keys a cursor of list ``kind`` names; None for no cursor.

    Only a cursor exactly as :func:`encode_keyset_cursor` wrote it for this kind and size is
    accepted; each key is checked as :func:`parse_key` checks an id.
    """
    if cursor is None:
        return None
    refused = InvalidInput(field, f"{field} is not a cursor this list handed out.")
    if not _BASE64URL.fullmatch(cursor):
        raise refused
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise refused from None
    prefix, *parts = decoded.split(":")
    if prefix != kind or len(parts) != size:
        raise refused
    try:
        keys = tuple(parse_key(part, field=field) for part in parts)
    except InvalidInput:
        raise refused from None
    if encode_keyset_cursor(kind, keys) != cursor:
        raise refused  # the same bytes spelled otherwise (trailing bits set)
    return keys
