"""Calls and recordings: the status ordering rules, and reading a call and its recordings.

Voice webhooks are stored by ``trunkline.ingestion.calls``, which applies the rules here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from trunkline.models import Call, Recording

# Twilio's order for a call. ``queued`` (a placed call as Twilio's create answers it) comes before
# ``initiated`` (its first progress event): a placed call recorded before its callbacks moves on.
CALL_STATUS_RANK: dict[str, int] = {
    "queued": 0,
    "initiated": 1,
    "ringing": 2,
    "in-progress": 3,
    "completed": 4,
    "busy": 4,
    "failed": 4,
    "no-answer": 4,
    "canceled": 4,
}
CALL_TERMINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
RECORDING_STATUS_RANK: dict[str, int] = {
    "in-progress": 0,
    "paused": 0,
    "stopped": 1,
    "processing": 1,
    "completed": 2,
    "absent": 2,
    "failed": 2,
    "deleted": 3,
}


def call_status_supersedes(
    new: str, current: str, *, sequence: int | None, last_sequence: int | None
) -> bool:
    """Whether a call callback replaces the current status.

    Twilio's ``SequenceNumber`` orders a call's callbacks when present; otherwise the status order
    does. Either way a terminal status is never left, and an unknown status is history only.
    """
    if current in CALL_TERMINAL_STATUSES or new not in CALL_STATUS_RANK:
        return False
    if sequence is not None and last_sequence is not None:
        return sequence > last_sequence
    if current not in CALL_STATUS_RANK:
        return True
    return CALL_STATUS_RANK[new] > CALL_STATUS_RANK[current]


def recording_status_supersedes(new: str, current: str) -> bool:
    """Whether a recording callback's status replaces the current one: only forwards; an
    unknown new status changes nothing, an unknown current one is left for any known one."""
    new_rank = RECORDING_STATUS_RANK.get(new)
    current_rank = RECORDING_STATUS_RANK.get(current)
    return new_rank is not None and (current_rank is None or new_rank > current_rank)


def call_history_entry(status: str, sequence: int | None, *, applied: bool) -> dict[str, Any]:
    return {
        "status": status,
        "sequence": sequence,
        "at": datetime.now(UTC).isoformat(),
        "applied": applied,
    }


async def get_call(*, tenant_id: int, call_id: int) -> Call | None:
    return await Call.get_or_none(id=call_id, tenant_id=tenant_id)


async def recordings_of_call(*, tenant_id: int, call_id: int) -> list[Recording]:
    return await Recording.filter(tenant_id=tenant_id, call_id=call_id).order_by("created_at", "id")
