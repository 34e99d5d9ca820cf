"""Incoming SMS, MMS and WhatsApp messages, stored set-based: one INSERT for a batch's run of them.

Inbound messages are most of a gateway's webhooks. Per message the ORM cost more CPU than the
rest of the request (a model instance, a SELECT ... FOR UPDATE, an INSERT); here a run of them is
one statement, ``ON CONFLICT (tenant_id, sid) DO NOTHING`` standing in for the look-up: a message
the tenant has stored already (another token, another batch, another process) is not inserted and
not announced. Another tenant's message with the same sid is no conflict: a sid is only as
trustworthy as the account that signed it. On PostgreSQL a batch of nothing else is one
statement whole, receipts and activity included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar, Self

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.activity import ActivityDraft, ActivityKind, Ingested, MessageSnapshot
from trunkline.ingestion.kind import DEFERRED, Deferred, Idempotent
from trunkline.ingestion.rows import RowWriter
from trunkline.ingestion.statements import (
    STORE_INBOUND_MESSAGES_POSTGRES,
    STORE_INBOUND_MESSAGES_SKIPPING_HELD_POSTGRES,
    threads_of_inserted_postgres,
)
from trunkline.ingestion.tables import MESSAGES
from trunkline.ingestion.threads import ThreadedMessage, roll_up
from trunkline.models import WHATSAPP_PREFIX, Channel, Direction, Message, NumberStatus, PhoneNumber
from trunkline.services.messages import history_entry

# Inbound messages of a mixed batch, or on SQLite: one INSERT for a run of them (on PostgreSQL
# counting them into their threads too).
ROWS = RowWriter(MESSAGES, skip_existing=True, then_postgres=threads_of_inserted_postgres)


@dataclass(frozen=True)
class MediaItem:
    url: str
    content_type: str


@dataclass(frozen=True)
class InboundMessage:
    """An incoming SMS, MMS or WhatsApp message, as Twilio describes it."""

    sid: str
    from_address: str
    to_address: str
    body: str
    media: list[MediaItem] = field(default_factory=list)
    num_segments: int | None = None

    @property
    def channel(self) -> Channel:
        if self.from_address.startswith(WHATSAPP_PREFIX) or self.to_address.startswith(
            WHATSAPP_PREFIX
        ):
            return Channel.WHATSAPP
        return Channel.MMS if self.media else Channel.SMS


@dataclass(frozen=True, kw_only=True)
class InboundMessageIngestion(Idempotent):
    """Store an incoming message and announce it; the same message again changes nothing."""

    number: PhoneNumber
    message: InboundMessage

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        now = datetime.now(UTC)
        rows = [_Row.of(item, now) if first else None for item, first in _firsts(items)]
        history = _received_history(now)
        found = await ROWS.insert(
            [MESSAGES.ordered(row.values(history)) for row in rows if row is not None],
            now,
            connection,
        )
        if not ROWS.follows_up(connection):  # (else the INSERT counted them in their threads)
            await roll_up(
                (
                    row.threaded(found[row.key])
                    for row in rows
                    if row is not None and row.key in found
                ),
                now,
                connection,
            )
        return [
            [row.draft(found[row.key])] if row is not None and row.key in found else []
            for row in rows
        ]

    @classmethod
    async def store_alone(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient, *, skip_held: bool
    ) -> list[Ingested | Deferred] | None:
        """On PostgreSQL: receipts, messages, their threads and activity in one statement
        (``STORE_INBOUND_MESSAGES_POSTGRES``, or its variant skipping held tenants)."""
        if connection.capabilities.dialect != "postgres":
            return None
        now = datetime.now(UTC)
        firsts = [first for _, first in _firsts(items)]
        rows = [_Row.of(item, now) for item in items]
        history = _received_history(now)
        values = [row.values(history) for row in rows]
        tenant = [row["tenant_id"] for row in values]
        # $4 to $11 of the statement, in its order ($17, received while inactive, comes last).
        sent = ("sid", "channel", "from_address", "to_address", "body", "media")
        sent += ("num_segments", "number_id")
        found = await connection.execute_query_dict(
            STORE_INBOUND_MESSAGES_SKIPPING_HELD_POSTGRES
            if skip_held
            else STORE_INBOUND_MESSAGES_POSTGRES,
            [
                [item.receipt_key[2] for item in items],
                tenant,
                firsts,
                *([row[name] for row in values] for name in sent),
                [json.dumps(row.snapshot.to_wire(), separators=(",", ":")) for row in rows],
                cls.provider,
                now,
                history,
                sorted(set(tenant)),
                [row["received_while_inactive"] for row in values],
            ],
        )
        by_key = {(int(row["tenant"]), row["key"]): row for row in found}
        locked = {int(row["tenant"]) for row in found if row["key"] is None}
        outcomes: list[Ingested | Deferred] = []
        for item, row in zip(items, rows, strict=True):
            stored = by_key.get((item.tenant_id, item.receipt_key[2]))
            if item.tenant_id not in locked:
                outcomes.append(DEFERRED)
            elif stored is None:
                outcomes.append(Ingested(duplicate=True))
            elif stored["id"] is None:
                outcomes.append(Ingested(duplicate=False))  # its message was stored already
            else:
                notice = row.draft(int(stored["id"])).notice(int(stored["seq"]))
                outcomes.append(Ingested(duplicate=False, notices=[notice]))
        return outcomes


def _firsts(
    items: Sequence[InboundMessageIngestion],
) -> Iterator[tuple[InboundMessageIngestion, bool]]:
    """Each delivery, and whether it is the first of its tenant's sid: a later one is the same
    message (another tenant's is not)."""
    seen: set[tuple[int, str]] = set()
    for item in items:
        key = (item.tenant_id, item.message.sid)
        yield item, key not in seen
        seen.add(key)


def _received_history(now: datetime) -> str:
    return json.dumps([history_entry("received", applied=True, at=now)])


@dataclass(frozen=True)
class _Row:
    """One inbound message's row, checked once for the INSERT and the notice.

    It reads as a stored ``Message`` does (``MessageRow``), without the cost of a model instance
    per message: its snapshot is built as every message's is, by ``MessageSnapshot.of``.
    """

    item: InboundMessageIngestion
    media: list[dict[str, str]]
    created_at: datetime
    id: None = None  # the INSERT assigns it
    direction: ClassVar[Direction] = Direction.INBOUND
    status: ClassVar[str] = "received"
    error_code: ClassVar[None] = None
    error_message: ClassVar[None] = None
    price: ClassVar[None] = None
    price_unit: ClassVar[None] = None
    user_id: ClassVar[None] = None  # nobody of ours sent it
    content_sid: ClassVar[None] = None

    @classmethod
    def of(cls, item: InboundMessageIngestion, now: datetime) -> _Row:
        message = item.message
        # Refuse what the model would (a tortoise ValidationError): SQLite checks no lengths.
        fields_map = Message._meta.fields_map
        fields_map["sid"].validate(message.sid)
        fields_map["from_address"].validate(message.from_address)
        fields_map["to_address"].validate(message.to_address)
        media = [{"url": m.url, "content_type": m.content_type} for m in message.media]
        return cls(item, media, now)

    @property
    def sid(self) -> str:
        return self.item.message.sid

    @property
    def channel(self) -> Channel:
        return self.item.message.channel

    @property
    def from_address(self) -> str:
        return self.item.message.from_address

    @property
    def to_address(self) -> str:
        return self.item.message.to_address

    @property
    def body(self) -> str:
        return self.item.message.body

    @property
    def number_id(self) -> int:
        return self.item.number.id

    @property
    def received_while_inactive(self) -> bool:
        """An inactive number's messages are kept and announced all the same (nothing is lost),
        flagged so an inbox can show them apart. (A released number's are refused before.)"""
        return self.item.number.status == NumberStatus.INACTIVE

    @property
    def num_segments(self) -> int | None:
        return self.item.message.num_segments

    @property
    def updated_at(self) -> datetime:
        return self.created_at

    @property
    def status_history(self) -> list[dict[str, Any]]:
        """As stored: see ``_received_history``."""
        return [history_entry("received", applied=True, at=self.created_at)]

    @cached_property
    def snapshot(self) -> MessageSnapshot:
        """The message as announced, but for its id (unknown until the INSERT)."""
        return MessageSnapshot.of(self)

    @property
    def key(self) -> tuple[int, str]:
        """What the message is unique by: its tenant's id and its sid."""
        return self.item.tenant_id, self.item.message.sid

    def values(self, history: str) -> dict[str, Any]:
        """The row's values by column, as bound; ``history`` its status history (JSON)."""
        message = self.item.message
        return {
            "tenant_id": self.item.tenant_id,
            "sid": message.sid,
            "channel": message.channel.value,
            "direction": Direction.INBOUND.value,
            "from_address": message.from_address,
            "to_address": message.to_address,
            "counterpart": message.from_address,  # who wrote to us
            "body": message.body,
            "media": json.dumps(self.media),
            "status": "received",
            "status_history": history,
            "error_code": None,
            "num_segments": message.num_segments,
            "number_id": self.item.number.id,
            "received_while_inactive": self.received_while_inactive,
        }

    def threaded(self, message_id: int) -> ThreadedMessage:
        """The row once inserted as ``message_id``, as its thread counts it."""
        return ThreadedMessage(
            tenant_id=self.item.tenant_id,
            number_id=self.item.number.id,
            counterpart=self.item.message.from_address,
            channel=self.item.message.channel,
            message_id=message_id,
            created_at=self.created_at,
            inbound=True,
        )

    def draft(self, message_id: int) -> ActivityDraft:
        return ActivityDraft(
            tenant_id=self.item.tenant_id,
            kind=ActivityKind.MESSAGE_RECEIVED,
            entity_id=message_id,
            number_id=self.item.number.id,
            snapshot=replace(self.snapshot, id=message_id),
        )
