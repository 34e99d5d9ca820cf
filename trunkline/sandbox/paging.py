"""Twilio's paging: ``PageSize``, ``Page`` and ``PageToken`` in, list envelopes out.

A page token names the record a page starts after (``PA<sid>``) or ends before (``PB<sid>``),
so paging stays stable while new records arrive at the head of the list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlencode

from trunkline.sandbox.errors import bad_request

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


class HasSid(Protocol):
    sid: str


Record = TypeVar("Record", bound=HasSid)


@dataclass(frozen=True)
class PageRequest:
    size: int
    index: int
    token: str | None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> PageRequest:
        """Read ``PageSize``, ``Page``, ``PageToken``; a malformed number is Twilio's 20001."""
        try:
            size = int(query.get("PageSize", DEFAULT_PAGE_SIZE))
            index = int(query.get("Page", 0))
        except ValueError:
            raise bad_request(20001, "Invalid Page or PageSize: expected an integer") from None
        if not 1 <= size <= MAX_PAGE_SIZE or index < 0:
            raise bad_request(20001, f"PageSize must be between 1 and {MAX_PAGE_SIZE}")
        return cls(size=size, index=index, token=query.get("PageToken"))


@dataclass(frozen=True)
class Page(Generic[Record]):
    records: Sequence[Record]
    start: int
    has_next: bool


def select(records: Sequence[Record], request: PageRequest) -> Page[Record]:
    """The slice of ``records`` (already in list order) that ``request`` asks for."""
    start = request.index * request.size
    if request.token and len(request.token) > 2:
        position = next((i for i, r in enumerate(records) if r.sid == request.token[2:]), None)
        if position is not None and request.token.startswith("PA"):
            start = position + 1
        elif position is not None and request.token.startswith("PB"):
            start = max(position - request.size, 0)
    chosen = records[start : start + request.size]
    return Page(chosen, start, start + request.size < len(records))


def envelope_2010(
    page: Page[Record],
    request: PageRequest,
    *,
    key: str,
    uri: str,
    filters: Sequence[tuple[str, str]],
    render: Callable[[Record], Any],
) -> dict[str, Any]:
    """The 2010 API's list body: records under ``key`` plus relative paging URIs."""

    def page_uri(index: int, token: str | None = None) -> str:
        params = [*filters, ("PageSize", str(request.size)), ("Page", str(index))]
        if token:
            params.append(("PageToken", token))
        return f"{uri}?{urlencode(params)}"

    records = page.records
    index = request.index
    return {
        key: [render(record) for record in records],
        "end": page.start + max(len(records) - 1, 0),
        "first_page_uri": page_uri(0),
        "next_page_uri": page_uri(index + 1, f"PA{records[-1].sid}") if page.has_next else None,
        "page": index,
        "page_size": request.size,
        "previous_page_uri": (
            page_uri(index - 1, f"PB{records[0].sid}") if index > 0 and records else None
        ),
        "start": page.start,
        "uri": page_uri(index, request.token),
    }


def envelope_v1(
    page: Page[Record],
    request: PageRequest,
    *,
    key: str,
    url: str,
    render: Callable[[Record], Any],
) -> dict[str, Any]:
    """The v1 APIs' list body: records under ``key`` plus a ``meta`` block of absolute URLs."""

    def page_url(index: int, token: str | None = None) -> str:
        params = [("PageSize", str(request.size)), ("Page", str(index))]
        if token:
            params.append(("PageToken", token))
        return f"{url}?{urlencode(params)}"

    records = page.records
    index = request.index
    return {
        key: [render(record) for record in records],
        "meta": {
            "page": index,
            "page_size": request.size,
            "first_page_url": page_url(0),
            "previous_page_url": (
                page_url(index - 1, f"PB{records[0].sid}") if index > 0 and records else None
            ),
            "url": page_url(index, request.token),
            "next_page_url": page_url(index + 1, f"PA{records[-1].sid}") if page.has_next else None,
            "key": key,
        },
    }
