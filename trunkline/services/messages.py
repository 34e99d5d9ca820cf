"""Messages: the status ordering rules, and reading a message.

Webhooks about messages are stored by ``trunkline.ingestion`` (``inbound_messages``,
``message_status``), which applies the rules here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from trunkline.models import Message

# Twilio's message statuses in the order they happen. ``delivered``, ``undelivered`` and
# ``failed`` are alternatives at one rank; ``read`` (WhatsApp) comes after ``delivered``.
STATUS_RANK: dict[str, int] = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "receiving": 2,
    "sent": 3,
    "received": 5,
    "delivered": 5,
    "partially_delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "canceled": 5,
    "read": 6,
}
TERMINAL_STATUSES = frozenset({"received", "undelivered", "failed", "canceled", "read"})


def status_supersedes(new: str, current: str) -> bool:
    """Whether ``new`` replaces ``current``: never backwards, never out of a terminal state.

    An unknown status is kept in the history only: its place in the order is not known.
    """
    if current in TERMINAL_STATUSES or new not in STATUS_RANK:
        return False
    if current not in STATUS_RANK:
        return True
    return STATUS_RANK[new] > STATUS_RANK[current]


def history_entry(status: str, *, applied: bool, at: datetime | None = None) -> dict[str, Any]:
    """A status history entry, stamped ``at`` (default: now)."""
    return {"status": status, "at": (at or datetime.now(UTC)).isoformat(), "applied": applied}


async def get_message(*, tenant_id: int, message_id: int) -> Message | None:
    return await Message.get_or_none(id=message_id, tenant_id=tenant_id)
