"""Status callbacks of messages (usually ones Trunkline sent), applied a run at a time.

The status order is the domain's (``services.messages.status_supersedes``); how a run of
callbacks is read and written is ``status_callbacks``'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Self

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.activity import ActivityDraft, ActivityKind, MessageSnapshot
from trunkline.ingestion.kind import Idempotent
from trunkline.ingestion.rows import RowWriter
from trunkline.ingestion.statements import threads_of_inserted_postgres
from trunkline.ingestion.status_callbacks import apply_status_callbacks
from trunkline.ingestion.tables import MESSAGES
from trunkline.ingestion.threads import ThreadedMessage, roll_up
from trunkline.models import WHATSAPP_PREFIX, Channel, Direction, Message, PhoneNumber
from trunkline.services.messages import history_entry, status_supersedes

# On PostgreSQL its INSERT (of messages first known from a callback) counts them in threads too.
ROWS = RowWriter(
    MESSAGES,
    updated=("status", "status_history", "error_code"),
    then_postgres=threads_of_inserted_postgres,
)


@dataclass(frozen=True)
class MessageStatusUpdate:
    """A status callback of a message, as Twilio describes it."""

    sid: str
    status: str
    from_address: str
    to_address: str
    error_code: int | None = None


@dataclass(frozen=True, kw_only=True)
class MessageStatusIngestion(Idempotent):
    """A status callback: recorded in history always, applied only when it moves forward."""

    number: PhoneNumber | None
    update: MessageStatusUpdate

    kind: ClassVar[ActivityKind] = ActivityKind.MESSAGE_STATUS

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        return await apply_status_callbacks(
            items, connection, ROWS, MessageSnapshot.of, created_rows=_count_in_threads
        )

    @property
    def sid(self) -> str:
        return self.update.sid

    def new_row(self, now: datetime) -> Message:
        update = self.update
        channel = Channel.WHATSAPP if update.to_address.startswith(WHATSAPP_PREFIX) else Channel.SMS
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


async def _count_in_threads(
    rows: Sequence[Message], now: datetime, connection: BaseDBAsyncClient
) -> None:
    """A message first known from its status callback (sent outside Trunkline) joins its thread."""
    if ROWS.follows_up(connection):
        return  # the INSERT counted it
    await roll_up((ThreadedMessage.of(row) for row in rows), now, connection)
