"""One bus message as every local subscriber of its channel sees it: parsed once per process.

The listener wraps each message once; every subscriber's queue holds the same object. What the
subscribers derive from it (the notice, the GraphQL object built from the notice, each distinct
rendered result) is kept in ``memo``, so a thousand identical subscribers cost one derivation.
The wrapper lives only while some queue or subscriber still holds it.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from trunkline.services.activity import ActivityNotice


class SharedNotice:
    """A bus message (``data``), its :class:`ActivityNotice` parsed on first use, and a memo."""

    __slots__ = ("_notice", "data", "memo")

    def __init__(self, data: dict[str, Any], notice: ActivityNotice | None = None) -> None:
        self.data = data
        self._notice = notice
        # Keys are namespaced by their user (a tuple whose first item says what it is).
        self.memo: dict[Hashable, Any] = {}

    @classmethod
    def of(cls, notice: ActivityNotice) -> SharedNotice:
        """A notice read from the log (a backfill): nothing to parse, nobody to share with."""
        return cls(notice.to_wire(), notice)

    @property
    def notice(self) -> ActivityNotice:
        """Raises ``KeyError``/``ValueError``/``TypeError`` when ``data`` is not a notice."""
        notice = self._notice
        if notice is None:
            notice = self._notice = ActivityNotice.from_wire(self.data)
        return notice

    def __repr__(self) -> str:
        return f"SharedNotice({self.data!r})"
