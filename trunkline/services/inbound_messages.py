"""Incoming SMS, MMS and WhatsApp messages, stored set-based: one INSERT for a batch's run of them.

Inbound messages are most of a gateway's webhooks. Per message the ORM cost more CPU than the
rest of the request (a model instance, a SELECT ... FOR UPDATE, an INSERT); here a run of them is
one statement, ``ON CONFLICT (sid) DO NOTHING`` standing in for the look-up: a message already
stored (another token, another batch, another process) is not inserted and not announced.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.models import Channel, Direction, Message, PhoneNumber
from trunkline.services.activity import ActivityDraft, ActivityKind
from trunkline.services.ingestion import Ingestion
from trunkline.services.messages import history_entry

INSERT_POSTGRES = (
    "INSERT INTO message (tenant_id, sid, channel, direction, from_address, to_address, "
    "counterpart, body, media, status, status_history, num_segments, number_id, created_at, "
    "updated_at) "
    "SELECT t, s, c, 'inbound', f, o, f, b, m::jsonb, 'received', h::jsonb, g, n, $10, $10 "
    "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
    "$7::text[], $8::text[], $9::int[], $11::bigint[]) AS u(t, s, c, f, o, b, m, h, g, n) "
    "ON CONFLICT (sid) DO NOTHING RETURNING id, sid"
)
INSERT_SQLITE = (
    "INSERT INTO message (tenant_id, sid, channel, direction, from_address, to_address, "
    "counterpart, body, media, status, status_history, num_segments, number_id, created_at, "
    "updated_at) VALUES {rows} ON CONFLICT (sid) DO NOTHING RETURNING id, sid"
)
SQLITE_ROW = "(?, ?, ?, 'inbound', ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, ?)"
# SQLite allows 32,766 bound parameters per statement; a row binds thirteen.
SQLITE_ROWS_PER_STATEMENT = 1000


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
        if self.from_address.startswith("whatsapp:") or self.to_address.startswith("whatsapp:"):
            return Channel.WHATSAPP
        return Channel.MMS if self.media else Channel.SMS


@dataclass(frozen=True, kw_only=True)
class InboundMessageIngestion(Ingestion):
    """Store an incoming message and announce it; the same message again changes nothing."""

    number: PhoneNumber
    message: InboundMessage

    async def apply(self, connection: BaseDBAsyncClient) -> list[ActivityDraft]:
        (drafts,) = await self.apply_many([self], connection)
        return drafts

    @classmethod
    async def apply_many(
        cls, items: Sequence[Self], connection: BaseDBAsyncClient
    ) -> list[list[ActivityDraft]]:
        now = datetime.now(UTC)
        # The first delivery of a sid inserts it; a later one in the run is the same message.
        seen: set[str] = set()
        firsts: list[_Row | None] = []
        for item in items:
            sid = item.message.sid
            firsts.append(None if sid in seen else _Row.of(item))
            seen.add(sid)
        rows = [row for row in firsts if row is not None]
        for row in rows:
            row.validate()
        inserted = await _insert(rows, now, connection)
        return [
            [row.draft(inserted[row.sid], now)] if row is not None and row.sid in inserted else []
            for row in firsts
        ]


@dataclass(frozen=True)
class _Row:
    """One message's column values, encoded once for the INSERT and the announcement."""

    item: InboundMessageIngestion
    media: list[dict[str, str]]
    history: list[dict[str, Any]]

    @classmethod
    def of(cls, item: InboundMessageIngestion) -> _Row:
        media = [{"url": m.url, "content_type": m.content_type} for m in item.message.media]
        history = [history_entry("received", applied=True)]
        return cls(item, media, history)

    @property
    def sid(self) -> str:
        return self.item.message.sid

    def validate(self) -> None:
        """Refuse what the model would (a tortoise ValidationError): SQLite checks no lengths."""
        fields_map = Message._meta.fields_map
        message = self.item.message
        fields_map["sid"].validate(message.sid)
        fields_map["from_address"].validate(message.from_address)
        fields_map["to_address"].validate(message.to_address)

    def values(self) -> list[Any]:
        message = self.item.message
        return [
            self.item.tenant_id,
            message.sid,
            message.channel.value,
            message.from_address,
            message.to_address,
            message.body,
            json.dumps(self.media),
            json.dumps(self.history),
            message.num_segments,
            self.item.number.id,
        ]

    def draft(self, message_id: int, now: datetime) -> ActivityDraft:
        message = self.item.message
        number_id = self.item.number.id
        # The same snapshot ``message_snapshot`` makes of the stored row (tests compare them).
        snapshot = {
            "id": message_id,
            "sid": message.sid,
            "channel": message.channel.value,
            "direction": Direction.INBOUND.value,
            "from": message.from_address,
            "to": message.to_address,
            "body": message.body,
            "media_urls": [item["url"] for item in self.media],
            "status": "received",
            "error_code": None,
            "number_id": number_id,
            "created_at": now.isoformat(),
        }
        return ActivityDraft(
            tenant_id=self.item.tenant_id,
            kind=ActivityKind.MESSAGE_RECEIVED,
            entity_type="message",
            entity_id=message_id,
            number_id=number_id,
            payload=snapshot,
        )


async def _insert(rows: list[_Row], now: datetime, connection: BaseDBAsyncClient) -> dict[str, int]:
    """Insert the messages not stored yet; their ids by sid."""
    if connection.capabilities.dialect == "postgres":
        columns = list(zip(*(row.values() for row in rows), strict=True))
        tenant, sid, channel, sender, recipient, body, media, history, segments, number = columns
        found = await connection.execute_query_dict(
            INSERT_POSTGRES,
            [
                *(list(c) for c in (tenant, sid, channel, sender, recipient, body, media)),
                list(history),
                list(segments),
                now,
                list(number),
            ],
        )
    else:
        found = []
        for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
            chunk = rows[start : start + SQLITE_ROWS_PER_STATEMENT]
            statement = INSERT_SQLITE.format(rows=", ".join([SQLITE_ROW] * len(chunk)))
            values: list[Any] = []
            for row in chunk:
                (tenant_id, sid, channel, sender, recipient, body, media, history, segments,
                 number_id) = row.values()  # fmt: skip
                values.extend(
                    (tenant_id, sid, channel, sender, recipient, sender, body, media, history)
                )
                values.extend((segments, number_id, now, now))
            found.extend(await connection.execute_query_dict(statement, values))
    return {row["sid"]: int(row["id"]) for row in found}
