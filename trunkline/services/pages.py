"""A page of a list query: its rows, whether more follow, and the count of all that match."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from tortoise.queryset import QuerySet

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
