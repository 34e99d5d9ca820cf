"""Calls and recordings: ingesting voice webhooks, and the call status ordering rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from trunkline.activity import ActivityDraft, ActivityKind, CallSnapshot, RecordingSnapshot
from trunkline.models import Call, Direction, PhoneNumber, Recording
from trunkline.services.ingestion import Ingestion
from trunkline.services.rows import Column, RowWriter
from trunkline.services.status_callbacks import StatusCallbackIngestion

CALL_STATUS_RANK: dict[str, int] = {
    "queued": 0,
    "initiated": 0,
    "ringing": 1,
    "in-progress": 2,
    "completed": 3,
    "busy": 3,
    "failed": 3,
    "no-answer": 3,
    "canceled": 3,
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


@dataclass(frozen=True)
class CallUpdate:
    """A voice webhook about a call: the inbound ring, or a status callback."""

    sid: str
    status: str
    from_address: str
    to_address: str
    direction: Direction
    sequence: int | None = None
    duration: int | None = None


@dataclass(frozen=True)
class RecordingUpdate:
    sid: str
    call_sid: str
    status: str
    duration: int | None = None
    channels: int | None = None
    media_url: str | None = None


def _history_entry(status: str, sequence: int | None, *, applied: bool) -> dict[str, Any]:
    return {
        "status": status,
        "sequence": sequence,
        "at": datetime.now(UTC).isoformat(),
        "applied": applied,
    }


@dataclass(frozen=True, kw_only=True)
class CallIngestion(StatusCallbackIngestion):
    """An incoming call (``inbound``: announced as received) or a call status callback."""

    model: ClassVar[type[Model]] = Call
    rows: ClassVar[RowWriter] = RowWriter(
        "call",
        inserted=[
            Column("tenant_id", "bigint"),
            Column("sid", "text"),
            Column("direction", "text"),
            Column("from_address", "text"),
            Column("to_address", "text"),
            Column("status", "text"),
            Column("status_history", "jsonb"),
            Column("last_sequence", "int"),
            Column("duration", "int"),
            Column("number_id", "bigint"),
        ],
        updated=[
            Column("status", "text"),
            Column("status_history", "jsonb"),
            Column("last_sequence", "int"),
            Column("duration", "int"),
        ],
    )

    number: PhoneNumber | None
    update: CallUpdate
    inbound: bool = False

    @property
    def sid(self) -> str:
        return self.update.sid

    def new_row(self, now: datetime) -> Call:
        update = self.update
        return Call(
            tenant_id=self.tenant_id,
            sid=update.sid,
            direction=update.direction,
            from_address=update.from_address,
            to_address=update.to_address,
            status=update.status,
            status_history=[_history_entry(update.status, update.sequence, applied=True)],
            last_sequence=update.sequence,
            duration=update.duration,
            number_id=self.number.id if self.number else None,
            created_at=now,
        )

    def update_row(self, row: Call) -> bool:
        update = self.update
        applied = call_status_supersedes(
            update.status, row.status, sequence=update.sequence, last_sequence=row.last_sequence
        )
        row.status_history = [
            *(row.status_history or []),
            _history_entry(update.status, update.sequence, applied=applied),
        ]
        if applied:
            row.status = update.status
            if update.sequence is not None:
                row.last_sequence = update.sequence
            if update.duration is not None:
                row.duration = update.duration
        return applied

    @property
    def kind(self) -> ActivityKind:
        return ActivityKind.CALL_RECEIVED if self.inbound else ActivityKind.CALL_STATUS

    @staticmethod
    def snapshot(row: Call) -> CallSnapshot:
        return CallSnapshot.of(row)

    @staticmethod
    def inserted_values(row: Call) -> tuple[Any, ...]:
        return (
            row.tenant_id,  # type: ignore[attr-defined]
            row.sid,
            row.direction.value,
            row.from_address,
            row.to_address,
            row.status,
            json.dumps(row.status_history),
            row.last_sequence,
            row.duration,
            row.number_id,  # type: ignore[attr-defined]
        )

    @staticmethod
    def updated_values(row: Call) -> tuple[Any, ...]:
        return (row.status, json.dumps(row.status_history), row.last_sequence, row.duration)


@dataclass(frozen=True, kw_only=True)
class RecordingIngestion(Ingestion):
    """A recording-status callback; ``completed`` announces RECORDING_READY."""

    update: RecordingUpdate

    async def apply(self, connection: BaseDBAsyncClient) -> list[ActivityDraft]:
        update = self.update
        tenant_id = self.tenant_id
        call = (
            await Call.filter(sid=update.call_sid, tenant_id=tenant_id).using_db(connection).first()
        )
        if call is None:
            # The recording's call was never announced to us: keep the recording anyway.
            call = await Call.create(
                tenant_id=tenant_id,
                sid=update.call_sid,
                direction=Direction.OUTBOUND,
                from_address="",
                to_address="",
                status="unknown",
                using_db=connection,
            )
        row = (
            await Recording.filter(sid=update.sid, tenant_id=tenant_id)
            .using_db(connection)
            .select_for_update()
            .first()
        )
        if row is None:
            row = await Recording.create(
                tenant_id=tenant_id,
                call_id=call.id,
                sid=update.sid,
                status=update.status,
                duration=update.duration,
                channels=update.channels or 1,
                media_url=update.media_url,
                using_db=connection,
            )
        else:
            current = RECORDING_STATUS_RANK.get(row.status)
            new = RECORDING_STATUS_RANK.get(update.status)
            if new is None or (current is not None and new <= current):
                return []
            row.status = update.status
            row.duration = update.duration if update.duration is not None else row.duration
            row.media_url = update.media_url or row.media_url
            await row.save(
                update_fields=["status", "duration", "media_url", "updated_at"], using_db=connection
            )
        kind = (
            ActivityKind.RECORDING_READY
            if update.status == "completed"
            else ActivityKind.RECORDING_STATUS
        )
        return [
            ActivityDraft(
                tenant_id=tenant_id,
                kind=kind,
                entity_id=row.id,
                number_id=call.number_id,  # type: ignore[attr-defined]
                snapshot=RecordingSnapshot.of(row),
            )
        ]


async def get_call(*, tenant_id: int, call_id: int) -> Call | None:
    return await Call.get_or_none(id=call_id, tenant_id=tenant_id)


async def recordings_of_call(*, tenant_id: int, call_id: int) -> list[Recording]:
    return await Recording.filter(tenant_id=tenant_id, call_id=call_id).order_by("created_at", "id")
