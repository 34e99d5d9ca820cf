"""Relay-style connections: ``{edges {cursor node} pageInfo {hasNextPage endCursor}}``."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

from trunkline.services.errors import InvalidInput

NodeType = TypeVar("NodeType")

DEFAULT_PAGE_SIZE = 20


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeType]):
    cursor: str
    node: NodeType


@strawberry.type
class Connection(Generic[NodeType]):
    edges: list[Edge[NodeType]]
    page_info: PageInfo


def page_size(first: int | None, *, maximum: int) -> int:
    """``first`` checked against the cap: 1..maximum, DEFAULT_PAGE_SIZE when absent."""
    if first is None:
        return min(DEFAULT_PAGE_SIZE, maximum)
    if first < 1 or first > maximum:
        raise InvalidInput("first", f"first must be between 1 and {maximum}.")
    return first
