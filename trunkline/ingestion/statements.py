"""Every statement the engine sends, PostgreSQL's and SQLite's side by side.

On PostgreSQL a batch's rows travel as arrays through ``unnest`` (one statement whatever their
number); on SQLite as a multi-row ``VALUES``, chunked under its parameter limit (and
``executemany`` for updates). Table and column names come from our models, never from input
(S608 below); every value is a bound parameter. The activity log's own statements live with it
(``trunkline.activity.log``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from trunkline.ingestion.tables import Column

# SQLite allows 32,766 bound parameters per statement.
SQLITE_PARAMETERS = 32_000
# A receipt row binds four.
SQLITE_RECEIPTS_PER_STATEMENT = 1000

# --- Receipts: the deliveries not seen before -----------------------------------------------


# The tenants' rows are locked first (ascending ids, so two batches that wait never wait on each
# other's tenants). NO KEY UPDATE, the lock the seq increment takes anyway: it excludes other
# batches but not the KEY SHARE lock of another transaction's insert referencing the tenant
# (FOR UPDATE did, and such an insert of a message this batch also creates deadlocked with it).
# With SKIP LOCKED a tenant another transaction holds is left out rather than waited for: its
# deliveries get no receipt (the caller defers them). Only the tenants locked take part, and the
# statement answers which they are (rows with a NULL key) beside the receipts it inserted. The
# CTE is MATERIALIZED: run once, before the first receipt row, whoever reads it.
def lock_tenants_postgres(ids: str, *, skip_held: bool) -> str:
    """The CTE body locking the tenants of the array ``ids`` (a parameter such as ``$5``)."""
    skip = " SKIP LOCKED" if skip_held else ""
    return (
        f"SELECT id FROM tenant WHERE id = ANY({ids}::bigint[]) "  # noqa: S608 (our constants)
        f"ORDER BY id FOR NO KEY UPDATE{skip}"
    )


def insert_receipts_postgres(*, skip_held: bool) -> str:
    return (
        f"WITH locked AS MATERIALIZED ({lock_tenants_postgres('$5', skip_held=skip_held)}), "  # noqa: S608
        "receipt AS (INSERT INTO webhook_receipt (tenant_id, provider, idempotency_key, "
        "created_at) SELECT t, p, k, $4 FROM unnest($1::bigint[], $2::text[], $3::text[]) "
        "AS u(t, p, k) WHERE t = ANY(ARRAY(SELECT id FROM locked)) "
        "ON CONFLICT (tenant_id, provider, idempotency_key) DO NOTHING "
        "RETURNING tenant_id, provider, idempotency_key) "
        "SELECT tenant_id, provider, idempotency_key FROM receipt "
        "UNION ALL SELECT id, NULL, NULL FROM locked"
    )


INSERT_RECEIPTS_POSTGRES = insert_receipts_postgres(skip_held=False)
INSERT_RECEIPTS_SKIPPING_HELD_POSTGRES = insert_receipts_postgres(skip_held=True)
INSERT_RECEIPTS_SQLITE = (
    "INSERT INTO webhook_receipt (tenant_id, provider, idempotency_key, created_at) VALUES {rows} "
    "ON CONFLICT (tenant_id, provider, idempotency_key) DO NOTHING "
    "RETURNING tenant_id, provider, idempotency_key"
)

# --- Threads: the rollup of the messages a batch inserted (``trunkline.ingestion.threads``) ---

# What a thread row becomes when a batch adds to it: counts grow by the batch's, the last
# message moves only forward (by time, then id: an older batch committing late keeps the newer).
THREAD_UPSERT_POSTGRES = (
    "ON CONFLICT (number_id, counterpart, channel) DO UPDATE SET "
    "message_count = thread.message_count + EXCLUDED.message_count, "
    "unread_count = thread.unread_count + EXCLUDED.unread_count, "
    "last_message_id = CASE WHEN (EXCLUDED.last_message_at, EXCLUDED.last_message_id) "
    ">= (thread.last_message_at, COALESCE(thread.last_message_id, 0)) "
    "THEN EXCLUDED.last_message_id ELSE thread.last_message_id END, "
    "last_message_at = GREATEST(thread.last_message_at, EXCLUDED.last_message_at), "
    "updated_at = EXCLUDED.updated_at"
)
_THREAD_COLUMNS = (
    "thread (tenant_id, number_id, counterpart, channel, last_message_id, last_message_at, "
    "message_count, unread_count, created_at, updated_at)"
)
# One row per thread (the caller has summed the batch per thread), sorted by the unique key.
ROLL_UP_THREADS_POSTGRES = (
    f"INSERT INTO {_THREAD_COLUMNS} "  # noqa: S608
    "SELECT t, n, cp, c, m, at, total, unread, $9, $9 FROM unnest($1::bigint[], $2::bigint[], "
    "$3::text[], $4::text[], $5::bigint[], $6::timestamptz[], $7::int[], $8::int[]) "
    "WITH ORDINALITY AS u(t, n, cp, c, m, at, total, unread, ord) ORDER BY ord "
    f"{THREAD_UPSERT_POSTGRES}"
)
ROLL_UP_THREADS_SQLITE = (
    f"INSERT INTO {_THREAD_COLUMNS} VALUES {{rows}} "  # noqa: S608
    "ON CONFLICT (number_id, counterpart, channel) DO UPDATE SET "
    "message_count = thread.message_count + excluded.message_count, "
    "unread_count = thread.unread_count + excluded.unread_count, "
    "last_message_id = CASE WHEN (excluded.last_message_at, excluded.last_message_id) "
    ">= (thread.last_message_at, COALESCE(thread.last_message_id, 0)) "
    "THEN excluded.last_message_id ELSE thread.last_message_id END, "
    "last_message_at = max(thread.last_message_at, excluded.last_message_at), "
    "updated_at = excluded.updated_at"
)
THREAD_ROW_SQLITE = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


def threads_of_inserted_postgres(source: str) -> str:
    """The thread upsert for the messages the CTE ``source`` inserted (returning their id,
    tenant_id, number_id, counterpart, channel, direction and created_at), folded into the
    statement that inserts them: no round trip of its own.

    One statement's messages share their ``created_at``, so a thread's newest is its highest
    id. An MMS counts under SMS (``models.thread_channel``); only inbound ones are unread.
    """
    return (
        f"INSERT INTO {_THREAD_COLUMNS} "  # noqa: S608
        "SELECT tenant_id, number_id, counterpart, tc, max(id), max(created_at), count(*), "
        "count(*) FILTER (WHERE direction = 'inbound'), max(created_at), max(created_at) "
        "FROM (SELECT *, CASE channel WHEN 'mms' THEN 'sms' ELSE channel END AS tc "
        f"FROM {source} WHERE number_id IS NOT NULL) AS threaded_message "
        "GROUP BY tenant_id, number_id, counterpart, tc ORDER BY number_id, counterpart, tc "
        f"{THREAD_UPSERT_POSTGRES}"
    )


# --- Inbound messages, a batch of nothing else, whole, on PostgreSQL ------------------------


# The steps are those of a batch in a transaction block: lock the tenants (ascending ids, before
# the first receipt row, as the receipts' statement does there; skipping the held ones, whose
# deliveries then get no receipt, if asked), insert the receipts of the locked tenants that are
# new, insert the messages of new receipts (the first delivery of a tenant's sid only), reserve
# each tenant's seqs and append the activity, its payload completed with the message's new id,
# and count the new messages into their threads (one row per thread: the statement may not
# update a row twice; all inbound, so all unread; an MMS under SMS, as models.thread_channel).
# (S608: the f-strings below insert this module's own constants, never input.)
def store_inbound_messages_postgres(*, skip_held: bool) -> str:
    """The whole statement; its rows: per receipt inserted its tenant, key, message id and seq,
    and per tenant locked a row of its id alone."""
    return (
        f"WITH locked AS MATERIALIZED ({lock_tenants_postgres('$16', skip_held=skip_held)}), "  # noqa: S608
        "delivery AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::bool[], $4::text[], "
        "$5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::int[], $11::bigint[], "
        "$12::text[], $17::bool[]) WITH ORDINALITY "
        "AS d(k, t, first, sid, c, f, o, b, m, g, n, p, w, ord)), "
        "receipt AS (INSERT INTO webhook_receipt (tenant_id, provider, idempotency_key, "
        "created_at) SELECT t, $13, k, $14 FROM delivery "
        "WHERE t = ANY(ARRAY(SELECT id FROM locked)) "
        "ON CONFLICT (tenant_id, provider, idempotency_key) DO NOTHING "
        "RETURNING tenant_id AS rt, idempotency_key AS rk), "
        "stored AS (INSERT INTO message (tenant_id, sid, channel, direction, from_address, "
        "to_address, counterpart, body, media, status, status_history, num_segments, number_id, "
        "received_while_inactive, created_at, updated_at) "
        "SELECT t, sid, c, 'inbound', f, o, f, b, m::jsonb, 'received', $15::jsonb, g, n, w, "
        "$14, $14 "
        "FROM delivery JOIN receipt ON rt = t AND rk = k WHERE first ORDER BY ord "
        "ON CONFLICT (tenant_id, sid) DO NOTHING "
        "RETURNING id, sid, tenant_id, number_id, counterpart, channel, direction, created_at), "
        f"threaded AS ({threads_of_inserted_postgres('stored')}), "
        "announced AS (SELECT stored.id, stored.tenant_id, k, n, p, "
        "row_number() OVER (PARTITION BY stored.tenant_id ORDER BY ord) AS place, "
        "count(*) OVER (PARTITION BY stored.tenant_id) AS total "
        "FROM stored JOIN delivery ON delivery.t = stored.tenant_id AND delivery.sid = stored.sid "
        "AND first), "
        "reserved AS (UPDATE tenant SET activity_seq = activity_seq + added.total "
        "FROM (SELECT tenant_id, count(*) AS total FROM stored GROUP BY tenant_id) AS added "
        "WHERE tenant.id = added.tenant_id RETURNING tenant.id, activity_seq), "
        "appended AS (INSERT INTO activity_event (tenant_id, seq, kind, entity_type, entity_id, "
        "number_id, payload, created_at) "
        "SELECT tenant_id, activity_seq - total + place, 'MESSAGE_RECEIVED', 'message', "
        "announced.id, n, p::jsonb || jsonb_build_object('id', announced.id), $14 "
        "FROM announced JOIN reserved ON reserved.id = announced.tenant_id "
        "RETURNING entity_id, seq) "
        "SELECT rt AS tenant, rk AS key, announced.id, seq FROM receipt "
        "LEFT JOIN announced ON announced.tenant_id = rt AND k = rk "
        "LEFT JOIN appended ON entity_id = announced.id "
        "UNION ALL SELECT id, NULL, NULL, NULL FROM locked"
    )


STORE_INBOUND_MESSAGES_POSTGRES = store_inbound_messages_postgres(skip_held=False)
STORE_INBOUND_MESSAGES_SKIPPING_HELD_POSTGRES = store_inbound_messages_postgres(skip_held=True)

# --- The row writer's statements, composed per table ----------------------------------------
# Each row has an ``id`` and a ``sid`` unique per tenant; ``created_at`` and ``updated_at`` are
# the batch's time, bound once.


def insert_rows_postgres(
    table: str,
    columns: Sequence[Column],
    *,
    skip_existing: bool,
    then: Callable[[str], str] | None = None,
) -> str:
    """Rows as one array per column, ``$n+1`` the time. ``then``: a statement to run on the
    rows inserted, in the same statement (a data-modifying CTE over ``inserted``)."""
    count = len(columns)
    arrays = ", ".join(f"${i + 1}::{_sent_as(c)}[]" for i, c in enumerate(columns))
    aliases = ", ".join(f"c{i}" for i in range(count))
    values = ", ".join(_value(c, f"c{i}") for i, c in enumerate(columns))
    insert = (
        f"INSERT INTO {table} ({_names(columns)}, created_at, updated_at) "  # noqa: S608
        f"SELECT {values}, ${count + 1}, ${count + 1} FROM unnest({arrays}) AS u({aliases}) "
    )
    if then is None:
        return insert + _returning(skip_existing=skip_existing)
    skip = "ON CONFLICT (tenant_id, sid) DO NOTHING " if skip_existing else ""
    return (
        f"WITH inserted AS ({insert}{skip}RETURNING *), "  # noqa: S608 (our own statements)
        f"followed AS ({then('inserted')}) SELECT id, tenant_id, sid FROM inserted"
    )


def insert_rows_sqlite(table: str, columns: Sequence[Column], *, skip_existing: bool) -> str:
    """A template: ``{rows}`` takes as many rows of :func:`sqlite_row` as are sent."""
    return (
        f"INSERT INTO {table} ({_names(columns)}, created_at, updated_at) VALUES {{rows}} "  # noqa: S608
        f"{_returning(skip_existing=skip_existing)}"
    )


def sqlite_row(columns: Sequence[Column]) -> str:
    """One row of :func:`insert_rows_sqlite`: the columns, then the two times."""
    return "(" + ", ".join(["?"] * (len(columns) + 2)) + ")"


def update_rows_postgres(table: str, columns: Sequence[Column]) -> str:
    """``$1`` the ids, then one array per column, then the time."""
    count = len(columns)
    arrays = ", ".join(f"${i + 2}::{_sent_as(c)}[]" for i, c in enumerate(columns))
    aliases = ", ".join(f"c{i}" for i in range(count))
    settings = ", ".join(f"{c.name} = {_value(c, f'u.c{i}')}" for i, c in enumerate(columns))
    return (
        f"UPDATE {table} SET {settings}, updated_at = ${count + 2} "  # noqa: S608
        f"FROM unnest($1::bigint[], {arrays}) AS u(id, {aliases}) WHERE {table}.id = u.id"
    )


def update_row_sqlite(table: str, columns: Sequence[Column]) -> str:
    """One row (``executemany``): the columns, the time, the id."""
    assignments = ", ".join(f"{c.name} = ?" for c in columns)
    return f"UPDATE {table} SET {assignments}, updated_at = ? WHERE id = ?"  # noqa: S608


def _names(columns: Sequence[Column]) -> str:
    return ", ".join(column.name for column in columns)


def _returning(*, skip_existing: bool) -> str:
    skip = "ON CONFLICT (tenant_id, sid) DO NOTHING " if skip_existing else ""
    return skip + "RETURNING id, tenant_id, sid"


def _sent_as(column: Column) -> str:
    return "text" if column.type == "jsonb" else column.type


def _value(column: Column, name: str) -> str:
    return f"{name}::jsonb" if column.type == "jsonb" else name
