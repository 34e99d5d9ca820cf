"""Messages: status callbacks and the status ordering rules (inbound ones: ``inbound_messages``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

from trunkline.activity import (
    ActivityDraft,
    ActivityKind,
    ConversationEventSnapshot,
    MessageSnapshot,
)
from trunkline.models import Channel, Direction, Message, PhoneNumber
from trunkline.services.ingestion import Ingestion
from trunkline.services.rows import Column, RowWriter
from trunkline.services.status_callbacks import StatusCallbackIngestion

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


# A message row as the set-based writers insert it (``RowWriter``): inbound messages and the
# messages status callbacks create.
MESSAGE_COLUMNS = (
    Column("tenant_id", "bigint"),
    Column("sid", "text"),
    Column("channel", "text"),
    Column("direction", "text"),
    Column("from_address", "text"),
    Column("to_address", "text"),
    Column("counterpart", "text"),
    Column("body", "text"),
    Column("media", "jsonb"),
    Column("status", "text"),
    Column("status_history", "jsonb"),
    Column("error_code", "int"),
    Column("num_segments", "int"),
    Column("number_id", "bigint"),
)


@dataclass(frozen=True)
class MessageStatusUpdate:
    """A status callback of a message (usually one Trunkline sent)."""

    sid: str
    status: str
    from_address: str
    to_address: str
    error_code: int | None = None


def history_entry(status: str, *, applied: bool) -> dict[str, Any]:
    return {"status": status, "at": datetime.now(UTC).isoformat(), "applied": applied}


@dataclass(frozen=True, kw_only=True)
class MessageStatusIngestion(StatusCallbackIngestion):
    """A status callback: recorded in history always, applied only when it moves forward."""

    model: ClassVar[type[Model]] = Message
    rows: ClassVar[RowWriter] = RowWriter(
        "message",
        inserted=MESSAGE_COLUMNS,
        updated=[
            Column("status", "text"),
            Column("status_history", "jsonb"),
            Column("error_code", "int"),
        ],
    )

    number: PhoneNumber | None
    update: MessageStatusUpdate

    @property
    def sid(self) -> str:
        return self.update.sid

    def new_row(self, now: datetime) -> Message:
        update = self.update
        channel = Channel.WHATSAPP if update.to_address.startswith("whatsapp:") else Channel.SMS
        return Message(
            tenant_id=self.tenant_id,
            sid=update.sid,
            channel=channel,
            direction=Direction.OUTBOUND,
            from_address=update.from_address,
            to_address=update.to_address,
            counterpart=update.to_address,
            body="",
            media=[],
            status=update.status,
            status_history=[history_entry(update.status, applied=True)],
            error_code=update.error_code,
            number_id=self.number.id if self.number else None,
            created_at=now,
        )

    def update_row(self, row: Message) -> bool:
        update = self.update
        applied = status_supersedes(update.status, row.status)
        row.status_history = [
            *(row.status_history or []),
            history_entry(update.status, applied=applied),
        ]
        if applied:
            row.status = update.status
            if update.error_code is not None:
                row.error_code = update.error_code
        return applied

    @property
    def kind(self) -> ActivityKind:
        return ActivityKind.MESSAGE_STATUS

    @staticmethod
    def snapshot(row: Message) -> MessageSnapshot:
        return MessageSnapshot.of(row)

    @staticmethod
    def inserted_values(row: Message) -> tuple[Any, ...]:
        return (
            row.tenant_id,  # type: ignore[attr-defined]
            row.sid,
            row.channel.value,
            row.direction.value,
            row.from_address,
            row.to_address,
            row.counterpart,
            row.body,
            json.dumps(row.media),
            row.status,
            json.dumps(row.status_history),
            row.error_code,
            row.num_segments,
            row.number_id,  # type: ignore[attr-defined]
        )

    @staticmethod
    def updated_values(row: Message) -> tuple[Any, ...]:
        return (row.status, json.dumps(row.status_history), row.error_code)


async def get_message(*, tenant_id: int, message_id: int) -> Message | None:
    return await Message.get_or_none(id=message_id, tenant_id=tenant_id)


@dataclass(frozen=True, kw_only=True)
class ConversationEventIngestion(Ingestion):
    """A Conversations post-event webhook: kept in the activity log (no entity of ours yet)."""

    event: dict[str, str]

    async def apply(self, connection: BaseDBAsyncClient) -> list[ActivityDraft]:
        return [
            ActivityDraft(
                tenant_id=self.tenant_id,
                kind=ActivityKind.CONVERSATION_EVENT,
                entity_id=0,
                number_id=None,
                snapshot=ConversationEventSnapshot(self.event),
            )
        ]
