"""Voice webhooks: the inbound ring and call status callbacks (a run at a time), recordings.

The status orders are the domain's (``services.calls``); how a run of call callbacks is read
and written is ``status_callbacks``'. What a callback tells beside its status (price, start and
end) is kept whether or not its status is applied: a late ``in-progress`` still says when the
call started (:func:`trunkline.services.calls.call_times`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Self

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.activity import ActivityDraft, ActivityKind, CallSnapshot, RecordingSnapshot
from trunkline.ingestion.kind import Idempotent
from trunkline.ingestion.rows import RowWriter
from trunkline.ingestion.status_callbacks import apply_status_callbacks
from trunkline.ingestion.tables import CALLS
from trunkline.models import Call, Direction, PhoneNumber, Recording
from trunkline.services.calls import (
    call_history_entry,
    call_status_supersedes,
    call_times,
    recording_status_supersedes,
)

ROWS = RowWriter(
    CALLS,
    updated=(
        "status",
        "status_history",
        "last_sequence",
        "duration",
        "price",
        "price_unit",
        "started_at",
        "ended_at",
    ),
)


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
    # Set only when the gateway decides them (a browser call: who placed it, why it was refused);
    # written when the call's row is created, never by a later callback.
    user_id: str | None = None
    refusal: str | None = None
    # Final statuses only; as Twilio writes it (negative, a charge).
    price: Decimal | None = None
    price_unit: str | None = None
    # When Twilio sent the callback (``Timestamp``), and the call's own times if it says them.
    timestamp: datetime | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None

    def apply_facts(self, row: Call) -> None:
        """Keep on ``row`` what this callback tells of the call beside its status."""
        if self.price is not None:
            row.price = self.price
            row.price_unit = self.price_unit or row.price_unit
        row.started_at, row.ended_at = call_times(
            status=self.status,
            timestamp=self.timestamp,
            start_time=self.start_time,
            end_time=self.end_time,
            duration=self.duration if self.duration is not None else row.duration,
            started_at=row.started_at,
            ended_at=row.ended_at,
        )


@dataclass(frozen=True)
class RecordingUpdate:
    sid: str
    call_sid: str
    status: str
    duration: int | None = None
    channels: int | None = None
    media_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class CallIngestion(Idempotent):
    """An incoming call (``inbound``: announced as received) or a call status callback."""

    number: PhoneNumber | None
    update: CallUpdate
    inbound: bool = False

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        return await apply_status_callbacks(items, connection, ROWS, CallSnapshot.of)

    @property
    def sid(self) -> str:
        return self.update.sid

    @property
    def kind(self) -> ActivityKind:
        return ActivityKind.CALL_RECEIVED if self.inbound else ActivityKind.CALL_STATUS

    def new_row(self, now: datetime) -> Call:
        update = self.update
        row = Call(
            tenant_id=self.tenant_id,
            sid=update.sid,
            direction=update.direction,
            from_address=update.from_address,
            to_address=update.to_address,
            status=update.status,
            status_history=[call_history_entry(update.status, update.sequence, applied=True)],
            last_sequence=update.sequence,
            duration=update.duration,
            number_id=self.number.id if self.number else None,
            user_id=update.user_id,
            refusal=update.refusal,
            created_at=now,
        )
        update.apply_facts(row)
        return row

    def update_row(self, row: Call) -> bool:
        update = self.update
        update.apply_facts(row)
        applied = call_status_supersedes(
            update.status, row.status, sequence=update.sequence, last_sequence=row.last_sequence
        )
        row.status_history = [
            *(row.status_history or []),
            call_history_entry(update.status, update.sequence, applied=applied),
        ]
        if applied:
            row.status = update.status
            if update.sequence is not None:
                row.last_sequence = update.sequence
            if update.duration is not None:
                row.duration = update.duration
        return applied


@dataclass(frozen=True, kw_only=True)
class CallAnsweredIngestion(Idempotent):
    """Who took a call: a ``<Dial>`` of the gateway's TwiML reported its party answered.

    Announced as CALL_STATUS (the call changed); a call the gateway never stored (its voice
    webhook was lost) is left alone: there is no row to say who answered.
    """

    call_sid: str
    answered_by: str

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        # Once per answered call: rare enough to go one by one, through the ORM.
        return [await item._store(connection) for item in items]

    async def _store(self, connection: BaseDBAsyncClient) -> list[ActivityDraft]:
        row = (
            await Call.filter(sid=self.call_sid, tenant_id=self.tenant_id)
            .using_db(connection)
            .select_for_update()
            .first()
        )
        if row is None or row.answered_by == self.answered_by:
            return []
        row.answered_by = self.answered_by
        await row.save(update_fields=["answered_by", "updated_at"], using_db=connection)
        return [
            ActivityDraft(
                tenant_id=self.tenant_id,
                kind=ActivityKind.CALL_STATUS,
                entity_id=row.id,
                number_id=row.number_id,  # type: ignore[attr-defined]
                snapshot=CallSnapshot.of(row),
            )
        ]


@dataclass(frozen=True, kw_only=True)
class RecordingIngestion(Idempotent):
    """A recording-status callback (``completed`` announces RECORDING_READY), or the gateway's
    own deletion of a recording (``deleteRecording``: status ``deleted``, RECORDING_STATUS)."""

    update: RecordingUpdate

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        # Rare enough to go one by one, through the ORM.
        return [await item._store(connection) for item in items]

    async def _store(self, connection: BaseDBAsyncClient) -> list[ActivityDraft]:
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
                # The call's, copied: ``recordings(filter: {numberId})`` reads its own index.
                number_id=call.number_id,  # type: ignore[attr-defined]
                sid=update.sid,
                status=update.status,
                duration=update.duration,
                channels=update.channels or 1,
                media_url=update.media_url,
                using_db=connection,
            )
        else:
            if not recording_status_supersedes(update.status, row.status):
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
                snapshot=RecordingSnapshot.of(row, placed_by=call.user_id),
            )
        ]
