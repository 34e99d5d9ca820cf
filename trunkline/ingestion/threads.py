"""Threads: the rollup of a tenant's messages per number, contact and channel, kept with them.

``threads`` reads one row per conversation instead of grouping a tenant's messages (which may
run to millions), so every message row is counted into its thread in the same transaction that
inserts it: a thread never counts a message that was rolled back, nor misses one that
committed. Whoever inserts message rows calls :func:`roll_up` once for what it inserted.

On PostgreSQL the engine's own message INSERTs count their rows themselves, with no round trip
of their own: the single-statement inbound batch (``statements.STORE_INBOUND_MESSAGES_POSTGRES``)
and the row writers of ``inbound_messages`` and ``message_status`` (``then_postgres=``
``statements.threads_of_inserted_postgres``; they call :func:`roll_up` only where
``RowWriter.follows_up`` says their INSERT did not). All share one upsert rule,
``statements.THREAD_UPSERT_POSTGRES``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.ingestion.statements import (
    ROLL_UP_THREADS_POSTGRES,
    ROLL_UP_THREADS_SQLITE,
    SQLITE_PARAMETERS,
    THREAD_ROW_SQLITE,
)
from trunkline.models import Channel, Direction, thread_channel

# Each thread row of the SQLite statement binds ten values.
_SQLITE_THREADS_PER_STATEMENT = SQLITE_PARAMETERS // 10


@dataclass(frozen=True, slots=True)
class ThreadedMessage:
    """What the rollup needs of one message row just inserted (its id assigned)."""

    tenant_id: int
    number_id: int | None
    counterpart: str
    channel: Channel
    message_id: int
    created_at: datetime
    inbound: bool

    @classmethod
    def of(cls, row: Any) -> ThreadedMessage:
        """From a stored ``Message`` (or anything with its attributes), id and time set."""
        return cls(
            tenant_id=row.tenant_id,
            number_id=row.number_id,
            counterpart=row.counterpart,
            channel=Channel(row.channel),
            message_id=row.id,
            created_at=row.created_at,
            inbound=Direction(row.direction) is Direction.INBOUND,
        )


@dataclass
class _ThreadDelta:
    """What a batch adds to one thread."""

    tenant_id: int
    last_message_id: int
    last_message_at: datetime
    message_count: int = 0
    unread_count: int = 0

    def values(self, key: tuple[int, str, str]) -> tuple[Any, ...]:
        """The thread's row as both dialects' statements bind it (before their timestamps)."""
        number_id, counterpart, channel = key
        return (
            self.tenant_id,
            number_id,
            counterpart,
            channel,
            self.last_message_id,
            self.last_message_at,
            self.message_count,
            self.unread_count,
        )


async def roll_up(
    messages: Iterable[ThreadedMessage], now: datetime, connection: BaseDBAsyncClient
) -> None:
    """Count newly inserted messages into their threads: one statement for the whole batch.

    The contract for every adapter that inserts message rows (inbound, status callbacks about
    unknown sids, outbound sends):

    - call it on the connection (transaction) that inserted the rows, after the INSERT, with
      exactly the rows that INSERT created: not a row skipped as already stored, or the thread
      would count it twice;
    - a thread is one per (number, counterpart, channel; MMS kept under SMS), created by its
      first message; then ``message_count`` grows by the messages added, ``unread_count`` by
      the inbound ones (outbound ones are the tenant's own, never unread), and
      ``last_message_*`` moves to the newest message (by time, then id) if newer than the
      thread's;
    - a message without a number (``number_id`` None) belongs to no thread and is skipped.

    Increments, not recounts: concurrent batches (other processes) on one thread add up
    exactly; PostgreSQL's ``ON CONFLICT DO UPDATE`` serializes them on the thread's row.
    """
    deltas: dict[tuple[int, str, str], _ThreadDelta] = {}
    for message in messages:
        if message.number_id is None:
            continue
        key = (message.number_id, message.counterpart, thread_channel(message.channel).value)
        delta = deltas.get(key)
        if delta is None:
            delta = deltas[key] = _ThreadDelta(
                message.tenant_id, message.message_id, message.created_at
            )
        elif (message.created_at, message.message_id) > (
            delta.last_message_at,
            delta.last_message_id,
        ):
            delta.last_message_id, delta.last_message_at = message.message_id, message.created_at
        delta.message_count += 1
        delta.unread_count += int(message.inbound)
    if not deltas:
        return
    # Sorted by the unique key: two batches lock shared threads in one order, never crosswise.
    ordered = sorted(deltas.items())
    if connection.capabilities.dialect == "postgres":
        columns: list[list[Any]] = [[] for _ in range(8)]
        for key, delta in ordered:
            for column, value in zip(columns, delta.values(key), strict=True):
                column.append(value)
        await connection.execute_query(ROLL_UP_THREADS_POSTGRES, [*columns, now])
        return
    for start in range(0, len(ordered), _SQLITE_THREADS_PER_STATEMENT):
        chunk = ordered[start : start + _SQLITE_THREADS_PER_STATEMENT]
        statement = ROLL_UP_THREADS_SQLITE.format(rows=", ".join([THREAD_ROW_SQLITE] * len(chunk)))
        bound: list[Any] = []
        for key, delta in chunk:
            bound.extend((*delta.values(key), now, now))
        await connection.execute_query(statement, bound)
