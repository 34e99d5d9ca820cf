"""Relay-style connections: ``{edges {cursor node} pageInfo {...} totalCount}``.

Paging is forward only (``first``/``after``): ``hasPreviousPage`` says whether the page was asked
for after a cursor, which the Relay specification allows when paging forward (rows before the
cursor existed when it was handed out).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from trunkline.services.errors import InvalidInput
from trunkline.services.pages import Page

NodeType = TypeVar("NodeType")
Row = TypeVar("Row")

DEFAULT_PAGE_SIZE = 20


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeType]):
    cursor: str
    node: NodeType


@strawberry.type
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many match, across all pages (counted only when asked).")
    async def total_count(self) -> int:
        return await self.count()


def connection(
    page: Page[Row],
    *,
    after: str | None,
    cursor: Callable[[Row], str],
    node: Callable[[Row], NodeType],
) -> Connection[NodeType]:
    """The connection of ``page``: each row's ``cursor`` and ``node``."""
    edges = [Edge(cursor=cursor(row), node=node(row)) for row in page.rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_more,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=page.count,
    )


def page_size(first: int | None, *, maximum: int) -> int:
    """``first`` checked against the cap: 1..maximum, DEFAULT_PAGE_SIZE when absent."""
    if first is None:
        return min(DEFAULT_PAGE_SIZE, maximum)
    if first < 1 or first > maximum:
        raise InvalidInput("first", f"first must be between 1 and {maximum}.")
    return first
