"""Relay-style connections: ``{edges {cursor node} pageInfo {hasNextPage endCursor}}``."""

from __future__ import annotations

import base64
import binascii
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


def encode_cursor(kind: str, value: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None, *, field: str = "after") -> int | None:
    """The position an opaque cursor names; a cursor of another kind or garbage is bad input."""
    if cursor is None:
        return None
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = decoded.partition(":")
        if prefix != kind:
            raise ValueError(prefix)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput(field, "The cursor is not one this list handed out.") from exc


def page_size(first: int | None, *, maximum: int) -> int:
    """``first`` checked against the cap: 1..maximum, DEFAULT_PAGE_SIZE when absent."""
    if first is None:
        return min(DEFAULT_PAGE_SIZE, maximum)
    if first < 1 or first > maximum:
        raise InvalidInput("first", f"first must be between 1 and {maximum}.")
    return first
