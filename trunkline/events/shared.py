"""One bus message as every local subscriber of its channel sees it: parsed once per process.

The listener wraps each message once; every subscriber's queue holds the same object. What the
subscribers derive from it (the parsed message, the GraphQL object built from it, each distinct
rendered result) is kept on it, so a thousand identical subscribers cost one derivation. The
wrapper lives only while some queue or subscriber still holds it.

The transport does not know what a channel carries: the layer that does passes its parser to
:meth:`SharedMessage.parsed`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

T = TypeVar("T")
Parse = Callable[[dict[str, Any]], Any]


class SharedMessage:
    """A bus message (``data``), what it was parsed into on first use, and a memo."""

    __slots__ = ("_parse", "_parsed", "data", "memo")

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._parse: Parse | None = None
        self._parsed: Any = None
        # Keys are namespaced by their user (a tuple whose first item says what it is).
        self.memo: dict[Hashable, Any] = {}

    @classmethod
    def already_parsed(
        cls, data: dict[str, Any], parse: Callable[[dict[str, Any]], T], value: T
    ) -> SharedMessage:
        """A message whose ``parse`` is known already (read from elsewhere than the bus)."""
        message = cls(data)
        message._parse, message._parsed = parse, value
        return message

    def parsed(self, parse: Callable[[dict[str, Any]], T]) -> T:
        """``data`` as ``parse`` reads it: parsed by the first subscriber that asks, kept for
        the others. ``parse``'s exceptions propagate (and nothing is kept)."""
        if self._parse is not parse:
            self._parsed = parse(self.data)
            self._parse = parse
        return cast(T, self._parsed)

    def __repr__(self) -> str:
        return f"SharedMessage({self.data!r})"
