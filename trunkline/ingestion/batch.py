"""Many webhook deliveries applied in one transaction (group commit), each with its own rules.

Per delivery nothing changes: its receipt turns a redelivery into a no-op, its entity follows
the status rules, and its activity takes the tenant's next seqs. Per batch the fixed costs are
paid once: one transaction and commit, each tenant's row locked once, one receipt statement,
one seq reservation per tenant and one activity insert. A batch of one kind that can write all
of that in a single statement (inbound messages on PostgreSQL) does so: one round trip in all.

Why a held tenant is skipped (``skip_held``). A batch holds its tenants' rows from its first
statement to its commit: that lock is what gives each tenant one gap-free run of seqs in commit
order (a resumed subscription can never skip an event) and makes two deliveries about one new
entity apply one after the other. Each process writes one batch at a time, made of whatever
arrived, so with several processes every batch names most tenants, and when each waited for all
of them (``FOR NO KEY UPDATE``) the processes took turns on the same rows: measured on 2 cores,
2 workers and 16 tenants, backends waited on a lock in 13-16% of samples and took fewer webhooks
than one worker. Now a batch locks the tenants it can (``SKIP LOCKED``), stores their
deliveries, and hands back the others :data:`DEFERRED`, unanswered, for its next batch: a tenant
is still written by one transaction at a time, but nobody waits for another process's tenants.

Weighed and measured before choosing this (README "Performance"):
- one batch per tenant, several in flight per process: no lock waits left, but a transaction,
  a commit and a WAL flush per tenant per round halved what one worker takes;
- a global sequence whose readers stop at the oldest transaction still in flight
  (``pg_snapshot_xmin``): no row lock at all, but every cursor, resume and gap check of the
  activity log is per tenant today, and readers would wait on any tenant's slow transaction.
When every tenant of a batch is held, the batch waits for them after all (rather than asking
again and again), as it does for a delivery already deferred twice: a hot tenant cannot starve.
SQLite has one writer; ``skip_held`` changes nothing there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, overload

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from trunkline.activity import ActivityDraft, Ingested, append_activities
from trunkline.ingestion.kind import DEFERRED, Deferred, Ingestion, ReceiptKey
from trunkline.ingestion.statements import (
    INSERT_RECEIPTS_POSTGRES,
    INSERT_RECEIPTS_SKIPPING_HELD_POSTGRES,
    INSERT_RECEIPTS_SQLITE,
    SQLITE_RECEIPTS_PER_STATEMENT,
)


@overload
async def ingest_batch(
    items: Sequence[Ingestion], *, skip_held: Literal[False] = False
) -> list[Ingested]: ...


@overload
async def ingest_batch(
    items: Sequence[Ingestion], *, skip_held: bool
) -> list[Ingested | Deferred]: ...


async def ingest_batch(
    items: Sequence[Ingestion], *, skip_held: bool = False
) -> list[Ingested] | list[Ingested | Deferred]:
    """Apply ``items`` atomically; one outcome per item, in order.

    A delivery whose receipt exists already (committed earlier, or earlier in this batch) is a
    duplicate: answered, nothing written. Everything or nothing is written: on any error the
    whole batch rolls back and the error propagates (the writer then retries items one by one).
    ``skip_held``: the deliveries of tenants another transaction holds are :data:`DEFERRED`
    (a redelivery later in the batch too: it may not be answered before the first is stored),
    unless every tenant is held: then the batch waits for them.
    """
    if not items:
        return []
    first_of_key: dict[ReceiptKey, int] = {}
    for index, item in enumerate(items):
        first_of_key.setdefault(item.receipt_key, index)
    unique = [items[index] for index in first_of_key.values()]
    kind = type(unique[0])
    stored: list[Ingested | Deferred] | None = None
    if all(type(item) is kind for item in unique):
        stored = await kind.store_alone(unique, connections.get("default"), skip_held=skip_held)
    if stored is None:
        stored = await _store_in_transaction(unique, skip_held=skip_held)
    if skip_held and all(outcome is DEFERRED for outcome in stored):
        # Every tenant held (a hot tenant written by every process): wait rather than ask again.
        return await ingest_batch(items)
    outcomes: list[Ingested | Deferred] = [Ingested(duplicate=True) for _ in items]
    for index, outcome in zip(first_of_key.values(), stored, strict=True):
        outcomes[index] = outcome
    for index, item in enumerate(items):
        if outcomes[first_of_key[item.receipt_key]] is DEFERRED:
            outcomes[index] = DEFERRED
    return outcomes


async def _store_in_transaction(
    items: list[Ingestion], *, skip_held: bool
) -> list[Ingested | Deferred]:
    """Receipts, then each run of one kind, then the activity, in one transaction block."""
    async with in_transaction() as connection:
        # On PostgreSQL the receipts' statement first locks the batch's tenants: each tenant's
        # deliveries apply one batch after another (across processes too), so two deliveries
        # about one new message cannot both create it, and the activity commits in seq order.
        # SQLite has one writer at a time.
        stored, locked = await _insert_receipts(items, skip_held=skip_held, connection=connection)
        if not locked:
            return [DEFERRED] * len(items)  # nothing written: the transaction ends empty
        fresh = [index for index, item in enumerate(items) if item.receipt_key in stored]
        drafts: dict[int, list[ActivityDraft]] = {}
        for run in _runs_of_one_kind(fresh, items):
            kind = type(items[run[0]])
            applied = await kind.apply_many([items[index] for index in run], connection)
            drafts.update(zip(run, applied, strict=True))
        ordered = [draft for index in fresh for draft in drafts[index]]
        notices = iter(await append_activities(ordered, connection=connection))
    outcomes: list[Ingested | Deferred] = [
        Ingested(duplicate=True) if item.tenant_id in locked else DEFERRED for item in items
    ]
    for index in fresh:
        outcomes[index] = Ingested(duplicate=False, notices=[next(notices) for _ in drafts[index]])
    return outcomes


def _runs_of_one_kind(indexes: list[int], items: Sequence[Ingestion]) -> Iterator[list[int]]:
    """Consecutive deliveries of one kind: each run is applied set-based where its kind can."""
    run: list[int] = []
    for index in indexes:
        if run and type(items[run[0]]) is not type(items[index]):
            yield run
            run = []
        run.append(index)
    if run:
        yield run


async def _insert_receipts(
    items: list[Ingestion], *, skip_held: bool, connection: BaseDBAsyncClient
) -> tuple[set[ReceiptKey], set[int]]:
    """Insert the receipts that do not exist yet, of the tenants locked; the keys inserted and
    the tenants locked (on SQLite all of them).

    ``ON CONFLICT DO NOTHING`` waits for a concurrent transaction holding the same key (another
    process) and then skips it if that one committed: no exception, no aborted transaction.
    """
    now = datetime.now(UTC)
    if connection.capabilities.dialect == "postgres":
        statement = (
            INSERT_RECEIPTS_SKIPPING_HELD_POSTGRES if skip_held else INSERT_RECEIPTS_POSTGRES
        )
        rows = await connection.execute_query_dict(
            statement,
            [
                [item.receipt_key[0] for item in items],
                [item.receipt_key[1] for item in items],
                [item.receipt_key[2] for item in items],
                now,
                sorted({item.tenant_id for item in items}),
            ],
        )
    else:
        rows = []
        for start in range(0, len(items), SQLITE_RECEIPTS_PER_STATEMENT):
            chunk = items[start : start + SQLITE_RECEIPTS_PER_STATEMENT]
            statement = INSERT_RECEIPTS_SQLITE.format(rows=", ".join(["(?, ?, ?, ?)"] * len(chunk)))
            values: list[object] = []
            for item in chunk:
                values.extend((*item.receipt_key, now))
            rows.extend(await connection.execute_query_dict(statement, values))
        return _keys(rows), {item.tenant_id for item in items}
    locked = {int(row["tenant_id"]) for row in rows if row["provider"] is None}
    return _keys(row for row in rows if row["provider"] is not None), locked


def _keys(rows: Iterable[dict[str, Any]]) -> set[ReceiptKey]:
    return {(int(row["tenant_id"]), row["provider"], row["idempotency_key"]) for row in rows}
