"""Messages: status callbacks and the status ordering rules (inbound ones: ``inbound_messages``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.models import Channel, Direction, Message, PhoneNumber
from trunkline.services.activity import ActivityDraft, ActivityKind
from trunkline.services.ingestion import Ingestion
from trunkline.services.message_rows import insert_messages, update_statuses

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


@dataclass(frozen=True)
class MessageStatusUpdate:
    """A status callback of a message (usually one Trunkline sent)."""

    sid: str
    status: str
    from_address: str
    to_address: str
    error_code: int | None = None


def message_snapshot(message: Message) -> dict[str, Any]:
    """The message as subscribers see it, carried on the bus and kept in the activity log."""
    return {
        "id": message.id,
        "sid": message.sid,
        "channel": message.channel.value,
        "direction": message.direction.value,
        "from": message.from_address,
        "to": message.to_address,
        "body": message.body,
        "media_urls": [item.get("url") for item in message.media or []],
        "status": message.status,
        "error_code": message.error_code,
        "number_id": message.number_id,  # type: ignore[attr-defined]
        "created_at": message.created_at.isoformat() if message.created_at else None,
    }


def history_entry(status: str, *, applied: bool) -> dict[str, Any]:
    return {"status": status, "at": datetime.now(UTC).isoformat(), "applied": applied}


@dataclass(frozen=True, kw_only=True)
class MessageStatusIngestion(Ingestion):
    """A status callback: recorded in history always, applied only when it moves forward."""

    number: PhoneNumber | None
    update: MessageStatusUpdate

    async def apply(self, connection: BaseDBAsyncClient) -> list[ActivityDraft]:
        (drafts,) = await self.apply_many([self], connection)
        return drafts

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        """Callbacks in arrival order against their messages, locked and read in one query.

        Each callback sees the message as the ones before it left it: a run's ``sent`` then
        ``delivered`` announce two states. Written at the end: one INSERT for the messages the
        run creates, one UPDATE for those it changes.
        """
        now = datetime.now(UTC)
        stored = (
            await Message.filter(
                sid__in=list({item.update.sid for item in items}),
                tenant_id__in=list({item.tenant_id for item in items}),
            )
            .using_db(connection)
            .select_for_update()
        )
        messages = {(row.tenant_id, row.sid): row for row in stored}  # type: ignore[attr-defined]
        created: list[Message] = []
        changed: dict[int, Message] = {}
        announced: list[tuple[Message, dict[str, Any]] | None] = []
        for item in items:
            key = (item.tenant_id, item.update.sid)
            row = messages.get(key)
            if row is None:
                # Sent outside Trunkline (or before its row was written): the callback creates it.
                row = messages[key] = item.new_message(now)
                created.append(row)
            elif not item.update_message(row):
                announced.append(None)
                if row.id is not None:
                    changed[row.id] = row
                continue
            elif row.id is not None:
                changed[row.id] = row
            announced.append((row, message_snapshot(row)))
        await insert_messages(created, now, connection)
        await update_statuses(list(changed.values()), now, connection)
        drafts: list[list[ActivityDraft]] = []
        for entry in announced:
            if entry is None:
                drafts.append([])
                continue
            row, snapshot = entry
            snapshot["id"] = row.id  # a message created by this run has one only now
            drafts.append(
                [
                    ActivityDraft(
                        tenant_id=row.tenant_id,  # type: ignore[attr-defined]
                        kind=ActivityKind.MESSAGE_STATUS,
                        entity_type="message",
                        entity_id=row.id,
                        number_id=row.number_id,  # type: ignore[attr-defined]
                        payload=snapshot,
                    )
                ]
            )
        return drafts

    def new_message(self, now: datetime) -> Message:
        """The (unsaved) message a callback about an unknown sid creates."""
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
            status=update.status,
            status_history=[history_entry(update.status, applied=True)],
            error_code=update.error_code,
            number_id=self.number.id if self.number else None,
            created_at=now,
        )

    def update_message(self, row: Message) -> bool:
        """Record the callback in ``row``'s history; apply it if it moves forward. Applied?"""
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
                entity_type="conversation",
                entity_id=0,
                number_id=None,
                payload={"channel": "conversations", **self.event},
            )
        ]
