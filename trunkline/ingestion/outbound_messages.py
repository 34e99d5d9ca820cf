"""Messages the gateway sent (``sendMessage``, ``sendTestSms``), recorded and announced as sent.

Twilio accepted the message before it is recorded here, so its status callbacks may already have
arrived: ``message_status`` then created the row from what a callback knows (addresses, status).
This adapter merges into that row what only the sender knows (body, media, sender, template,
number, channel) and never moves its status backwards; either way the message is announced once
as ``MESSAGE_SENT`` (its receipt is the sid's own, so a retry records nothing twice). The client's
idempotency claim, if any, learns its message in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Self

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.activity import ActivityDraft, ActivityKind, MessageSnapshot
from trunkline.ingestion.kind import Idempotent
from trunkline.ingestion.rows import RowWriter
from trunkline.ingestion.statements import threads_of_inserted_postgres
from trunkline.ingestion.tables import OUTBOUND_MESSAGES
from trunkline.ingestion.threads import ThreadedMessage, roll_up
from trunkline.models import Direction, IdempotentRequest, Message
from trunkline.services.messages import history_entry, status_supersedes
from trunkline.services.sending import SentMessage

# What a merge writes into a row a status callback created (its status only if it moves forward).
ROWS = RowWriter(
    OUTBOUND_MESSAGES,
    updated=(
        "channel",
        "body",
        "media",
        "num_segments",
        "number_id",
        "user_id",
        "content_sid",
        "status",
        "status_history",
    ),
    # On PostgreSQL its INSERT counts the messages into their threads too.
    then_postgres=threads_of_inserted_postgres,
)


@dataclass(frozen=True, kw_only=True)
class OutboundMessageIngestion(Idempotent):
    """Record a sent message (inserted, or merged into the row its callbacks created)."""

    message: SentMessage
    # The idempotency claim (``IdempotentRequest.id``) this send answers, if the client sent a key.
    claim_id: int | None = None

    @classmethod
    def of(
        cls, *, tenant_id: int, message: SentMessage, claim_id: int | None = None
    ) -> OutboundMessageIngestion:
        # Its own receipt namespace: no webhook's key can take it for a redelivery.
        return cls(
            tenant_id=tenant_id,
            idempotency_key=f"message-sent:{message.sid}",
            message=message,
            claim_id=claim_id,
        )

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        now = datetime.now(UTC)
        stored = (
            await Message.filter(
                sid__in=list({item.message.sid for item in items}),
                tenant_id__in=list({item.tenant_id for item in items}),
            )
            .using_db(connection)
            .select_for_update()
        )
        found = {(row.tenant_id, row.sid): row for row in stored}
        created: list[Message] = []
        merged: dict[int, Message] = {}
        # Rows a callback created without a number (in no thread) that the send puts on one.
        joined: list[Message] = []
        rows: list[Message] = []
        for item in items:
            key = (item.tenant_id, item.message.sid)
            row = found.get(key)
            if row is None:
                row = found[key] = item.new_row(now)
                created.append(row)
            else:
                threadless = row.number_id is None  # type: ignore[attr-defined]
                item.merge_into(row)
                if row.id is not None:
                    merged[row.id] = row
                    if threadless and row.number_id is not None:  # type: ignore[attr-defined]
                        joined.append(row)
            rows.append(row)
        ids = await ROWS.insert([ROWS.table.values(row) for row in created], now, connection)
        for row in created:
            row.id = ids[row.tenant_id, row.sid]  # type: ignore[index]
            row.updated_at = now
        await ROWS.update(
            [(row_id, ROWS.updated_values(row)) for row_id, row in merged.items()],
            now,
            connection,
        )
        for row in merged.values():
            row.updated_at = now  # as the UPDATE wrote it: the notice is the sender's answer too
        await messages_written(created=created, joined=joined, now=now, connection=connection)
        for item, row in zip(items, rows, strict=True):
            if item.claim_id is not None:
                await (
                    IdempotentRequest.filter(id=item.claim_id)
                    .using_db(connection)
                    .update(entity_id=row.id)
                )
        return [
            [
                ActivityDraft(
                    tenant_id=row.tenant_id,
                    kind=ActivityKind.MESSAGE_SENT,
                    entity_id=row.id,
                    number_id=row.number_id,
                    snapshot=replace(MessageSnapshot.of(row), id=row.id),
                )
            ]
            for row in rows
        ]

    def new_row(self, now: datetime) -> Message:
        sent = self.message
        return Message(
            tenant_id=self.tenant_id,
            sid=sent.sid,
            channel=sent.channel,
            direction=Direction.OUTBOUND,
            from_address=sent.from_address,
            to_address=sent.to_address,
            counterpart=sent.to_address,
            body=sent.body,
            media=_media(sent.media_urls),
            status=sent.status,
            status_history=[history_entry(sent.status, applied=True)],
            num_segments=sent.num_segments,
            number_id=sent.number_id,
            user_id=sent.user_id,
            content_sid=sent.content_sid,
            received_while_inactive=False,
            created_at=now,
        )

    def merge_into(self, row: Message) -> None:
        """Fill in what the callback could not know; the status only moves forward."""
        sent = self.message
        row.channel = sent.channel
        row.body = sent.body
        row.media = _media(sent.media_urls)
        row.num_segments = sent.num_segments if sent.num_segments is not None else row.num_segments
        row.number_id = sent.number_id  # type: ignore[assignment]
        row.user_id = sent.user_id
        row.content_sid = sent.content_sid
        applied = status_supersedes(sent.status, row.status)
        row.status_history = [
            *(row.status_history or []),
            history_entry(sent.status, applied=applied),
        ]
        if applied:
            row.status = sent.status


def _media(urls: Sequence[str]) -> list[dict[str, str | None]]:
    # The content type of media we send is what Twilio fetches later; unknown when sent.
    return [{"url": url, "content_type": None} for url in urls]


async def messages_written(
    *,
    created: Sequence[Message],
    joined: Sequence[Message],
    now: datetime,
    connection: BaseDBAsyncClient,
) -> None:
    """Count sent messages into their threads (``ingestion.threads``), in the batch's transaction.

    ``created``: the rows inserted here (ids set): counted by their INSERT itself on PostgreSQL,
    here elsewhere. ``joined``: rows a status callback created without a number (so in no
    thread) that the send now puts on one. A row a callback created on a number was counted
    then; the send does not move it (a send's number is the one its callbacks name).
    """
    counted = [] if ROWS.follows_up(connection) else list(created)
    await roll_up((ThreadedMessage.of(row) for row in [*counted, *joined]), now, connection)
