"""The activity cursor: an event's tenant-scoped ``seq``, shown to clients in decimal.

Written and read back here only; the client's ``after`` argument reaches :func:`parse_cursor`
through :func:`trunkline.services.keys.parse_seq`, which answers a refused one as bad input
naming the argument.
"""

from __future__ import annotations

import re

MAX_SEQ = 2**63 - 1  # activity_event.seq is a BIGINT
# What format_seq writes: ASCII decimal digits ([0-9], not \d, which also matches other scripts'
# digits that int() accepts), no sign or leading zero, at most as many digits as MAX_SEQ has
# (bounding the work on hostile input before int() runs). "0" is before the first event.
_CURSOR = re.compile(rf"0|[1-9][0-9]{{0,{len(str(MAX_SEQ)) - 1}}}")


def format_seq(seq: int) -> str:
    """An activity event's cursor."""
    return str(seq)


def parse_cursor(cursor: str) -> int:
    """The seq a cursor names. Raises ``ValueError`` unless ``format_seq`` could have written it."""
    if not _CURSOR.fullmatch(cursor) or int(cursor) > MAX_SEQ:
        raise ValueError("not an activity cursor")
    return int(cursor)
