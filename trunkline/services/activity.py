"""The tenant's activity log: appending inside an ingestion transaction, replaying after a cursor.

A cursor is the tenant-scoped ``seq`` of an activity row, shown to clients as a decimal string.
The appender increments ``tenant.activity_seq`` under the tenant row's lock, so a tenant's activity
commits in ``seq`` order and holds no holes: once ``seq`` N is visible, every seq below it is too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from trunkline.models import ActivityEvent, NumberStatus, PhoneNumber, Tenant, WebhookReceipt


class ActivityKind(StrEnum):
    MESSAGE_RECEIVED = "MESSAGE_RECEIVED"
    MESSAGE_STATUS = "MESSAGE_STATUS"
    CALL_RECEIVED = "CALL_RECEIVED"
    CALL_STATUS = "CALL_STATUS"
    RECORDING_READY = "RECORDING_READY"
    RECORDING_STATUS = "RECORDING_STATUS"
    CONVERSATION_EVENT = "CONVERSATION_EVENT"
    EMAIL_EVENT = "EMAIL_EVENT"


class ActivityChannel(StrEnum):
    """What an activity travelled over; ``activity(channels: ...)`` filters on it."""

    SMS = "sms"
    MMS = "mms"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    VOICE = "voice"
    CONVERSATIONS = "conversations"


REPLAY_PAGE = 200
NEXT_SEQ = "UPDATE tenant SET activity_seq = activity_seq + 1 WHERE id = ? RETURNING activity_seq"
NEXT_SEQ_POSTGRES = NEXT_SEQ.replace("?", "$1")
LOCK_TENANT = "SELECT id FROM tenant WHERE id = $1 FOR UPDATE"


@dataclass(frozen=True)
class ActivityNotice:
    """What the bus carries: the activity row with the entity's snapshot (no reload needed)."""

    tenant_id: int
    seq: int
    kind: str
    entity_type: str
    entity_id: int
    number_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def channel(self) -> str | None:
        value = self.payload.get("channel")
        return value if isinstance(value, str) else None

    def to_wire(self) -> dict[str, Any]:
        return {
            "tenant_id": self.tenant_id,
            "seq": self.seq,
            "kind": self.kind,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "number_id": self.number_id,
            "payload": self.payload,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> ActivityNotice:
        return cls(
            tenant_id=int(data["tenant_id"]),
            seq=int(data["seq"]),
            kind=str(data["kind"]),
            entity_type=str(data["entity_type"]),
            entity_id=int(data["entity_id"]),
            number_id=int(data["number_id"]) if data.get("number_id") is not None else None,
            payload=dict(data.get("payload") or {}),
        )

    @classmethod
    def from_row(cls, row: ActivityEvent) -> ActivityNotice:
        return cls(
            tenant_id=row.tenant_id,  # type: ignore[attr-defined]
            seq=row.seq,
            kind=row.kind,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            number_id=row.number_id,
            payload=dict(row.payload or {}),
        )


def activity_channel_name(prefix: str, tenant_id: int) -> str:
    """The bus channel of a tenant's activity."""
    return f"{prefix}:tenant:{tenant_id}"


async def append_activity(
    *,
    tenant_id: int,
    kind: ActivityKind,
    entity_type: str,
    entity_id: int,
    number_id: int | None,
    payload: dict[str, Any],
    connection: BaseDBAsyncClient,
) -> ActivityNotice:
    """Append one row to the tenant's log. Must run inside the caller's transaction."""
    # The UPDATE takes the tenant row's lock until commit: the next appender waits for us, so
    # rows commit in seq order and a reader never sees seq N+1 before N. One statement, both
    # dialects (SQLite >= 3.35 and PostgreSQL both have RETURNING).
    statement = NEXT_SEQ_POSTGRES if connection.capabilities.dialect == "postgres" else NEXT_SEQ
    rows = await connection.execute_query_dict(statement, [tenant_id])
    seq = int(rows[0]["activity_seq"])
    row = await ActivityEvent.create(
        tenant_id=tenant_id,
        seq=seq,
        kind=kind.value,
        entity_type=entity_type,
        entity_id=entity_id,
        number_id=number_id,
        payload=payload,
        using_db=connection,
    )
    return ActivityNotice.from_row(row)


async def activity_after(
    *, tenant_id: int, after_seq: int, limit: int = REPLAY_PAGE
) -> list[ActivityNotice]:
    """The tenant's activity after ``after_seq``, oldest first, at most ``limit`` rows."""
    rows = (
        await ActivityEvent.filter(tenant_id=tenant_id, seq__gt=after_seq)
        .order_by("seq")
        .limit(limit)
    )
    return [ActivityNotice.from_row(row) for row in rows]


async def latest_seq(*, tenant_id: int) -> int:
    """The last committed seq of the tenant (0 before any activity)."""
    values = await Tenant.filter(id=tenant_id).values_list("activity_seq", flat=True)
    return int(values[0]) if values else 0


async def number_ids_owned_by(*, tenant_id: int, user_id: str) -> frozenset[int]:
    """The numbers assigned to an agent: the activity it may see."""
    ids = await PhoneNumber.filter(tenant_id=tenant_id, owner_id=user_id).values_list(
        "id", flat=True
    )
    return frozenset(int(i) for i in ids)


async def tenant_number(*, tenant_id: int, phone_number: str) -> PhoneNumber | None:
    """The tenant's (unreleased) number ``phone_number``, if it holds it."""
    return (
        await PhoneNumber.filter(tenant_id=tenant_id, phone_number=phone_number)
        .exclude(status=NumberStatus.RELEASED)
        .first()
    )


def parse_cursor(cursor: str | None) -> int | None:
    """A client's cursor back to a seq; None for no cursor. Raises ValueError when malformed."""
    if cursor is None:
        return None
    value = int(cursor)
    if value < 0:
        raise ValueError("negative cursor")
    return value


def format_cursor(seq: int) -> str:
    return str(seq)


@dataclass(frozen=True)
class Ingested:
    """The outcome of one webhook's transaction: nothing new for a duplicate."""

    duplicate: bool
    notices: list[ActivityNotice] = field(default_factory=list)


async def ingest_once(
    *,
    provider: str,
    idempotency_key: str,
    tenant_id: int,
    apply: Callable[[BaseDBAsyncClient], Awaitable[list[ActivityNotice]]],
) -> Ingested:
    """Run ``apply`` in one transaction with the delivery's receipt; a redelivery is a no-op.

    The receipt is inserted first: a concurrent duplicate blocks on the unique key until the
    first commits, then fails, and is answered as a duplicate. Then the tenant row is locked
    (PostgreSQL; SQLite has one writer at a time), so the tenant's deliveries apply one after
    another. Everything or nothing is written.
    """
    try:
        async with in_transaction() as connection:
            await WebhookReceipt.create(
                provider=provider,
                idempotency_key=idempotency_key[:255],
                tenant_id=tenant_id,
                using_db=connection,
            )
            if connection.capabilities.dialect == "postgres":
                # A tenant's ingestion is serialized from here (the seq increment would lock the
                # row later anyway): two callbacks about one new message cannot both create it.
                await connection.execute_query(LOCK_TENANT, [tenant_id])
            notices = await apply(connection)
    except IntegrityError:
        if await WebhookReceipt.exists(provider=provider, idempotency_key=idempotency_key[:255]):
            return Ingested(duplicate=True)
        raise
    return Ingested(duplicate=False, notices=notices)
