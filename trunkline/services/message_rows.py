"""Message rows written set-based: a batch's status callbacks insert and update in one go each.

The ORM would write them one statement per row; a batch of callbacks instead costs one INSERT
for the messages they create and one UPDATE for those they change, whatever their number.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.models import Message

INSERT_POSTGRES = (
    "INSERT INTO message (tenant_id, sid, channel, direction, from_address, to_address, "
    "counterpart, body, media, status, status_history, error_code, num_segments, number_id, "
    "created_at, updated_at) "
    "SELECT t, s, c, d, f, o, p, b, '[]'::jsonb, st, h::jsonb, e, NULL, n, $13, $13 "
    "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
    "$7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::bigint[]) "
    "AS u(t, s, c, d, f, o, p, b, st, h, e, n) RETURNING id, sid"
)
INSERT_SQLITE = (
    "INSERT INTO message (tenant_id, sid, channel, direction, from_address, to_address, "
    "counterpart, body, media, status, status_history, error_code, num_segments, number_id, "
    "created_at, updated_at) VALUES {rows} RETURNING id, sid"
)
SQLITE_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, NULL, ?, ?, ?)"
# SQLite allows 32,766 bound parameters per statement; a row binds fourteen.
SQLITE_ROWS_PER_STATEMENT = 1000
UPDATE_POSTGRES = (
    "UPDATE message SET status = u.s, status_history = u.h::jsonb, error_code = u.e, "
    "updated_at = $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[]) AS u(i, s, h, e) "
    "WHERE message.id = u.i"
)
UPDATE_SQLITE = (
    "UPDATE message SET status = ?, status_history = ?, error_code = ?, updated_at = ? WHERE id = ?"
)


async def insert_messages(
    rows: Sequence[Message], now: datetime, connection: BaseDBAsyncClient
) -> None:
    """Insert unsaved ``rows`` (sids new to the database); each gets its id and timestamps.

    A sid stored meanwhile (or another tenant's) violates its unique index: the batch fails.
    """
    if not rows:
        return
    columns = [_insert_values(row) for row in rows]
    if connection.capabilities.dialect == "postgres":
        found = await connection.execute_query_dict(
            INSERT_POSTGRES, [*(list(column) for column in zip(*columns, strict=True)), now]
        )
    else:
        found = []
        for start in range(0, len(columns), SQLITE_ROWS_PER_STATEMENT):
            chunk = columns[start : start + SQLITE_ROWS_PER_STATEMENT]
            statement = INSERT_SQLITE.format(rows=", ".join([SQLITE_ROW] * len(chunk)))
            values = [value for row in chunk for value in (*row, now, now)]
            found.extend(await connection.execute_query_dict(statement, values))
    ids = {row["sid"]: int(row["id"]) for row in found}
    for row in rows:
        row.id = ids[row.sid]
        row.created_at = row.updated_at = now


async def update_statuses(
    rows: Sequence[Message], now: datetime, connection: BaseDBAsyncClient
) -> None:
    """Write stored ``rows``' status, status history and error code."""
    if not rows:
        return
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query(
            UPDATE_POSTGRES,
            [
                [row.id for row in rows],
                [row.status for row in rows],
                [json.dumps(row.status_history) for row in rows],
                [row.error_code for row in rows],
                now,
            ],
        )
    else:
        await connection.execute_many(
            UPDATE_SQLITE,
            [
                [row.status, json.dumps(row.status_history), row.error_code, now, row.id]
                for row in rows
            ],
        )
    for row in rows:
        row.updated_at = now


def _insert_values(row: Message) -> tuple[Any, ...]:
    return (
        row.tenant_id,  # type: ignore[attr-defined]
        row.sid,
        row.channel.value,
        row.direction.value,
        row.from_address,
        row.to_address,
        row.counterpart,
        row.body,
        row.status,
        json.dumps(row.status_history),
        row.error_code,
        row.number_id,  # type: ignore[attr-defined]
    )
