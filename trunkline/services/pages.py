"""A page of a list query: its rows, whether more follow, and the count of all that match.

Also what every history list (messages, calls, recordings) shares: newest first by
``(created_at, id)`` from a keyset cursor, and the ``since``/``until`` window of its filter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from trunkline.services.errors import InvalidInput

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    """``count`` runs only when called: a client that asks for no ``totalCount`` pays no COUNT."""

    rows: list[Row]
    has_more: bool
    count: Callable[[], Awaitable[int]]


async def page_of(query: QuerySet[Row], *, after: QuerySet[Row], limit: int) -> Page[Row]:
    """``limit`` rows of ``after`` (``query`` narrowed to the rows past the cursor, ordered), one
    more to learn whether more follow; ``query`` (before the cursor) is what ``count`` counts."""
    rows = await after.limit(limit + 1)
    return Page(rows=rows[:limit], has_more=len(rows) > limit, count=query.count)


def newest_after(query: QuerySet[Row], after: tuple[datetime, int] | None) -> QuerySet[Row]:
    """``query``'s rows newest first (by ``created_at``, then ``id``), from the one after
    ``after`` (a row's ``(created_at, id)``; None: from the newest)."""
    if after is not None:
        at, key = after
        # `created_at <= at` bounds the index range; the OR only skips the rows of that instant
        # at or above the cursor's id.
        query = query.filter(created_at__lte=at).filter(Q(created_at__lt=at) | Q(id__lt=key))
    return query.order_by("-created_at", "-id")


def created_within(
    query: QuerySet[Row], *, since: datetime | None, until: datetime | None
) -> QuerySet[Row]:
    """``query`` narrowed to rows created at or after ``since`` and before ``until`` (inclusive,
    exclusive: consecutive windows neither overlap nor leave a gap).

    Raises:
        InvalidInput: a bound without a time zone, or ``until`` not after ``since``.
    """
    since = _instant(since, field="filter.since")
    until = _instant(until, field="filter.until")
    if since is not None and until is not None and since >= until:
        raise InvalidInput("filter.until", "filter.until must be later than filter.since.")
    if since is not None:
        query = query.filter(created_at__gte=since)
    if until is not None:
        query = query.filter(created_at__lt=until)
    return query


def _instant(value: datetime | None, *, field: str) -> datetime | None:
    """``value`` if it says its offset: a time without one names no instant."""
    if value is not None and value.utcoffset() is None:
        raise InvalidInput(field, f"{field} must carry a time zone offset, like 'Z' or '+02:00'.")
    return value
