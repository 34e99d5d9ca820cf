"""The tenant's activity log: appending inside an ingestion transaction, replaying after a cursor.

A cursor is the tenant-scoped ``seq`` of an activity row (see :mod:`trunkline.activity.cursor`).
The appender increments ``tenant.activity_seq`` under the tenant row's lock, so a tenant's activity
commits in ``seq`` order and holds no holes: once ``seq`` N is visible, every seq below it is too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from trunkline.activity.notices import ActivityDraft, ActivityNotice
from trunkline.models import ActivityEvent, Tenant

REPLAY_PAGE = 200
RESERVE_SEQS = (
    "UPDATE tenant SET activity_seq = activity_seq + ? WHERE id = ? RETURNING activity_seq"
)
APPEND_ACTIVITY_POSTGRES = (
    "WITH reserved AS ("
    "UPDATE tenant SET activity_seq = activity_seq + $2 WHERE id = $1 RETURNING activity_seq) "
    "INSERT INTO activity_event "
    "(tenant_id, seq, kind, entity_type, entity_id, number_id, payload, created_at) "
    "SELECT $1, reserved.activity_seq - $2 + u.ord, u.k, u.e, u.i, u.n, u.p::jsonb, $8 "
    "FROM reserved, unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[]) "
    "WITH ORDINALITY AS u(k, e, i, n, p, ord) RETURNING seq"
)
INSERT_ACTIVITY_SQLITE = (
    "INSERT INTO activity_event "
    "(tenant_id, seq, kind, entity_type, entity_id, number_id, payload, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


async def append_activities(
    drafts: Sequence[ActivityDraft], *, connection: BaseDBAsyncClient
) -> list[ActivityNotice]:
    """Append ``drafts`` to their tenants' logs, in order. Must run inside the caller's transaction.

    Each tenant's seqs are reserved at once (``activity_seq + n``), and the tenant row's lock is
    held until commit: the next appender waits for us, so rows commit in seq order and a reader
    never sees seq N+1 before N. Tenants are taken in id order, as the batch locked them.
    """
    if not drafts:
        return []
    now = datetime.now(UTC)
    by_tenant: dict[int, list[ActivityDraft]] = {}
    for draft in drafts:
        by_tenant.setdefault(draft.tenant_id, []).append(draft)
    next_seq = {
        tenant_id: await _append_for_tenant(tenant_id, by_tenant[tenant_id], now, connection)
        for tenant_id in sorted(by_tenant)
    }
    notices: list[ActivityNotice] = []
    for draft in drafts:
        seq = next_seq[draft.tenant_id]
        next_seq[draft.tenant_id] = seq + 1
        notices.append(draft.notice(seq))
    return notices


async def _append_for_tenant(
    tenant_id: int, drafts: list[ActivityDraft], now: datetime, connection: BaseDBAsyncClient
) -> int:
    """Reserve one tenant's seqs and insert its rows; the first seq."""
    count = len(drafts)
    payloads = [json.dumps(draft.snapshot.to_wire(), separators=(",", ":")) for draft in drafts]
    if connection.capabilities.dialect == "postgres":
        # Reservation and insert in one round trip; asyncpg prepares it once per connection.
        rows = await connection.execute_query_dict(
            APPEND_ACTIVITY_POSTGRES,
            [
                tenant_id,
                count,
                [draft.kind.value for draft in drafts],
                [draft.entity_type for draft in drafts],
                [draft.entity_id for draft in drafts],
                [draft.number_id for draft in drafts],
                payloads,
                now,
            ],
        )
        if len(rows) != count:
            raise LookupError(f"tenant {tenant_id} does not exist")
        return min(int(row["seq"]) for row in rows)
    rows = await connection.execute_query_dict(RESERVE_SEQS, [count, tenant_id])
    first = int(rows[0]["activity_seq"]) - count + 1
    await connection.execute_many(
        INSERT_ACTIVITY_SQLITE,
        [
            [
                tenant_id,
                first + offset,
                draft.kind.value,
                draft.entity_type,
                draft.entity_id,
                draft.number_id,
                payload,
                now,
            ]
            for offset, (draft, payload) in enumerate(zip(drafts, payloads, strict=True))
        ],
    )
    return first


class ActivityPruned(Exception):
    """Events after the cursor are no longer in the log (retention deleted them): replaying from
    it would skip them, so the client must reload its state and continue from the newest event."""

    def __init__(self, *, tenant_id: int, after_seq: int) -> None:
        super().__init__(f"activity of tenant {tenant_id} after seq {after_seq} was pruned")
        self.tenant_id = tenant_id
        self.after_seq = after_seq


async def activity_after(
    *, tenant_id: int, after_seq: int, limit: int = REPLAY_PAGE
) -> list[ActivityNotice]:
    """The tenant's activity after ``after_seq``, oldest first, at most ``limit`` rows.

    A tenant's log holds no holes until retention deletes its oldest rows, so a missing seq
    after the cursor means the log no longer holds what the caller has not seen.

    Raises:
        ActivityPruned: a row after ``after_seq`` was deleted by retention.
    """
    rows = await _rows_after(tenant_id, after_seq, limit)
    if not rows:
        # Caught up, or every row after the cursor is gone. The committed seq is read first:
        # rows up to it were committed before the second read, which sees them unless deleted.
        committed = await latest_seq(tenant_id=tenant_id)
        if committed <= after_seq:
            return []
        rows = await _rows_after(tenant_id, after_seq, limit)
    if not rows or any(row.seq != after_seq + 1 + i for i, row in enumerate(rows)):
        raise ActivityPruned(tenant_id=tenant_id, after_seq=after_seq)
    return [ActivityNotice.from_row(row) for row in rows]


async def _rows_after(tenant_id: int, after_seq: int, limit: int) -> list[ActivityEvent]:
    return (
        await ActivityEvent.filter(tenant_id=tenant_id, seq__gt=after_seq)
        .order_by("seq")
        .limit(limit)
    )


async def latest_seq(*, tenant_id: int) -> int:
    """The last committed seq of the tenant (0 before any activity)."""
    values = await Tenant.filter(id=tenant_id).values_list("activity_seq", flat=True)
    return int(values[0]) if values else 0
