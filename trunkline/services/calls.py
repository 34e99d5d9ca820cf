"""Calls and recordings: the status ordering rules, a call's start and end, reading a call.

Voice webhooks are stored by ``trunkline.ingestion.calls``, which applies the rules here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from trunkline.models import Call

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


def call_times(
    *,
    status: str,
    timestamp: datetime | None,
    start_time: datetime | None,
    end_time: datetime | None,
    duration: int | None,
    started_at: datetime | None,
    ended_at: datetime | None,
) -> tuple[datetime | None, datetime | None]:
    """A call's ``(started_at, ended_at)`` once a status callback is known.

    Twilio's status callbacks carry no start or end, only ``Timestamp`` (when the callback was
    sent) and, once final, ``CallDuration`` (seconds talked). So: the ``Timestamp`` of
    ``in-progress`` (answered) is the start; that of a final status is the end; a final status
    whose call has no start yet (``in-progress`` not asked for, or not come) starts
    ``CallDuration`` seconds before its end, when that is over zero (a call never answered has no
    start). ``StartTime``/``EndTime``, when a callback carries them, win over all of that. A start
    already known moves only earlier (a late ``in-progress`` after a derived start), an end is
    kept once known (a final status comes once). Without a ``Timestamp`` nothing is guessed.
    """
    start = start_time or (timestamp if status == "in-progress" else None)
    end = end_time or (timestamp if status in CALL_TERMINAL_STATUSES else None)
    if end_time is not None or ended_at is None:
        ended_at = end or ended_at
    if start_time is not None:
        started_at = start_time
    elif start is not None:
        started_at = start if started_at is None else min(started_at, start)
    elif started_at is None and ended_at is not None and duration:
        started_at = ended_at - timedelta(seconds=duration)
    return started_at, ended_at


def call_history_entry(status: str, sequence: int | None, *, applied: bool) -> dict[str, Any]:
    return {
        "status": status,
        "sequence": sequence,
        "at": datetime.now(UTC).isoformat(),
        "applied": applied,
    }


async def get_call(*, tenant_id: int, call_id: int) -> Call | None:
    return await Call.get_or_none(id=call_id, tenant_id=tenant_id)
